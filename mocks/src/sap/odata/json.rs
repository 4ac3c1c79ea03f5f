//! A small ordered JSON tree and writer for OData responses.
//!
//! OData v2 payloads read best with `__metadata` first and properties in `$metadata` order, and
//! SAP Gateway escapes the slashes of `/Date(..)/` (`"\/Date(..)\/"`). The workspace keeps
//! `serde_json`'s maps sorted (snapshots rely on it), so responses are written by this writer.

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A number already in its JSON text form.
    Number(String),
    String(String),
    /// A `/Date(..)/` string, written with escaped slashes as SAP does.
    Date(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn object() -> Self {
        Json::Object(Vec::new())
    }

    /// Appends a member; a no-op on anything that is not an object.
    pub(crate) fn push(&mut self, key: impl Into<String>, value: Json) {
        if let Json::Object(members) = self {
            members.push((key.into(), value));
        }
    }

    pub(crate) fn string(text: impl Into<String>) -> Self {
        Json::String(text.into())
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(text) => out.push_str(text),
            Json::String(text) => write_string(out, text),
            Json::Date(text) => {
                let mut escaped = String::with_capacity(text.len() + 2);
                write_string(&mut escaped, text);
                out.push_str(&escaped.replace('/', "\\/"));
            }
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_with_escaped_slashes_and_parse_back() {
        let mut object = Json::object();
        object.push("At", Json::Date(String::from("/Date(1000+0000)/")));
        object.push("Text", Json::string("a \"quoted\"\n/path"));
        let text = object.render();
        assert_eq!(
            text,
            r#"{"At":"\/Date(1000+0000)\/","Text":"a \"quoted\"\n/path"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed["At"], "/Date(1000+0000)/");
    }
}
