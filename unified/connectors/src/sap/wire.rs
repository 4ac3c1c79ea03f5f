//! The native OData v2 JSON shapes of SAP Gateway, as serde types.
//!
//! SAP prints values its own way, and these types read (and, for creates, write) exactly that:
//! - `Edm.DateTime` is `"/Date(<ms since epoch, UTC>)/"`, `Edm.DateTimeOffset` is
//!   `"/Date(<ms>+0000)/"`. On the wire the slashes are escaped (`"\/Date(…)\/"`); serde_json
//!   unescapes them, and [`ODataDate`] accepts a leftover backslash as well. Empty dates are `null`.
//! - `Edm.Decimal` is a JSON string (`"52.65"`, `"3.000"`), read into an exact [`Decimal`]. A JSON
//!   number there is refused: SAP never sends one, so it means we are not talking to SAP Gateway.
//! - A navigation property is `{"results":[…]}` when expanded, `{"__deferred":{…}}` when not, and a
//!   plain array in a deep-insert body ([`Navigation`]).
//!
//! Everything else SAP sends (about 120 item properties) is ignored here and kept in the record's
//! `raw` payload. Every field is optional at this level; the mapping decides which ones a record
//! cannot do without, so that its error names the field.

use crate::native::kind;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// An `Edm.DateTime` or `Edm.DateTimeOffset` value in SAP's v2 JSON form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ODataDate(pub(crate) DateTime<Utc>);

impl ODataDate {
    /// A calendar date as SAP stores date-only fields: midnight UTC.
    pub(crate) fn from_date(date: NaiveDate) -> Self {
        ODataDate(date.and_time(chrono::NaiveTime::MIN).and_utc())
    }

    /// Reads `/Date(ms)/` or `/Date(ms±hhmm)/`, with or without escaped slashes. The
    /// milliseconds are UTC in both forms; the offset only says which zone the value was entered
    /// in, so it is checked for shape and otherwise ignored.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let inner = text
            .strip_prefix("\\/")
            .or_else(|| text.strip_prefix('/'))?;
        let inner = inner
            .strip_suffix("\\/")
            .or_else(|| inner.strip_suffix('/'))?;
        let inner = inner.strip_prefix("Date(")?.strip_suffix(')')?;
        // The offset sign is the first `+` or `-` after the first character (which may be the
        // sign of a date before 1970).
        let split = inner
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '+' || c == '-')
            .map(|(i, _)| i);
        let millis = match split {
            Some(i) => {
                let offset = &inner[i + 1..];
                if offset.len() != 4 || !offset.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                &inner[..i]
            }
            None => inner,
        };
        let millis: i64 = millis.parse().ok()?;
        DateTime::from_timestamp_millis(millis).map(ODataDate)
    }

    /// The `/Date(ms)/` form SAP accepts in request bodies.
    pub(crate) fn to_wire(self) -> String {
        format!("/Date({})/", self.0.timestamp_millis())
    }
}

impl Serialize for ODataDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for ODataDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl Visitor<'_> for DateVisitor {
            type Value = ODataDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OData v2 date such as \"/Date(1714694400000)/\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ODataDate, E> {
                ODataDate::parse(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(DateVisitor)
    }
}

/// An `Edm.Decimal`, which SAP sends as a JSON string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EdmDecimal(pub(crate) Decimal);

impl Serialize for EdmDecimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for EdmDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DecimalVisitor;
        impl Visitor<'_> for DecimalVisitor {
            type Value = EdmDecimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OData v2 decimal string such as \"52.65\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EdmDecimal, E> {
                Decimal::from_str(v.trim())
                    .map(EdmDecimal)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(DecimalVisitor)
    }
}

/// A navigation property: expanded (`{"results":[…]}` on reads, a bare array in deep inserts)
/// or deferred (`{"__deferred":{"uri":…}}`, or `null`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Navigation<T> {
    Deferred,
    Expanded(Vec<T>),
}

impl<T> Navigation<T> {
    /// The expanded entries; `None` when the property was not expanded.
    pub(crate) fn expanded(&self) -> Option<&[T]> {
        match self {
            Navigation::Expanded(items) => Some(items),
            Navigation::Deferred => None,
        }
    }
}

impl<T: Serialize> Serialize for Navigation<T> {
    /// Deep-insert bodies carry the bare array, the form SAP documents for creates.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Navigation::Expanded(items) => items.serialize(s),
            Navigation::Deferred => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Navigation<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NavigationVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for NavigationVisitor<T> {
            type Value = Navigation<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an expanded navigation ({\"results\":[…]} or […]) or {\"__deferred\":…}",
                )
            }
            fn visit_unit<E: de::Error>(self) -> Result<Navigation<T>, E> {
                Ok(Navigation::Deferred)
            }
            fn visit_none<E: de::Error>(self) -> Result<Navigation<T>, E> {
                Ok(Navigation::Deferred)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Navigation<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Navigation::Expanded(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Navigation<T>, A::Error> {
                let mut results = None;
                let mut deferred = false;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "results" => results = Some(map.next_value::<Vec<T>>()?),
                        "__deferred" => {
                            map.next_value::<IgnoredAny>()?;
                            deferred = true;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match results {
                    Some(items) => Ok(Navigation::Expanded(items)),
                    None if deferred => Ok(Navigation::Deferred),
                    None => Err(de::Error::missing_field("results")),
                }
            }
        }
        d.deserialize_any(NavigationVisitor(PhantomData))
    }
}

/// `A_PurchaseOrderType` of `API_PURCHASEORDER_PROCESS_SRV`: the header fields the mapping and the
/// create payload use. Read-only fields (`CreationDate`, `LastChangeDateTime`, …) are never sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PurchaseOrder {
    /// The key, String(10); assigned by SAP on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) company_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchasing_organization: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchasing_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) supplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) document_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) payment_terms: Option<String>,
    /// The business date of the order (`Edm.DateTime`, date only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order_date: Option<ODataDate>,
    #[serde(default, skip_serializing)]
    pub(crate) creation_date: Option<ODataDate>,
    /// The change stamp every incremental read filters and orders on (`Edm.DateTimeOffset`).
    #[serde(default, skip_serializing)]
    pub(crate) last_change_date_time: Option<ODataDate>,
    /// Non-empty when the document is deleted (`L`) or blocked.
    #[serde(default, skip_serializing)]
    pub(crate) purchasing_document_deletion_code: Option<String>,
    /// True while the release (approval) strategy has not released the document.
    #[serde(default, skip_serializing)]
    pub(crate) release_is_not_completed: Option<bool>,
    #[serde(
        rename = "to_PurchaseOrderItem",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) items: Option<Navigation<PurchaseOrderItem>>,
}

/// `A_PurchaseOrderItemType`: one line of a purchase order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PurchaseOrderItem {
    /// NUMC(5), printed without leading zeros: `"10"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order_item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) material: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order_item_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) plant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) order_quantity: Option<EdmDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) purchase_order_quantity_unit: Option<String>,
    /// Net price for `NetPriceQuantity` units, in the document currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) net_price_amount: Option<EdmDecimal>,
    /// The price unit: how many units `NetPriceAmount` is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) net_price_quantity: Option<EdmDecimal>,
    #[serde(default, skip_serializing)]
    pub(crate) is_completely_delivered: Option<bool>,
    #[serde(default, skip_serializing)]
    pub(crate) is_finally_invoiced: Option<bool>,
    #[serde(default, skip_serializing)]
    pub(crate) purchasing_document_deletion_code: Option<String>,
    #[serde(
        rename = "to_ScheduleLine",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) schedule_lines: Option<Navigation<PurchaseOrderScheduleLine>>,
}

/// `A_PurchaseOrderScheduleLineType`: when (and how much of) an item is to be delivered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PurchaseOrderScheduleLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schedule_line_delivery_date: Option<ODataDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schedule_line_order_quantity: Option<EdmDecimal>,
}

/// The body of a collection read: `d` holds `results`, `__count` (a string, with
/// `$inlinecount=allpages`) and `__next` (when the server cut the page short).
#[derive(Debug)]
pub(crate) struct Collection {
    pub(crate) results: Vec<Value>,
    pub(crate) count: Option<u64>,
    pub(crate) next: Option<String>,
}

impl Collection {
    /// Reads the `d` of a collection response. Also takes the OData v1 form, where `d` is the
    /// array itself, which older Gateway releases send for `DataServiceVersion: 1.0` clients.
    pub(crate) fn from_d(d: Value) -> Result<Collection, String> {
        match d {
            Value::Array(results) => Ok(Collection {
                results,
                count: None,
                next: None,
            }),
            Value::Object(mut object) => {
                let results = match object.remove("results") {
                    Some(Value::Array(results)) => results,
                    Some(other) => {
                        return Err(format!("`d.results` is {}, not an array", kind(&other)));
                    }
                    None => return Err("`d` has no `results`".into()),
                };
                let count = match object.remove("__count") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(
                        s.trim()
                            .parse::<u64>()
                            .map_err(|_| format!("`d.__count` is {s:?}, not a count"))?,
                    ),
                    Some(Value::Number(n)) => Some(
                        n.as_u64()
                            .ok_or_else(|| format!("`d.__count` is {n}, not a count"))?,
                    ),
                    Some(other) => {
                        return Err(format!("`d.__count` is {}, not a count", kind(&other)));
                    }
                };
                let next = match object.remove("__next") {
                    Some(Value::String(s)) if !s.is_empty() => Some(s),
                    _ => None,
                };
                Ok(Collection {
                    results,
                    count,
                    next,
                })
            }
            other => Err(format!("`d` is {}, not a collection", kind(&other))),
        }
    }
}

/// What SAP (or a proxy in front of it) said in an error body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NativeError {
    /// The T100 message (`06/027`), the Gateway exception, or the OAuth/Apigee error code.
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    /// Codes of `innererror.errordetails` (v2) or `details` (v4), which may name the real cause
    /// (a lock) behind a generic top-level message.
    pub(crate) detail_codes: Vec<String>,
}

impl NativeError {
    /// Reads any error body SAP's stack produces: the Gateway v2 JSON (`message` as
    /// `{lang,value}`), the v4 JSON (`message` as a string), an OAuth token endpoint error
    /// (`error` as a string), an API Management fault, the Gateway XML error, or plain text and
    /// HTML (the 401 logon page, the 403 CSRF refusal).
    pub(crate) fn parse(body: &[u8]) -> NativeError {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(object)) => Self::from_json(&object),
            _ => Self::from_text(&String::from_utf8_lossy(body)),
        }
    }

    fn from_json(object: &serde_json::Map<String, Value>) -> NativeError {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        if let Some(error) = object.get("error") {
            if let Some(code) = error.as_str() {
                // RFC 6749 token endpoint error.
                return NativeError {
                    code: Some(code.to_owned()),
                    message: text(object.get("error_description")),
                    detail_codes: Vec::new(),
                };
            }
            let message = match error.get("message") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(m) => text(m.get("value")),
                None => None,
            };
            let details = error
                .pointer("/innererror/errordetails")
                .or_else(|| error.get("details"))
                .and_then(Value::as_array);
            let detail_codes = details
                .into_iter()
                .flatten()
                .filter_map(|d| text(d.get("code")))
                .collect();
            return NativeError {
                code: text(error.get("code")),
                message,
                detail_codes,
            };
        }
        if let Some(fault) = object.get("fault") {
            return NativeError {
                code: text(fault.pointer("/detail/errorcode")),
                message: text(fault.get("faultstring")),
                detail_codes: Vec::new(),
            };
        }
        NativeError::default()
    }

    fn from_text(body: &str) -> NativeError {
        if body.contains('<') {
            // The Gateway's XML error carries code and message elements; an HTML page does not.
            let code = xml_element(body, "code");
            let message = xml_element(body, "message");
            if code.is_some() || message.is_some() {
                return NativeError {
                    code,
                    message,
                    detail_codes: Vec::new(),
                };
            }
            let title = xml_element(body, "title");
            let text = collapse(&strip_tags(body));
            return NativeError {
                code: None,
                message: title.or(text),
                detail_codes: Vec::new(),
            };
        }
        NativeError {
            code: None,
            message: collapse(body),
            detail_codes: Vec::new(),
        }
    }
}

/// The text of the first `<name …>…</name>` element, tags inside removed.
fn xml_element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = body[from..].find(&open) {
        let start = from + at + open.len();
        // `<code>` or `<code attr=…>`, but not `<codes>`.
        let rest = &body[start..];
        if rest.starts_with('>') || rest.starts_with(char::is_whitespace) {
            let content_start = start + rest.find('>')? + 1;
            let close = format!("</{name}>");
            let end = content_start + body[content_start..].find(&close)?;
            return collapse(&strip_tags(&body[content_start..end]));
        }
        from = start;
    }
    None
}

fn strip_tags(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Whitespace collapsed and the text cut to a length fit for an error message.
fn collapse(text: &str) -> Option<String> {
    const LIMIT: usize = 300;
    let mut words = text.split_whitespace();
    let first = words.next()?;
    let mut line = first.to_owned();
    for word in words {
        if line.len() >= LIMIT {
            break;
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.len() > LIMIT {
        let cut = (0..=LIMIT)
            .rev()
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(0);
        line.truncate(cut);
        line.push('…');
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_in_every_form_sap_prints() {
        let ms = 1_472_796_947_125_i64;
        let expected = DateTime::from_timestamp_millis(ms).unwrap();
        for text in [
            "/Date(1472796947125)/",
            "/Date(1472796947125+0000)/",
            "\\/Date(1472796947125+0000)\\/",
            "/Date(1472796947125-0300)/",
        ] {
            assert_eq!(ODataDate::parse(text), Some(ODataDate(expected)), "{text}");
        }
        assert_eq!(
            ODataDate::parse("/Date(-86400000)/").map(|d| d.0.to_rfc3339()),
            Some("1969-12-31T00:00:00+00:00".into())
        );
        // The escaped form as it arrives in a JSON document.
        let escaped: ODataDate = serde_json::from_str(r#""\/Date(1473638400000)\/""#).unwrap();
        assert_eq!(escaped.0.to_rfc3339(), "2016-09-12T00:00:00+00:00");
        for bad in [
            "",
            "2024-01-31T00:00:00Z",
            "/Date()/",
            "/Date(12+00)/",
            "/Date(abc)/",
            "Date(1)",
            "/Date(99999999999999999999)/",
            "/Date(9223372036854775807)/",
        ] {
            assert_eq!(ODataDate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimals_are_strings() {
        let d: EdmDecimal = serde_json::from_value(json!("52.650")).unwrap();
        assert_eq!(d.0.to_string(), "52.650");
        assert!(serde_json::from_value::<EdmDecimal>(json!(52.65)).is_err());
        assert!(serde_json::from_value::<EdmDecimal>(json!("1,5")).is_err());
        assert_eq!(serde_json::to_value(d).unwrap(), json!("52.650"));
    }

    #[test]
    fn navigation_in_all_three_forms() {
        type Items = Navigation<PurchaseOrderScheduleLine>;
        let results: Items = serde_json::from_value(json!({"results": [{}]})).unwrap();
        assert_eq!(results.expanded().map(<[_]>::len), Some(1));
        let array: Items = serde_json::from_value(json!([{}, {}])).unwrap();
        assert_eq!(array.expanded().map(<[_]>::len), Some(2));
        let deferred: Items =
            serde_json::from_value(json!({"__deferred": {"uri": "https://x/y"}})).unwrap();
        assert_eq!(deferred, Navigation::Deferred);
        assert!(serde_json::from_value::<Items>(json!({"uri": "x"})).is_err());
    }

    #[test]
    fn error_bodies_of_every_kind() {
        let v2 = json!({"error": {"code": "06/027",
            "message": {"lang": "en", "value": "Supplier 9 has not been created"},
            "innererror": {"errordetails": [{"code": "06/001"}, {"code": "/IWBEP/CX_MGW_BUSI_EXCEPTION"}]}}});
        let e = NativeError::parse(v2.to_string().as_bytes());
        assert_eq!(e.code.as_deref(), Some("06/027"));
        assert_eq!(
            e.message.as_deref(),
            Some("Supplier 9 has not been created")
        );
        assert_eq!(e.detail_codes, ["06/001", "/IWBEP/CX_MGW_BUSI_EXCEPTION"]);

        let v4 = json!({"error": {"code": "M7/502", "message": "Base date is earlier"}});
        let e = NativeError::parse(v4.to_string().as_bytes());
        assert_eq!(e.message.as_deref(), Some("Base date is earlier"));

        let oauth = json!({"error": "invalid_client", "error_description": "Bad client"});
        let e = NativeError::parse(oauth.to_string().as_bytes());
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("invalid_client"), Some("Bad client"))
        );

        let html = "<html><head><title>Logon Error Message</title></head><body><p>Logon failed</p></body></html>";
        assert_eq!(
            NativeError::parse(html.as_bytes()).message.as_deref(),
            Some("Logon Error Message")
        );
        let xml = r#"<?xml version="1.0"?><error xmlns="x"><code>SY/530</code><message xml:lang="en">Dump</message></error>"#;
        let e = NativeError::parse(xml.as_bytes());
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("SY/530"), Some("Dump"))
        );
        let text = NativeError::parse(b"CSRF token validation failed");
        assert_eq!(
            text.message.as_deref(),
            Some("CSRF token validation failed")
        );
        assert_eq!(NativeError::parse(b""), NativeError::default());
        let long = "é".repeat(1000);
        let cut = NativeError::parse(long.as_bytes()).message.unwrap();
        assert!(cut.len() <= 304, "{}", cut.len());
    }

    #[test]
    fn collections_with_count_and_next() {
        let c = Collection::from_d(json!({"results": [{}], "__count": "6494",
            "__next": "https://x/A_PurchaseOrder?$skiptoken=1"}))
        .unwrap();
        assert_eq!((c.results.len(), c.count), (1, Some(6494)));
        assert!(c.next.is_some());
        assert!(Collection::from_d(json!({"results": {}})).is_err());
        assert!(Collection::from_d(json!({"results": [], "__count": "many"})).is_err());
        assert_eq!(Collection::from_d(json!([])).unwrap().results.len(), 0);
    }
}
