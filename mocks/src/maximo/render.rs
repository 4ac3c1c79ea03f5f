//! JSON of members and collections, lean (`lean=1`) or namespaced (reference §1.5).
//!
//! A member carries its `href`, the selected attributes (nulls left out unless
//! `_dropnulls=0`), a `<attr>_description` after every attribute bound to a synonym domain,
//! its `_rowstamp` as a string, the selected children (each with its own `_rowstamp` and a
//! `http://childkey#…` href), a `<child>_collectionref` link for every child collection not
//! selected (unless `ignorecollectionref=1`), and `relation.attr` selections as nested objects.
//! When the attribute `location` and the relationship `location` are both selected, the
//! attribute is renamed `$alias_this_attr$location`, as Maximo does. Namespaced members use
//! `rdf:about` and `spi:`-prefixed names.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value as JsonValue, json};

use super::data::MaximoData;
use super::restid;
use super::schema::{Mbo, OsDef, OsKind, Record};
use super::select::Projection;

/// Everything rendering needs to know about the request.
pub(crate) struct Renderer<'a> {
    pub(crate) data: &'a MaximoData,
    pub(crate) kind: OsKind,
    pub(crate) lean: bool,
    pub(crate) drop_nulls: bool,
    pub(crate) collection_refs: bool,
    /// `http://host/maximo/oslc` (or the `x-public-uri`).
    pub(crate) base: &'a str,
}

/// The key values of a record, as text, in rest-id order.
pub(crate) fn key_values(data: &MaximoData, os: &OsDef, record: &Record) -> Vec<String> {
    os.rest_key
        .iter()
        .map(|attr| record.get(*attr).display(data.world.offset))
        .collect()
}

/// The rest id of a record.
pub(crate) fn rest_id(data: &MaximoData, os: &OsDef, record: &Record) -> String {
    restid::encode(&key_values(data, os, record))
}

impl Renderer<'_> {
    fn os(&self) -> &'static OsDef {
        self.kind.def()
    }

    fn name(&self, name: &str) -> String {
        if self.lean {
            name.to_owned()
        } else {
            format!("spi:{name}")
        }
    }

    /// `{base}/os/{os}`.
    pub(crate) fn collection_href(&self) -> String {
        format!("{}/os/{}", self.base, self.os().lower_name())
    }

    pub(crate) fn member_href(&self, record: &Record) -> String {
        format!(
            "{}/{}",
            self.collection_href(),
            rest_id(self.data, self.os(), record)
        )
    }

    /// A member: `projection` `None` renders the href alone (a collection without a select).
    pub(crate) fn member(&self, record: &Record, projection: Option<&Projection>) -> JsonValue {
        let href = self.member_href(record);
        let mut map = Map::new();
        map.insert(
            String::from(if self.lean { "href" } else { "rdf:about" }),
            JsonValue::String(href.clone()),
        );
        let Some(projection) = projection.filter(|p| !p.is_empty()) else {
            return JsonValue::Object(map);
        };
        let os = self.os();
        let clashes: Vec<&str> = projection
            .related
            .iter()
            .map(|(relation, _)| relation.name)
            .collect();
        self.attributes(&mut map, os.mbo, record, projection, &clashes);
        map.insert(
            String::from("_rowstamp"),
            JsonValue::String(record.rowstamp.to_string()),
        );
        let keys = key_values(self.data, os, record);
        for (child, inner) in &projection.children {
            let definition = &os.mbo.children[*child];
            let rows = record.children.get(*child).map_or(&[][..], Vec::as_slice);
            let items: Vec<JsonValue> = rows
                .iter()
                .map(|row| {
                    let mut child_map = Map::new();
                    let mut anchor = vec![os.mbo.name.to_owned(), definition.mbo.name.to_owned()];
                    anchor.extend(keys.iter().cloned());
                    anchor.extend(
                        definition
                            .keys
                            .iter()
                            .map(|attr| row.get(*attr).display(self.data.world.offset)),
                    );
                    child_map.insert(
                        String::from(if self.lean { "href" } else { "rdf:about" }),
                        JsonValue::String(format!(
                            "http://childkey#{}",
                            STANDARD.encode(anchor.join("/")).replace('=', "-")
                        )),
                    );
                    self.attributes(&mut child_map, definition.mbo, row, inner, &[]);
                    child_map.insert(
                        String::from("_rowstamp"),
                        JsonValue::String(row.rowstamp.to_string()),
                    );
                    JsonValue::Object(child_map)
                })
                .collect();
            map.insert(self.name(definition.name), JsonValue::Array(items));
        }
        if self.collection_refs {
            for (position, child) in os.mbo.children.iter().enumerate() {
                if !projection.children.iter().any(|(c, _)| *c == position) {
                    map.insert(
                        self.name(&format!("{}_collectionref", child.name)),
                        JsonValue::String(format!("{href}/{}", child.name)),
                    );
                }
            }
        }
        for (relation, attr) in &projection.related {
            let Some(related) = self.data.related(self.kind, relation, record) else {
                continue;
            };
            let value = related.get(*attr);
            if value.is_null() && self.drop_nulls {
                continue;
            }
            let entry = map
                .entry(self.name(relation.name))
                .or_insert_with(|| json!({}));
            if let Some(object) = entry.as_object_mut() {
                object.insert(
                    self.name(relation.target.attrs[*attr].name),
                    value.to_json(self.data.world.offset),
                );
            }
        }
        JsonValue::Object(map)
    }

    fn attributes(
        &self,
        map: &mut Map<String, JsonValue>,
        mbo: &Mbo,
        record: &Record,
        projection: &Projection,
        clashes: &[&str],
    ) {
        for (attr, output) in &projection.attrs {
            let value = record.get(*attr);
            if value.is_null() && self.drop_nulls {
                continue;
            }
            let key = if clashes.contains(&output.as_str()) {
                format!("$alias_this_attr${output}")
            } else {
                output.clone()
            };
            map.insert(self.name(&key), value.to_json(self.data.world.offset));
            if let (Some(domain), Some(text)) = (mbo.attrs[*attr].domain, value.as_str())
                && let Some(description) = domain.description(text)
            {
                map.insert(
                    self.name(&format!("{output}_description")),
                    JsonValue::String(description.to_owned()),
                );
            }
        }
    }

    /// A collection page: `member[]`, the top-level `href` and `responseInfo`.
    pub(crate) fn collection(&self, members: Vec<JsonValue>, info: &ResponseInfo) -> JsonValue {
        let mut response = Map::new();
        let (href, link) = if self.lean {
            ("href", "href")
        } else {
            ("rdf:about", "rdf:resource")
        };
        response.insert(String::from(href), JsonValue::String(info.href.clone()));
        response.insert(
            String::from(if self.lean { "pagenum" } else { "spi:pagenum" }),
            json!(info.page),
        );
        if let Some(next) = &info.next {
            response.insert(
                String::from(if self.lean {
                    "nextPage"
                } else {
                    "oslc:nextPage"
                }),
                json!({ link: next }),
            );
        }
        if let Some(previous) = &info.previous {
            response.insert(
                String::from(if self.lean {
                    "previousPage"
                } else {
                    "oslc:previousPage"
                }),
                json!({ link: previous }),
            );
        }
        if let Some((count, pages)) = info.total {
            response.insert(
                String::from(if self.lean {
                    "totalCount"
                } else {
                    "oslc:totalCount"
                }),
                json!(count),
            );
            response.insert(
                String::from(if self.lean {
                    "totalPages"
                } else {
                    "spi:totalPages"
                }),
                json!(pages),
            );
        }
        let mut body = Map::new();
        body.insert(
            String::from(if self.lean { "member" } else { "rdfs:member" }),
            JsonValue::Array(members),
        );
        body.insert(
            String::from(href),
            JsonValue::String(self.collection_href()),
        );
        body.insert(
            String::from(if self.lean {
                "responseInfo"
            } else {
                "oslc:responseInfo"
            }),
            JsonValue::Object(response),
        );
        JsonValue::Object(body)
    }
}

/// The links and figures of a collection page.
#[derive(Clone, Debug)]
pub(crate) struct ResponseInfo {
    pub(crate) href: String,
    pub(crate) page: u64,
    pub(crate) next: Option<String>,
    pub(crate) previous: Option<String>,
    /// `totalCount` and `totalPages`, with `collectioncount=1`.
    pub(crate) total: Option<(u64, u64)>,
}
