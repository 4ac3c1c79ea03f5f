//! `oslc.select` / `oslc.properties` / the `properties` header (reference §1.4): a small
//! recursive parser for `a,b,child{x,y},child{*},rel.attr,attr--alias,*`, and its resolution
//! against an object structure into a [`Projection`].
//!
//! Names the object structure does not know are left out of the answer, as Maximo does for
//! attributes that are not in the structure; `rel.<relation>{…}` (1:n relationships),
//! `exp.<formula>` and `_dbcount` aggregates are not emulated and are left out the same way.

use super::error::MaximoError;
use super::schema::{Mbo, OsDef, Relation};

/// One item of a select list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SelectItem {
    Star,
    Attr {
        name: String,
        alias: Option<String>,
    },
    /// `child{…}` or `rel.name{…}`.
    Nested {
        path: Vec<String>,
        items: Vec<SelectItem>,
    },
    /// `relation.attr` (1:1 relationship).
    Path(Vec<String>),
}

struct Cursor<'a> {
    chars: Vec<char>,
    position: usize,
    text: &'a str,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.position += 1;
        }
    }

    fn error(&self) -> MaximoError {
        let found = self
            .peek()
            .map_or_else(|| String::from("<EOF>"), |c| c.to_string());
        MaximoError::syntax(format!(
            "Encountered \"{found}\" at column {} of the select clause {:?}.",
            self.position + 1,
            self.text
        ))
    }

    fn name(&mut self) -> Result<String, MaximoError> {
        self.skip_spaces();
        let start = self.position;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            self.position += 1;
        }
        if start == self.position {
            return Err(self.error());
        }
        Ok(self.chars[start..self.position]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase())
    }

    fn list(&mut self, depth: usize) -> Result<Vec<SelectItem>, MaximoError> {
        if depth > 8 {
            return Err(self.error());
        }
        let mut items = vec![self.item(depth)?];
        loop {
            self.skip_spaces();
            if self.peek() != Some(',') {
                return Ok(items);
            }
            self.position += 1;
            items.push(self.item(depth)?);
        }
    }

    fn item(&mut self, depth: usize) -> Result<SelectItem, MaximoError> {
        self.skip_spaces();
        if self.peek() == Some('*') {
            self.position += 1;
            return Ok(SelectItem::Star);
        }
        let mut path = vec![self.name()?];
        while self.peek() == Some('.') {
            self.position += 1;
            path.push(self.name()?);
        }
        self.skip_spaces();
        if self.peek() == Some('{') {
            self.position += 1;
            let items = self.list(depth + 1)?;
            self.skip_spaces();
            if self.peek() != Some('}') {
                return Err(self.error());
            }
            self.position += 1;
            return Ok(SelectItem::Nested { path, items });
        }
        if path.len() > 1 {
            return Ok(SelectItem::Path(path));
        }
        let mut alias = None;
        if self.chars.get(self.position..self.position + 2) == Some(&['-', '-']) {
            self.position += 2;
            alias = Some(self.name()?);
        }
        let name = path.pop().unwrap_or_default();
        Ok(SelectItem::Attr { name, alias })
    }
}

/// Parses a select list; empty text is an empty list.
pub(crate) fn parse(text: &str) -> Result<Vec<SelectItem>, MaximoError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut cursor = Cursor {
        chars: text.chars().collect(),
        position: 0,
        text,
    };
    let items = cursor.list(0)?;
    cursor.skip_spaces();
    if cursor.peek().is_some() {
        return Err(cursor.error());
    }
    Ok(items)
}

/// What to render of a record (and, recursively, of its children).
#[derive(Clone, Debug, Default)]
pub(crate) struct Projection {
    /// Attribute indices with their output names, in select order.
    pub(crate) attrs: Vec<(usize, String)>,
    /// Child collections by index, with what to render of each child.
    pub(crate) children: Vec<(usize, Projection)>,
    /// `relation.attr` items: rendered as `{"relation": {"attr": …}}`.
    pub(crate) related: Vec<(&'static Relation, usize)>,
}

impl Projection {
    /// Everything: all attributes and every child with all of its attributes.
    pub(crate) fn everything(mbo: &'static Mbo) -> Projection {
        Projection {
            attrs: mbo
                .attrs
                .iter()
                .enumerate()
                .map(|(index, attr)| (index, attr.name.to_owned()))
                .collect(),
            children: mbo
                .children
                .iter()
                .enumerate()
                .map(|(index, child)| (index, Projection::everything(child.mbo)))
                .collect(),
            related: Vec::new(),
        }
    }

    /// Resolves `items` for the main object of `os`.
    pub(crate) fn resolve(items: &[SelectItem], os: &OsDef) -> Projection {
        Projection::for_mbo(items, os.mbo, Some(os))
    }

    fn for_mbo(items: &[SelectItem], mbo: &'static Mbo, os: Option<&OsDef>) -> Projection {
        let mut projection = Projection::default();
        let push_attr = |projection: &mut Projection, index: usize, name: String| {
            if !projection
                .attrs
                .iter()
                .any(|(i, n)| *i == index && *n == name)
            {
                projection.attrs.push((index, name));
            }
        };
        for item in items {
            match item {
                SelectItem::Star => {
                    for (index, attr) in mbo.attrs.iter().enumerate() {
                        push_attr(&mut projection, index, attr.name.to_owned());
                    }
                }
                SelectItem::Attr { name, alias } => {
                    if let Some(index) = mbo.attr(name) {
                        push_attr(
                            &mut projection,
                            index,
                            alias
                                .clone()
                                .unwrap_or_else(|| mbo.attrs[index].name.to_owned()),
                        );
                    }
                }
                SelectItem::Nested { path, items } => {
                    if let [name] = path.as_slice()
                        && let Some(child) = mbo.child(name)
                    {
                        let inner = Projection::for_mbo(items, mbo.children[child].mbo, None);
                        projection.children.retain(|(index, _)| *index != child);
                        projection.children.push((child, inner));
                    }
                }
                SelectItem::Path(path) => {
                    if let ([relation, attr], Some(os)) = (path.as_slice(), os)
                        && let Some(relation) = os.relation(relation)
                        && let Some(index) = relation.target.attr(attr)
                        && !projection
                            .related
                            .iter()
                            .any(|(r, i)| r.name == relation.name && *i == index)
                    {
                        projection.related.push((relation, index));
                    }
                }
            }
        }
        projection
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.attrs.is_empty() && self.children.is_empty() && self.related.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maximo::schema::{MXAPIWODETAIL, wo};

    #[test]
    fn parses_reference_forms() {
        let items = parse("wonum, status,woactivity{taskid,status},wostatus{*},location.description,description--desc,exp.x,rel.openwo{wonum},*")
            .expect("parses");
        assert_eq!(items.len(), 9);
        assert_eq!(
            items[5],
            SelectItem::Attr {
                name: String::from("description"),
                alias: Some(String::from("desc"))
            }
        );
        let projection = Projection::resolve(&items, &MXAPIWODETAIL);
        assert_eq!(projection.attrs[0], (wo::WONUM, String::from("wonum")));
        assert!(
            projection
                .attrs
                .contains(&(wo::DESCRIPTION, String::from("desc")))
        );
        assert_eq!(projection.children.len(), 2);
        assert_eq!(projection.related.len(), 1);
        for bad in ["a,", "a{b", "{", "a..b", "a b"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse(" ").expect("empty"), Vec::new());
    }
}
