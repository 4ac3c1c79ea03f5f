//! Reference data NetSuite writes need as internal ids, which the canonical model carries as
//! codes or names: currencies (ISO 4217 in the model, a `currency` record in NetSuite), payment
//! terms (a name such as `Net 30`, a `term` record) and the default subsidiary of new vendors.
//!
//! NetSuite prints these as references (`{"id": "1", "refName": "US Dollar"}`); the currency's
//! ISO code is not in the reference, only its name. So:
//! - reading: a currency reference is an ISO code when its name is one (`USD`) or a currency
//!   name NetSuite ships (`US Dollar`, `Euro`, `British pound`, … see [`currency_code`]);
//!   otherwise the name is kept as it is;
//! - writing: the ids are learned from every record the connector reads (the currency, terms and
//!   subsidiary references of purchase orders and vendors, a vendor's `currencyList`), and the
//!   connection setting `currencies` (`{"EUR": "4"}`) fixes them where NetSuite's names would not
//!   say. When nothing is known yet, the writes read what they need first (the vendor of a new
//!   purchase order, a few vendors for a new vendor).
//!
//! The book is behind a `std` mutex that is never held across an `.await`.

use super::wire::Ref;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Currency names NetSuite ships (its currency list, plus the variants seen in accounts), lower
/// case, with their ISO 4217 codes.
const CURRENCY_NAMES: &[(&str, &str)] = &[
    ("us dollar", "USD"),
    ("u.s. dollar", "USD"),
    ("usa", "USD"),
    ("euro", "EUR"),
    ("british pound", "GBP"),
    ("pound sterling", "GBP"),
    ("uk pound", "GBP"),
    ("canadian dollar", "CAD"),
    ("australian dollar", "AUD"),
    ("new zealand dollar", "NZD"),
    ("japanese yen", "JPY"),
    ("yen", "JPY"),
    ("swiss franc", "CHF"),
    ("chinese yuan", "CNY"),
    ("yuan renminbi", "CNY"),
    ("hong kong dollar", "HKD"),
    ("singapore dollar", "SGD"),
    ("indian rupee", "INR"),
    ("mexican peso", "MXN"),
    ("brazilian real", "BRL"),
    ("swedish krona", "SEK"),
    ("norwegian krone", "NOK"),
    ("danish krone", "DKK"),
    ("polish zloty", "PLN"),
    ("czech koruna", "CZK"),
    ("hungarian forint", "HUF"),
    ("south african rand", "ZAR"),
    ("south korean won", "KRW"),
    ("korean won", "KRW"),
    ("philippine peso", "PHP"),
    ("thai baht", "THB"),
    ("malaysian ringgit", "MYR"),
    ("indonesian rupiah", "IDR"),
    ("israeli new shekel", "ILS"),
    ("turkish lira", "TRY"),
    ("uae dirham", "AED"),
    ("saudi riyal", "SAR"),
];

fn is_iso_code(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())
}

/// The ISO 4217 code of a currency reference: its name when that is a code, the code of a
/// currency name NetSuite ships, otherwise `None`.
pub(crate) fn iso_of(reference: &Ref) -> Option<String> {
    let name = reference.name()?;
    if is_iso_code(name) {
        return Some(name.to_owned());
    }
    let lower = name.to_lowercase();
    CURRENCY_NAMES
        .iter()
        .find(|(n, _)| *n == lower)
        .map(|(_, code)| (*code).to_owned())
}

/// The currency of a record as the model carries it: the ISO code when it can be told, otherwise
/// NetSuite's name (or id) as it is.
pub(crate) fn currency_code(reference: &Ref) -> Option<String> {
    iso_of(reference).or_else(|| reference.name_or_id().map(str::to_owned))
}

#[derive(Default)]
struct Learned {
    /// ISO code → internal id, from references read.
    currencies: BTreeMap<String, String>,
    /// Lower-case name → internal id of payment terms.
    terms: BTreeMap<String, String>,
    /// Subsidiary id → how many records read belong to it.
    subsidiaries: BTreeMap<String, u64>,
}

/// What the connector has learned of an account's reference data.
pub(crate) struct References {
    /// From the `currencies` setting; these win over anything learned.
    fixed_currencies: BTreeMap<String, String>,
    learned: Mutex<Learned>,
}

impl References {
    pub(crate) fn new(fixed_currencies: BTreeMap<String, String>) -> References {
        References {
            fixed_currencies,
            learned: Mutex::new(Learned::default()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Learned) -> T) -> T {
        // A panic elsewhere while holding the lock leaves plain maps behind, still usable.
        let mut guard = match self.learned.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Takes note of the references of a native purchase order or vendor.
    pub(crate) fn learn(&self, raw: &Value) {
        let reference = |v: Option<&Value>| -> Option<Ref> {
            v.and_then(|v| serde_json::from_value::<Ref>(v.clone()).ok())
        };
        let mut currencies: Vec<Ref> = reference(raw.get("currency")).into_iter().collect();
        if let Some(items) = raw.pointer("/currencyList/items").and_then(Value::as_array) {
            currencies.extend(
                items
                    .iter()
                    .filter_map(|line| reference(line.get("currency"))),
            );
        }
        let terms = reference(raw.get("terms"));
        let subsidiary = reference(raw.get("subsidiary"));
        self.with(|l| {
            for c in &currencies {
                if let (Some(iso), Some(id)) = (iso_of(c), c.id()) {
                    l.currencies.entry(iso).or_insert_with(|| id.to_owned());
                }
            }
            if let Some(t) = &terms
                && let (Some(name), Some(id)) = (t.name(), t.id())
            {
                l.terms
                    .entry(name.to_lowercase())
                    .or_insert_with(|| id.to_owned());
            }
            if let Some(id) = subsidiary.as_ref().and_then(Ref::id) {
                *l.subsidiaries.entry(id.to_owned()).or_default() += 1;
            }
        });
    }

    /// The internal id of the currency with ISO code `iso`, when known.
    pub(crate) fn currency_id(&self, iso: &str) -> Option<String> {
        if let Some(id) = self.fixed_currencies.get(iso) {
            return Some(id.clone());
        }
        self.with(|l| l.currencies.get(iso).cloned())
    }

    /// The ISO codes whose ids are known, for messages.
    pub(crate) fn known_currencies(&self) -> Vec<String> {
        let mut known: Vec<String> = self.fixed_currencies.keys().cloned().collect();
        known.extend(self.with(|l| l.currencies.keys().cloned().collect::<Vec<_>>()));
        known.sort();
        known.dedup();
        known
    }

    /// The internal id of the payment terms named `name` (case-insensitive), when known.
    pub(crate) fn terms_id(&self, name: &str) -> Option<String> {
        let lower = name.trim().to_lowercase();
        self.with(|l| l.terms.get(&lower).cloned())
    }

    /// The subsidiary most records read belong to (the lower id on a tie).
    pub(crate) fn usual_subsidiary(&self) -> Option<String> {
        self.with(|l| {
            l.subsidiaries
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(id, _)| id.clone())
        })
    }

    /// Whether any record has been learned from.
    pub(crate) fn is_empty(&self) -> bool {
        self.with(|l| l.currencies.is_empty() && l.subsidiaries.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(v: Value) -> Ref {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn currency_codes_from_names() {
        assert_eq!(
            currency_code(&r(json!({"id": "1", "refName": "US Dollar"}))).as_deref(),
            Some("USD")
        );
        assert_eq!(
            currency_code(&r(json!({"id": "4", "refName": "EUR"}))).as_deref(),
            Some("EUR")
        );
        assert_eq!(
            currency_code(&r(json!({"id": "2", "refName": "British pound"}))).as_deref(),
            Some("GBP")
        );
        assert_eq!(
            currency_code(&r(json!({"id": "9", "refName": "Gold ounces"}))).as_deref(),
            Some("Gold ounces")
        );
        assert_eq!(iso_of(&r(json!({"id": "9"}))), None);
        assert_eq!(currency_code(&r(json!({"id": "9"}))).as_deref(), Some("9"));
    }

    #[test]
    fn ids_are_learned_from_records_and_settings_win() {
        let book = References::new(BTreeMap::from([("EUR".to_owned(), "40".to_owned())]));
        assert!(book.is_empty());
        book.learn(&json!({
            "currency": {"id": "1", "refName": "US Dollar"},
            "terms": {"id": "2", "refName": "Net 30"},
            "subsidiary": {"id": "3"},
            "currencyList": {"items": [{"currency": {"id": "4", "refName": "Euro"}},
                                        {"currency": {"id": "2", "refName": "British pound"}}]}
        }));
        book.learn(&json!({"subsidiary": {"id": "1"}, "currency": "7"}));
        book.learn(&json!({"subsidiary": {"id": "1"}}));
        assert_eq!(book.currency_id("USD").as_deref(), Some("1"));
        assert_eq!(book.currency_id("GBP").as_deref(), Some("2"));
        assert_eq!(book.currency_id("EUR").as_deref(), Some("40"));
        assert_eq!(book.currency_id("CAD"), None);
        assert_eq!(book.known_currencies(), ["EUR", "GBP", "USD"]);
        assert_eq!(book.terms_id(" net 30").as_deref(), Some("2"));
        assert_eq!(book.usual_subsidiary().as_deref(), Some("1"));
        assert!(!book.is_empty());
    }
}
