//! OData v2 JSON payloads: entities with `__metadata`, `__deferred` and expanded navigation,
//! collection envelopes, and the shape `$select`/`$expand` give them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::edm::{EdmType, EntitySet, EntityType, Navigation, ServiceDef};
use super::engine::Row;
use super::error::ODataError;
use super::etag::EtagConfig;
use super::json::Json;
use super::value::{Value, format_iso_local};

/// Characters kept literally in key predicates of `__metadata.uri`.
const KEY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'\'');

/// The deepest `$expand` path served.
const MAX_EXPAND_DEPTH: usize = 4;

/// Which properties and navigations a response carries, per level of `$expand`.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub(crate) set: &'static EntitySet,
    /// `None`: everything; otherwise what `$select` named at this level.
    selection: Option<Selection>,
    /// Selected as a whole (`$select=to_Items`): deeper paths cannot narrow it any more.
    whole: bool,
    pub(crate) expanded: Vec<(&'static Navigation, Shape)>,
}

#[derive(Clone, Debug, Default)]
struct Selection {
    all_properties: bool,
    properties: Vec<usize>,
    navigations: Vec<&'static str>,
}

impl Shape {
    pub(crate) fn build(
        service: &ServiceDef,
        set: &'static EntitySet,
        select: Option<&[Vec<String>]>,
        expand: &[Vec<String>],
    ) -> Result<Shape, ODataError> {
        let mut shape = Shape::all(set);
        for path in expand {
            // Navigation cycles (items → order → items …) multiply the work with every level.
            if path.len() > MAX_EXPAND_DEPTH {
                return Err(ODataError::bad_request(format!(
                    "Invalid $expand: paths may be at most {MAX_EXPAND_DEPTH} navigation properties deep"
                )));
            }
            shape.add_expand(service, path)?;
        }
        if let Some(paths) = select {
            shape.selection = Some(Selection::default());
            for path in paths {
                shape.add_select(path)?;
            }
        }
        Ok(shape)
    }

    fn all(set: &'static EntitySet) -> Shape {
        Shape {
            set,
            selection: None,
            whole: false,
            expanded: Vec::new(),
        }
    }

    fn add_expand(&mut self, service: &ServiceDef, path: &[String]) -> Result<(), ODataError> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(());
        };
        let entity_type = self.set.entity_type;
        let Some(navigation) = entity_type.navigation(first) else {
            return Err(ODataError::bad_request(format!(
                "Navigation property '{first}' not found in type '{}'",
                entity_type.name
            )));
        };
        let Some(target) = service.entity_set(navigation.target_set) else {
            return Err(ODataError::bad_request(format!(
                "Navigation property '{first}' has no target entity set"
            )));
        };
        let position = match self
            .expanded
            .iter()
            .position(|(existing, _)| existing.name == navigation.name)
        {
            Some(position) => position,
            None => {
                self.expanded.push((navigation, Shape::all(target)));
                self.expanded.len() - 1
            }
        };
        self.expanded[position].1.add_expand(service, rest)
    }

    fn add_select(&mut self, path: &[String]) -> Result<(), ODataError> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(());
        };
        let entity_type = self.set.entity_type;
        if rest.is_empty() {
            let selection = self.selection.get_or_insert_with(Selection::default);
            if first == "*" {
                selection.all_properties = true;
                return Ok(());
            }
            if let Some(index) = entity_type.property_index(first) {
                selection.properties.push(index);
                return Ok(());
            }
            if let Some(navigation) = entity_type.navigation(first) {
                selection.navigations.push(navigation.name);
                if let Some((_, child)) = self
                    .expanded
                    .iter_mut()
                    .find(|(nav, _)| nav.name == navigation.name)
                {
                    child.selection = None;
                    child.whole = true;
                }
                return Ok(());
            }
            return Err(ODataError::bad_request(format!(
                "Property '{first}' not found in type '{}'",
                entity_type.name
            )));
        }
        let Some(navigation) = entity_type.navigation(first) else {
            return Err(ODataError::bad_request(format!(
                "Navigation property '{first}' not found in type '{}'",
                entity_type.name
            )));
        };
        let Some((_, child)) = self
            .expanded
            .iter_mut()
            .find(|(nav, _)| nav.name == navigation.name)
        else {
            return Err(ODataError::bad_request(format!(
                "Invalid $select: navigation property '{first}' must also be in $expand"
            )));
        };
        if let Some(selection) = self.selection.as_mut()
            && !selection.navigations.contains(&navigation.name)
        {
            selection.navigations.push(navigation.name);
        }
        if child.whole {
            return Ok(());
        }
        if child.selection.is_none() {
            child.selection = Some(Selection::default());
        }
        child.add_select(rest)
    }

    fn includes_property(&self, index: usize) -> bool {
        match &self.selection {
            None => true,
            Some(selection) => selection.all_properties || selection.properties.contains(&index),
        }
    }

    fn includes_navigation(&self, name: &str) -> bool {
        match &self.selection {
            None => true,
            Some(selection) => {
                selection.navigations.contains(&name)
                    || self.expanded.iter().any(|(nav, _)| nav.name == name)
            }
        }
    }
}

/// An entity with the navigation targets its shape expands.
#[derive(Clone, Debug)]
pub(crate) struct Entity {
    pub(crate) row: Row,
    pub(crate) expanded: Vec<(&'static str, Expanded)>,
}

#[derive(Clone, Debug)]
pub(crate) enum Expanded {
    Many(Vec<Entity>),
    One(Option<Box<Entity>>),
}

/// Absolute URIs, the schema namespace and the ETag configuration, for `__metadata`.
#[derive(Clone, Debug)]
pub(crate) struct PayloadContext<'a> {
    /// `http://host:port/sap/opu/odata/sap/SERVICE/` (with the trailing slash).
    pub(crate) service_root: &'a str,
    pub(crate) namespace: &'a str,
    /// Sets with an ETag get `__metadata.etag`, expanded entities included.
    pub(crate) etags: &'a EtagConfig,
}

impl PayloadContext<'_> {
    pub(crate) fn entity_uri(&self, set: &EntitySet, row: &[Value]) -> String {
        format!(
            "{}{}{}",
            self.service_root,
            set.name,
            key_predicate(set.entity_type, row)
        )
    }
}

/// The key predicate of a row: `('4500000001')` or `(PurchaseOrder='…',PurchaseOrderItem='10')`.
pub(crate) fn key_predicate(entity_type: &EntityType, row: &[Value]) -> String {
    let indices = entity_type.key_indices();
    let literal = |index: usize| {
        let property = &entity_type.properties[index];
        key_literal(row.get(index).unwrap_or(&Value::Null), property.edm)
    };
    match indices.as_slice() {
        [single] => format!("({})", literal(*single)),
        _ => {
            let parts: Vec<String> = indices
                .iter()
                .map(|index| {
                    format!(
                        "{}={}",
                        entity_type.properties[*index].name,
                        literal(*index)
                    )
                })
                .collect();
            format!("({})", parts.join(","))
        }
    }
}

fn key_literal(value: &Value, edm: EdmType) -> String {
    let text = match value {
        Value::String(text) => format!("'{}'", text.replace('\'', "''")),
        Value::DateTime(ticks) => format!("datetime'{}'", format_iso_local(*ticks)),
        Value::DateTimeOffset(ticks) => format!("datetimeoffset'{}Z'", format_iso_local(*ticks)),
        Value::Guid(id) => format!("guid'{id}'"),
        Value::Integer(number) if edm == EdmType::Int64 => format!("{number}L"),
        Value::Decimal(number) => format!("{number}M"),
        other => other.to_plain_text(),
    };
    utf8_percent_encode(&text, KEY_ESCAPE).to_string()
}

/// One entity as OData v2 JSON, following `shape`.
pub(crate) fn entity_json(context: &PayloadContext<'_>, shape: &Shape, entity: &Entity) -> Json {
    let set = shape.set;
    let entity_type = set.entity_type;
    let uri = context.entity_uri(set, &entity.row);
    let mut object = Json::object();
    let mut metadata = Json::object();
    metadata.push("id", Json::string(uri.clone()));
    metadata.push("uri", Json::string(uri.clone()));
    metadata.push(
        "type",
        Json::string(format!("{}.{}", context.namespace, entity_type.name)),
    );
    if let Some(etag) = context.etags.etag(set, &entity.row) {
        metadata.push("etag", Json::string(etag));
    }
    object.push("__metadata", metadata);
    for (index, property) in entity_type.properties.iter().enumerate() {
        if shape.includes_property(index) {
            let value = entity.row.get(index).unwrap_or(&Value::Null);
            object.push(property.name, value.to_json(property.edm));
        }
    }
    for navigation in entity_type.navigations {
        if !shape.includes_navigation(navigation.name) {
            continue;
        }
        let expansion = shape
            .expanded
            .iter()
            .find(|(nav, _)| nav.name == navigation.name)
            .and_then(|(_, child)| {
                entity
                    .expanded
                    .iter()
                    .find(|(name, _)| *name == navigation.name)
                    .map(|(_, expanded)| (child, expanded))
            });
        let value = match expansion {
            Some((child, Expanded::Many(entities))) => {
                let mut results = Json::object();
                results.push(
                    "results",
                    Json::Array(
                        entities
                            .iter()
                            .map(|e| entity_json(context, child, e))
                            .collect(),
                    ),
                );
                results
            }
            Some((child, Expanded::One(Some(target)))) => entity_json(context, child, target),
            Some((_, Expanded::One(None))) => Json::Null,
            None => {
                let mut uri_object = Json::object();
                uri_object.push("uri", Json::string(format!("{uri}/{}", navigation.name)));
                let mut deferred = Json::object();
                deferred.push("__deferred", uri_object);
                deferred
            }
        };
        object.push(navigation.name, value);
    }
    object
}

/// `{"d":{"results":[..],"__count":"n","__next":"…"}}`.
pub(crate) fn collection_json(
    context: &PayloadContext<'_>,
    shape: &Shape,
    entities: &[Entity],
    count: Option<u64>,
    next: Option<String>,
) -> Json {
    let mut d = Json::object();
    d.push(
        "results",
        Json::Array(
            entities
                .iter()
                .map(|e| entity_json(context, shape, e))
                .collect(),
        ),
    );
    if let Some(count) = count {
        d.push("__count", Json::string(count.to_string()));
    }
    if let Some(next) = next {
        d.push("__next", Json::string(next));
    }
    wrap_d(d)
}

/// `{"d": …}`.
pub(crate) fn wrap_d(inner: Json) -> Json {
    let mut root = Json::object();
    root.push("d", inner);
    root
}

/// The service document: `{"d":{"EntitySets":[..]}}`.
pub(crate) fn service_document(service: &ServiceDef) -> Json {
    let mut d = Json::object();
    d.push(
        "EntitySets",
        Json::Array(
            service
                .entity_sets
                .iter()
                .map(|set| Json::string(set.name))
                .collect(),
        ),
    );
    wrap_d(d)
}
