//! Business partners: the supplier master as `API_BUSINESS_PARTNER` holds it.
//!
//! The base is the same [`SupplierMaster`] the purchase orders were generated against, so
//! every order's supplier is one of these partners (one source of truth): partner `i` is
//! supplier number `17300001 + i`, with its purchasing data for organisation 1710 taken from
//! the terms the orders copied. Partners are drawn on demand from `(seed, number)`; creates,
//! changes and churn go into an overlay keyed by number, so memory grows with writes only.
//!
//! Numbers are contiguous: base partners, then partners created later (by POST or churn),
//! each the next number. A partner's change stamp is its `LastChangeDate` + `LastChangeTime`
//! (second precision, UTC), bumped by any change to it or to its supplier data.

use std::collections::BTreeMap;

use rand::RngExt as _;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::masters::{INCOTERMS, PAYMENT_TERMS, Supplier, SupplierMaster};
use super::{
    COMPANY_CODE, CURRENCY, FIRST_SUPPLIER, PURCHASING_GROUPS, PURCHASING_ORGANIZATION, pick,
    record_rng, stream_key,
};
use crate::Profile;
use crate::sap::business_partner::schema::*;
use crate::sap::odata::engine::Row;
use crate::sap::odata::value::{TICKS_PER_SECOND, Ticks, Value};

/// The last number the supplier range can hold (ALPHA, ten digits).
const LAST_SUPPLIER: u64 = 9_999_999_999;
/// `9999-12-31T23:59:59Z`: SAP's open end of validity periods.
pub(crate) const END_OF_TIME: Ticks = Ticks(253_402_300_799 * TICKS_PER_SECOND);
/// The user master data is maintained by.
const MASTER_DATA_USER: &str = "MDM_ADMIN";
/// Supplier roles: financial accounting and purchasing.
pub(crate) const SUPPLIER_ROLES: [&str; 2] = ["FLVN00", "FLVN01"];

/// One business partner with everything hanging off it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Partner {
    pub(crate) partner: Row,
    pub(crate) addresses: Vec<Row>,
    pub(crate) roles: Vec<Row>,
    /// Present when the partner has a supplier role.
    pub(crate) supplier: Option<SupplierData>,
}

/// The supplier view of a partner.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SupplierData {
    pub(crate) supplier: Row,
    pub(crate) purchasing: Vec<Row>,
    pub(crate) companies: Vec<Row>,
}

/// What a purchase order takes over from its supplier's purchasing data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PurchasingTerms {
    pub(crate) payment_terms: String,
    pub(crate) incoterms: String,
    pub(crate) incoterms_location: String,
    pub(crate) sales_person: String,
    pub(crate) phone: String,
    /// A purchasing block, centrally or for the organisation.
    pub(crate) blocked: bool,
}

impl Partner {
    pub(crate) fn number(&self) -> u64 {
        self.partner[BP_PARTNER]
            .as_str()
            .and_then(|text| text.parse().ok())
            .unwrap_or(0)
    }

    /// `LastChangeDate` + `LastChangeTime`, read as UTC.
    pub(crate) fn last_change(&self) -> Ticks {
        let date = self.partner[BP_LAST_CHANGE_DATE]
            .as_ticks()
            .unwrap_or(Ticks(0));
        let time = self.partner[BP_LAST_CHANGE_TIME]
            .as_ticks()
            .unwrap_or(Ticks(0));
        Ticks(date.0 + time.0)
    }

    /// Stamps a change at `now` (whole seconds, as SAP keeps them) by `user`.
    pub(crate) fn stamp(&mut self, now: Ticks, user: &str) {
        let now = Ticks(now.0 - now.0.rem_euclid(TICKS_PER_SECOND));
        let day = now.start_of_day();
        self.partner[BP_LAST_CHANGE_DATE] = Value::DateTime(day);
        self.partner[BP_LAST_CHANGE_TIME] = Value::Time(Ticks(now.0 - day.0));
        self.partner[BP_LAST_CHANGED_BY] = Value::string(user.chars().take(12).collect::<String>());
    }

    /// Recomputes the names derived from the name fields, on the partner and its supplier.
    pub(crate) fn derive_names(&mut self) {
        let text = |row: &Row, index: usize| row[index].as_str().unwrap_or_default().to_owned();
        let category = text(&self.partner, BP_CATEGORY);
        let name = if category == "1" {
            [
                text(&self.partner, BP_FIRST_NAME),
                text(&self.partner, BP_LAST_NAME),
            ]
            .iter()
            .filter(|part| !part.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
        } else {
            [BP_NAME_1, BP_NAME_2]
                .iter()
                .map(|index| text(&self.partner, *index))
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let name: String = name.chars().take(81).collect();
        self.partner[BP_FULL_NAME] = Value::string(name.clone());
        self.partner[BP_NAME] = Value::string(name.clone());
        for address in &mut self.addresses {
            address[AD_FULL_NAME] = Value::string(name.chars().take(80).collect::<String>());
        }
        if let Some(supplier) = &mut self.supplier {
            supplier.supplier[SU_NAME] = Value::string(name.chars().take(80).collect::<String>());
            supplier.supplier[SU_FULL_NAME] = Value::string(name);
        }
    }

    /// The purchasing data for `organization`, if the supplier is set up there and neither it
    /// nor its organisation data is flagged for deletion.
    pub(crate) fn purchasing_terms(&self, organization: &str) -> Option<PurchasingTerms> {
        let supplier = self.supplier.as_ref()?;
        if supplier.supplier[SU_DELETION] == Value::Boolean(true) {
            return None;
        }
        let row = supplier
            .purchasing
            .iter()
            .find(|row| row[PO_ORGANIZATION].as_str() == Some(organization))?;
        if row[PO_DELETION] == Value::Boolean(true) {
            return None;
        }
        let text = |index: usize| row[index].as_str().unwrap_or_default().to_owned();
        Some(PurchasingTerms {
            payment_terms: text(PO_PAYMENT_TERMS),
            incoterms: text(PO_INCOTERMS),
            incoterms_location: text(PO_INCOTERMS_LOCATION),
            sales_person: text(PO_SALES_PERSON),
            phone: text(PO_PHONE),
            blocked: supplier.supplier[SU_PURCHASING_BLOCKED] == Value::Boolean(true)
                || row[PO_BLOCKED] == Value::Boolean(true)
                || self.partner[BP_BLOCKED] == Value::Boolean(true),
        })
    }
}

/// Parses a partner or supplier number as clients send it: unpadded or ALPHA-padded.
pub(crate) fn parse_partner_number(text: &str) -> Option<u64> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.len() > 10 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    trimmed.parse().ok()
}

/// The `AddressID` of partner `number`'s standard address.
pub(crate) fn address_id(number: u64) -> String {
    (30_000 + number.saturating_sub(FIRST_SUPPLIER)).to_string()
}

/// A time zone for a US state, for addresses.
fn time_zone(region: &str) -> &'static str {
    match region {
        "CA" | "NV" | "OR" => "PST",
        "AZ" | "CO" => "MST",
        "TX" | "IL" => "CST",
        _ => "EST",
    }
}

fn date(ticks: Ticks) -> Value {
    Value::DateTime(ticks.start_of_day())
}

fn time_of_day(ticks: Ticks) -> Value {
    Value::Time(Ticks(ticks.0 - ticks.start_of_day().0))
}

fn decimal(units: i64, scale: u32) -> Value {
    Value::Decimal(Decimal::new(units, scale))
}

/// An empty row of `width` columns with every string column empty (SAP returns `""`, not
/// `null`, for empty character fields) and every flag `false`.
fn blank_row(properties: &[crate::sap::odata::edm::Property]) -> Row {
    use crate::sap::odata::edm::EdmType;
    properties
        .iter()
        .map(|property| match property.edm {
            EdmType::String => Value::string(""),
            EdmType::Boolean => Value::Boolean(false),
            _ => Value::Null,
        })
        .collect()
}

pub(crate) fn blank_partner() -> Row {
    blank_row(&PARTNER_PROPERTIES)
}
pub(crate) fn blank_address() -> Row {
    blank_row(&ADDRESS_PROPERTIES)
}
pub(crate) fn blank_role() -> Row {
    blank_row(&ROLE_PROPERTIES)
}
pub(crate) fn blank_supplier() -> Row {
    blank_row(&SUPPLIER_PROPERTIES)
}
pub(crate) fn blank_purchasing() -> Row {
    blank_row(&PURCHASING_PROPERTIES)
}
pub(crate) fn blank_company() -> Row {
    blank_row(&COMPANY_PROPERTIES)
}

/// A role row valid from `from` on.
pub(crate) fn role_row(number: &str, role: &str, from: Ticks) -> Row {
    let mut row = blank_role();
    row[RO_PARTNER] = Value::string(number);
    row[RO_ROLE] = Value::string(role);
    row[RO_VALID_FROM] = Value::DateTimeOffset(from);
    row[RO_VALID_TO] = Value::DateTimeOffset(END_OF_TIME);
    row
}

/// The company code name SAP's US best-practice content gives company code 1710.
pub(crate) const COMPANY_CODE_NAME: &str = "Company Code 1710";

/// Builds a partner from a master supplier record and extra draws from `rng`.
fn draw_partner(supplier: &Supplier, rng: &mut ChaCha8Rng) -> Partner {
    let number = supplier.number.clone();
    let numeric = number.parse::<u64>().unwrap_or(FIRST_SUPPLIER);
    let created = supplier.created_at;
    let changed = supplier.changed_at;
    let search_term: String = supplier
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase()
        .chars()
        .take(20)
        .collect();
    let (house, street) = supplier
        .street
        .split_once(' ')
        .unwrap_or(("", supplier.street.as_str()));
    let ein = format!(
        "{:02}-{:07}",
        rng.random_range(10..99),
        rng.random_range(0..10_000_000)
    );
    let group_roll: f64 = rng.random();
    let purchasing_group = if group_roll < 0.5 {
        PURCHASING_GROUPS[0]
    } else if group_roll < 0.8 {
        PURCHASING_GROUPS[1]
    } else {
        PURCHASING_GROUPS[2]
    };
    let minimum = *pick(rng, &[0, 0, 100_000, 250_000, 500_000]);
    let gr_based = rng.random_bool(0.7);
    let delivery_days = rng.random_range(3..=30);
    let abc = *pick(rng, &["A", "B", "B", "C", "C", "C"]);

    let mut partner = blank_partner();
    partner[BP_PARTNER] = Value::string(number.clone());
    partner[BP_SUPPLIER] = Value::string(number.clone());
    partner[BP_CATEGORY] = Value::string("2");
    partner[BP_GROUPING] = Value::string("BP02");
    partner[BP_CORRESPONDENCE_LANGUAGE] = Value::string("EN");
    partner[BP_CREATED_BY] = Value::string(MASTER_DATA_USER);
    partner[BP_CREATION_DATE] = date(created);
    partner[BP_CREATION_TIME] = time_of_day(created);
    partner[BP_LANGUAGE] = Value::string("EN");
    partner[BP_LAST_CHANGE_DATE] = date(changed);
    partner[BP_LAST_CHANGE_TIME] = time_of_day(changed);
    partner[BP_LAST_CHANGED_BY] = Value::string(MASTER_DATA_USER);
    partner[BP_NAME_1] = Value::string(supplier.name.clone());
    partner[BP_SEARCH_TERM_1] = Value::string(search_term);

    let mut address = blank_address();
    address[AD_PARTNER] = Value::string(number.clone());
    address[AD_ADDRESS_ID] = Value::string(address_id(numeric));
    address[AD_VALID_FROM] = Value::DateTimeOffset(created);
    address[AD_VALID_TO] = Value::DateTimeOffset(END_OF_TIME);
    address[AD_CITY] = Value::string(supplier.terms.city);
    address[AD_COUNTRY] = Value::string("US");
    address[AD_HOUSE_NUMBER] = Value::string(house);
    address[AD_LANGUAGE] = Value::string("EN");
    address[AD_POSTAL_CODE] = Value::string(supplier.postal_code);
    address[AD_REGION] = Value::string(supplier.region);
    address[AD_STREET] = Value::string(street);
    address[AD_TIME_ZONE] = Value::string(time_zone(supplier.region));

    let mut supplier_row = blank_supplier();
    supplier_row[SU_SUPPLIER] = Value::string(number.clone());
    supplier_row[SU_CREATED_BY] = Value::string(MASTER_DATA_USER);
    supplier_row[SU_CREATION_DATE] = date(created);
    supplier_row[SU_ACCOUNT_GROUP] = Value::string("SUPL");
    supplier_row[SU_TAX_NUMBER_1] = Value::string(ein);

    let terms = &supplier.terms;
    let mut purchasing = blank_purchasing();
    purchasing[PO_SUPPLIER] = Value::string(number.clone());
    purchasing[PO_ORGANIZATION] = Value::string(PURCHASING_ORGANIZATION);
    purchasing[PO_SCHEMA_GROUP] = Value::string("01");
    purchasing[PO_INCOTERMS] = Value::string(terms.incoterms);
    purchasing[PO_INCOTERMS_TRANSFER] = Value::string(terms.city);
    purchasing[PO_INCOTERMS_LOCATION] = Value::string(terms.city);
    purchasing[PO_GR_BASED] = Value::Boolean(gr_based);
    purchasing[PO_DELIVERY_DAYS] = decimal(delivery_days, 0);
    purchasing[PO_MINIMUM_AMOUNT] = decimal(minimum, 3);
    purchasing[PO_PAYMENT_TERMS] = Value::string(terms.payment_terms.key);
    purchasing[PO_CURRENCY] = Value::string(CURRENCY);
    purchasing[PO_PURCHASING_GROUP] = Value::string(purchasing_group);
    purchasing[PO_PHONE] = Value::string(terms.phone.clone());
    purchasing[PO_SALES_PERSON] = Value::string(terms.sales_person.clone());
    purchasing[PO_ABC] = Value::string(abc);

    let mut company = blank_company();
    company[CO_SUPPLIER] = Value::string(number.clone());
    company[CO_COMPANY_CODE] = Value::string(COMPANY_CODE);
    company[CO_COMPANY_NAME] = Value::string(COMPANY_CODE_NAME);
    company[CO_PAYMENT_METHODS] = Value::string("CT");
    company[CO_PAYMENT_TERMS] = Value::string(terms.payment_terms.key);
    company[CO_RECONCILIATION] = Value::string("21100000");
    company[CO_ACCOUNT_GROUP] = Value::string("SUPL");

    let mut partner = Partner {
        partner,
        addresses: vec![address],
        roles: SUPPLIER_ROLES
            .iter()
            .map(|role| role_row(&number, role, created))
            .collect(),
        supplier: Some(SupplierData {
            supplier: supplier_row,
            purchasing: vec![purchasing],
            companies: vec![company],
        }),
    };
    partner.derive_names();
    partner
}

/// Why a churn request could not be served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PartnerChurnRefusal {
    NotEnoughSuppliers { requested: u64, available: u64 },
    NumberRangeExhausted,
}

/// All business partners: generated base plus overlay.
#[derive(Clone, Debug)]
pub(crate) struct PartnerBook {
    master: SupplierMaster,
    extra_key: [u8; 32],
    overlay: BTreeMap<u64, Partner>,
    /// Partners created after the base set.
    created: u64,
    churn_rounds: u64,
    churn_key: [u8; 32],
}

impl PartnerBook {
    pub(crate) fn new(seed: u64, profile: &Profile) -> Self {
        PartnerBook {
            master: SupplierMaster::new(seed, profile),
            extra_key: stream_key(seed, "business-partner"),
            overlay: BTreeMap::new(),
            created: 0,
            churn_rounds: 0,
            churn_key: stream_key(seed, "business-partner-churn"),
        }
    }

    /// One past the highest number in use.
    pub(crate) fn end_number(&self) -> u64 {
        FIRST_SUPPLIER + self.master.count() + self.created
    }

    /// All partners, base and created.
    pub(crate) fn len(&self) -> u64 {
        self.master.count() + self.created
    }

    /// Draws the next number of the internal range.
    pub(crate) fn allocate_number(&mut self) -> Option<u64> {
        let number = self.end_number();
        if number > LAST_SUPPLIER {
            return None;
        }
        self.created += 1;
        Some(number)
    }

    fn base_partner(&self, number: u64) -> Option<Partner> {
        let index = number.checked_sub(FIRST_SUPPLIER)?;
        if index >= self.master.count() {
            return None;
        }
        let supplier = self.master.supplier(index);
        let mut rng = record_rng(&self.extra_key, index);
        Some(draw_partner(&supplier, &mut rng))
    }

    pub(crate) fn partner(&self, number: u64) -> Option<Partner> {
        if let Some(partner) = self.overlay.get(&number) {
            return Some(partner.clone());
        }
        self.base_partner(number)
    }

    /// A partner by the number as a client writes it (padded or not).
    pub(crate) fn partner_by_text(&self, text: &str) -> Option<Partner> {
        self.partner(parse_partner_number(text)?)
    }

    pub(crate) fn store(&mut self, partner: Partner) {
        self.overlay.insert(partner.number(), partner);
    }

    /// Every number in use, ascending, from after `after` on.
    pub(crate) fn numbers_after(&self, after: Option<u64>) -> std::ops::Range<u64> {
        let start = after.map_or(FIRST_SUPPLIER, |number| {
            number.saturating_add(1).max(FIRST_SUPPLIER)
        });
        start..self.end_number().max(start)
    }

    /// The purchasing terms of `supplier` in `organization`, as purchase orders check them.
    pub(crate) fn purchasing_terms(
        &self,
        supplier: &str,
        organization: &str,
    ) -> Option<PurchasingTerms> {
        self.partner_by_text(supplier)?
            .purchasing_terms(organization)
    }

    /// `(supplier number, last change)` of every supplier, by number.
    pub(crate) fn supplier_changes(&self) -> Vec<(u64, Ticks)> {
        self.numbers_after(None)
            .filter_map(|number| self.partner(number))
            .filter(|partner| partner.supplier.is_some())
            .map(|partner| (partner.number(), partner.last_change()))
            .collect()
    }

    /// Changes `changed` suppliers and creates `created` new ones, all at `now`, chosen from the
    /// seed and the number of churn rounds before.
    pub(crate) fn churn(
        &mut self,
        changed: u64,
        created: u64,
        now: Ticks,
    ) -> Result<(Vec<u64>, Vec<u64>), PartnerChurnRefusal> {
        let total = self.len();
        if changed > total {
            return Err(PartnerChurnRefusal::NotEnoughSuppliers {
                requested: changed,
                available: total,
            });
        }
        if self.end_number().saturating_add(created) > LAST_SUPPLIER + 1 {
            return Err(PartnerChurnRefusal::NumberRangeExhausted);
        }
        let mut rng = record_rng(&self.churn_key, self.churn_rounds);
        self.churn_rounds += 1;
        let eligible = |book: &PartnerBook, number: u64| {
            book.partner(number).is_some_and(|partner| {
                partner.supplier.is_some() && partner.partner[BP_ARCHIVING] != Value::Boolean(true)
            })
        };
        let mut chosen: Vec<u64> = Vec::new();
        let mut attempts = 0_u64;
        while (chosen.len() as u64) < changed && attempts < changed.saturating_mul(20) + 100 {
            attempts += 1;
            let number = FIRST_SUPPLIER + rng.random_range(0..total);
            if !chosen.contains(&number) && eligible(self, number) {
                chosen.push(number);
            }
        }
        // A sequential sweep guarantees termination when random picks keep colliding.
        let mut sweep = FIRST_SUPPLIER;
        while (chosen.len() as u64) < changed && sweep < self.end_number() {
            if !chosen.contains(&sweep) && eligible(self, sweep) {
                chosen.push(sweep);
            }
            sweep += 1;
        }
        if (chosen.len() as u64) < changed {
            return Err(PartnerChurnRefusal::NotEnoughSuppliers {
                requested: changed,
                available: chosen.len() as u64,
            });
        }
        for number in &chosen {
            if let Some(mut partner) = self.partner(*number) {
                apply_churn_change(&mut rng, &mut partner);
                partner.stamp(now, MASTER_DATA_USER);
                self.store(partner);
            }
        }
        let mut new_numbers = Vec::new();
        for _ in 0..created {
            let Some(number) = self.allocate_number() else {
                return Err(PartnerChurnRefusal::NumberRangeExhausted);
            };
            // The master draws any index; beyond the base it is a fresh, deterministic supplier.
            let index = number - FIRST_SUPPLIER;
            let mut supplier = self.master.supplier(index);
            supplier.created_at = Ticks(now.0 - now.0.rem_euclid(TICKS_PER_SECOND));
            supplier.changed_at = supplier.created_at;
            let mut extra = record_rng(&self.extra_key, index);
            let partner = draw_partner(&supplier, &mut extra);
            self.store(partner);
            new_numbers.push(number);
        }
        chosen.sort_unstable();
        Ok((chosen, new_numbers))
    }
}

/// A master data change as purchasing makes them: terms, address, contact, name, incoterms.
fn apply_churn_change(rng: &mut ChaCha8Rng, partner: &mut Partner) {
    let roll: f64 = rng.random();
    let Some(supplier) = partner.supplier.as_mut() else {
        return;
    };
    if roll < 0.3 {
        let current = supplier
            .purchasing
            .first()
            .and_then(|row| row[PO_PAYMENT_TERMS].as_str())
            .unwrap_or_default()
            .to_owned();
        let others: Vec<&str> = PAYMENT_TERMS
            .iter()
            .map(|terms| terms.key)
            .filter(|key| *key != current)
            .collect();
        let next = *pick(rng, &others);
        for row in &mut supplier.purchasing {
            row[PO_PAYMENT_TERMS] = Value::string(next);
        }
        for row in &mut supplier.companies {
            row[CO_PAYMENT_TERMS] = Value::string(next);
        }
    } else if roll < 0.5 {
        let current = supplier
            .purchasing
            .first()
            .and_then(|row| row[PO_INCOTERMS].as_str())
            .unwrap_or_default()
            .to_owned();
        let others: Vec<&&str> = INCOTERMS.iter().filter(|t| **t != current).collect();
        let next = **pick(rng, &others);
        for row in &mut supplier.purchasing {
            row[PO_INCOTERMS] = Value::string(next);
        }
    } else if roll < 0.7 {
        let contact = format!(
            "{} {}",
            pick(
                rng,
                &["Avery", "Blake", "Drew", "Emerson", "Harper", "Quinn"]
            ),
            pick(rng, &["Adams", "Brooks", "Diaz", "Ellis", "Hughes", "Kim"])
        );
        for row in &mut supplier.purchasing {
            if row[PO_SALES_PERSON].as_str() == Some(contact.as_str()) {
                row[PO_SALES_PERSON] = Value::string(format!("{contact} Jr."));
            } else {
                row[PO_SALES_PERSON] = Value::string(contact.clone());
            }
        }
    } else if roll < 0.85 {
        let house = rng.random_range(10..9_990).to_string();
        for address in &mut partner.addresses {
            if address[AD_HOUSE_NUMBER].as_str() == Some(house.as_str()) {
                address[AD_HOUSE_NUMBER] = Value::string(format!("{house}A"));
            } else {
                address[AD_HOUSE_NUMBER] = Value::string(house.clone());
            }
        }
    } else {
        // A change of legal form shows in the name: "Inc." becomes "LLC" and so on.
        let name = partner.partner[BP_NAME_1]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (stem, suffix) = name.rsplit_once(' ').unwrap_or((name.as_str(), ""));
        let next = if suffix == "LLC" { "Inc." } else { "LLC" };
        partner.partner[BP_NAME_1] = Value::string(format!("{stem} {next}"));
        partner.derive_names();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Profile {
        Profile::builtin("tiny").expect("tiny")
    }

    #[test]
    fn base_partners_are_the_order_suppliers() {
        let book = PartnerBook::new(7, &tiny());
        let master = SupplierMaster::new(7, &tiny());
        assert_eq!(book.len(), master.count());
        let supplier = master.supplier(3);
        let partner = book
            .partner_by_text(&format!("00{}", supplier.number))
            .expect("exists");
        assert_eq!(
            partner.partner[BP_NAME_1],
            Value::string(supplier.name.clone())
        );
        assert_eq!(partner.last_change(), supplier.changed_at);
        let terms = partner
            .purchasing_terms(PURCHASING_ORGANIZATION)
            .expect("terms");
        assert_eq!(terms.payment_terms, supplier.terms.payment_terms.key);
        assert!(!terms.blocked);
        assert!(partner.purchasing_terms("1010").is_none());
        assert!(book.partner(FIRST_SUPPLIER + master.count()).is_none());
    }

    #[test]
    fn churn_changes_stamps_and_creates() {
        let mut book = PartnerBook::new(7, &tiny());
        let now = Ticks::from_datetime(tiny().clock_start);
        let before: Vec<Partner> = book
            .numbers_after(None)
            .filter_map(|n| book.partner(n))
            .collect();
        let (changed, created) = book.churn(5, 2, now).expect("churn");
        assert_eq!((changed.len(), created.len()), (5, 2));
        for number in changed.iter().chain(&created) {
            assert_eq!(book.partner(*number).expect("exists").last_change(), now);
        }
        for number in &changed {
            let old = before.iter().find(|p| p.number() == *number).expect("old");
            let new = book.partner(*number).expect("new");
            let mut restamped = new.clone();
            restamped.partner[BP_LAST_CHANGE_DATE] = old.partner[BP_LAST_CHANGE_DATE].clone();
            restamped.partner[BP_LAST_CHANGE_TIME] = old.partner[BP_LAST_CHANGE_TIME].clone();
            restamped.partner[BP_LAST_CHANGED_BY] = old.partner[BP_LAST_CHANGED_BY].clone();
            assert_ne!(
                &restamped, old,
                "supplier {number} changed more than its stamp"
            );
        }
        assert_eq!(created[0], FIRST_SUPPLIER + 40);
        assert!(book.churn(1_000, 0, now).is_err());
    }
}
