//! `API_BUSINESS_PARTNER`: business partners and their supplier views.
//!
//! The partners are the supplier master the purchase orders reference ([`PartnerBook`]); a
//! supplier created here can be ordered from at once. Suppliers are created as partners:
//! `POST A_BusinessPartner` with `BusinessPartnerCategory`, a name, `BusinessPartnerGrouping`,
//! a supplier role in `to_BusinessPartnerRole` and the purchasing and company data in
//! `to_Supplier` (deep insert, two levels). Everything is checked before a number is drawn,
//! so a refused create leaves no trace. Changes to a partner, its address or any of its
//! supplier data stamp the partner's `LastChangeDate` + `LastChangeTime` with the virtual
//! clock: that is the only change stamp a supplier has. Nothing here is deletable.
//!
//! Message numbers: `R11/657` ("BP role … does not exist for partner …") is attested; the
//! others (`R11/…` for partner data, `CVI_EI/…` for supplier data) are plausible numbers in
//! the classes SAP uses for these checks.

pub(crate) mod admin;
pub(crate) mod schema;

use std::sync::{Arc, PoisonError, RwLock};

use super::data::business_partners::{
    COMPANY_CODE_NAME, END_OF_TIME, Partner, PartnerBook, SUPPLIER_ROLES, SupplierData, address_id,
    blank_address, blank_company, blank_partner, blank_purchasing, blank_supplier,
    parse_partner_number, role_row,
};
use super::data::{COMPANY_CODE, PAYMENT_TERMS, PURCHASING_GROUPS, PURCHASING_ORGANIZATION};
use super::material_stock::pinned_string;
use super::odata::body::EntityPayload;
use super::odata::edm::{Conversion, EdmType, EntitySet, Navigation, Property, ServiceDef};
use super::odata::engine::{Row, RowSource, Scan};
use super::odata::error::ODataError;
use super::odata::value::Value;
use super::service::{Created, ODataService, ParentRef, ServiceReader, WriteContext};
use schema::*;

/// Groupings of this system; all number internally (`BP02` is the suppliers' grouping).
const GROUPINGS: [&str; 2] = ["0001", "BP02"];
/// Roles a partner can be given here: general partner and the supplier roles.
const ROLES: [&str; 3] = ["000000", "FLVN00", "FLVN01"];
/// Currencies known to the system.
const CURRENCIES: [&str; 8] = ["USD", "EUR", "CAD", "MXN", "GBP", "JPY", "CNY", "CHF"];

/// The partner service over the book shared with purchasing.
pub(crate) struct BusinessPartnerService {
    partners: Arc<RwLock<PartnerBook>>,
}

impl BusinessPartnerService {
    pub(crate) fn new(partners: Arc<RwLock<PartnerBook>>) -> Self {
        BusinessPartnerService { partners }
    }
}

/// Which part of a partner an entity set shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Partner,
    Address,
    Role,
    Supplier,
    Purchasing,
    Company,
}

impl Part {
    fn of(set: &EntitySet) -> Part {
        match set.name {
            ADDRESS_SET => Part::Address,
            ROLE_SET => Part::Role,
            SUPPLIER_SET => Part::Supplier,
            PURCHASING_SET => Part::Purchasing,
            COMPANY_SET => Part::Company,
            _ => Part::Partner,
        }
    }

    fn properties(self) -> &'static [Property] {
        match self {
            Part::Partner => &PARTNER_PROPERTIES,
            Part::Address => &ADDRESS_PROPERTIES,
            Part::Role => &ROLE_PROPERTIES,
            Part::Supplier => &SUPPLIER_PROPERTIES,
            Part::Purchasing => &PURCHASING_PROPERTIES,
            Part::Company => &COMPANY_PROPERTIES,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Part::Partner => PARTNER_TYPE.name,
            Part::Address => ADDRESS_TYPE.name,
            Part::Role => ROLE_TYPE.name,
            Part::Supplier => SUPPLIER_TYPE.name,
            Part::Purchasing => PURCHASING_TYPE.name,
            Part::Company => COMPANY_TYPE.name,
        }
    }

    /// The rows of this part of `partner`, in key order.
    fn rows(self, partner: &Partner) -> Vec<Row> {
        let mut rows = match self {
            Part::Partner => vec![partner.partner.clone()],
            Part::Address => partner.addresses.clone(),
            Part::Role => partner.roles.clone(),
            Part::Supplier => partner
                .supplier
                .as_ref()
                .map(|s| s.supplier.clone())
                .into_iter()
                .collect(),
            Part::Purchasing => partner
                .supplier
                .as_ref()
                .map(|s| s.purchasing.clone())
                .unwrap_or_default(),
            Part::Company => partner
                .supplier
                .as_ref()
                .map(|s| s.companies.clone())
                .unwrap_or_default(),
        };
        rows.sort_by_key(|row| key_tail(row));
        rows
    }

    /// The rows of this part, to change in place.
    fn rows_mut(self, partner: &mut Partner) -> Vec<&mut Row> {
        match self {
            Part::Partner => vec![&mut partner.partner],
            Part::Address => partner.addresses.iter_mut().collect(),
            Part::Role => partner.roles.iter_mut().collect(),
            Part::Supplier => partner
                .supplier
                .as_mut()
                .map(|s| &mut s.supplier)
                .into_iter()
                .collect(),
            Part::Purchasing => partner
                .supplier
                .as_mut()
                .map(|s| s.purchasing.iter_mut().collect())
                .unwrap_or_default(),
            Part::Company => partner
                .supplier
                .as_mut()
                .map(|s| s.companies.iter_mut().collect())
                .unwrap_or_default(),
        }
    }
}

/// The second key field of a child row (address id, role, organisation, company code); every
/// child type here has exactly two key fields with the partner number first.
fn key_tail(row: &[Value]) -> String {
    row.get(1)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

struct PartSource<'a> {
    book: &'a PartnerBook,
    part: Part,
}

impl RowSource for PartSource<'_> {
    fn scan(&self, scan: &Scan<'_>, visit: &mut dyn FnMut(Row) -> bool) {
        let after = scan.after.and_then(|tuple| {
            let number = parse_partner_number(tuple.first()?.as_str()?)?;
            let tail = tuple.get(1).and_then(Value::as_str).map(str::to_owned);
            Some((number, tail))
        });
        // A filter on the partner (or supplier) number reads that partner only.
        let pinned = scan
            .filter
            .and_then(|filter| pinned_string(filter, 0))
            .map(|text| parse_partner_number(&text));
        let numbers = match pinned {
            Some(Some(number)) => number..number.saturating_add(1),
            Some(None) => return,
            None => {
                // Children of the partner in `after` may still follow it.
                let from = after.as_ref().map(|(number, tail)| {
                    if tail.is_some() {
                        number.saturating_sub(1)
                    } else {
                        *number
                    }
                });
                self.book.numbers_after(from)
            }
        };
        for number in numbers {
            let Some(partner) = self.book.partner(number) else {
                continue;
            };
            for row in self.part.rows(&partner) {
                if let Some((after_number, after_tail)) = &after {
                    let position = (number, after_tail.as_ref().map(|_| key_tail(&row)));
                    if position <= (*after_number, after_tail.clone()) {
                        continue;
                    }
                }
                if !visit(row) {
                    return;
                }
            }
        }
    }

    fn count_all(&self) -> Option<u64> {
        (self.part == Part::Partner).then(|| self.book.len())
    }
}

struct Reader<'a> {
    book: &'a PartnerBook,
}

impl ServiceReader for Reader<'_> {
    fn source(&self, set: &'static EntitySet) -> Box<dyn RowSource + '_> {
        Box::new(PartSource {
            book: self.book,
            part: Part::of(set),
        })
    }

    fn get(&self, set: &'static EntitySet, key: &[Value]) -> Option<Row> {
        let partner = self.book.partner_by_text(key.first()?.as_str()?)?;
        let part = Part::of(set);
        let tail = key.get(1).and_then(Value::as_str);
        part.rows(&partner)
            .into_iter()
            .find(|row| tail.is_none_or(|tail| key_tail(row) == tail))
    }

    fn navigate(
        &self,
        _set: &'static EntitySet,
        row: &[Value],
        navigation: &Navigation,
    ) -> Vec<Row> {
        let Some(partner) = row
            .first()
            .and_then(Value::as_str)
            .and_then(|number| self.book.partner_by_text(number))
        else {
            return Vec::new();
        };
        let part = match navigation.name {
            ADDRESS_NAV => Part::Address,
            ROLE_NAV => Part::Role,
            SUPPLIER_NAV => Part::Supplier,
            PURCHASING_NAV => Part::Purchasing,
            COMPANY_NAV => Part::Company,
            _ => return Vec::new(),
        };
        part.rows(&partner)
    }
}

/// A value as SAP stores it: upper case where the domain is, ALPHA numbers unpadded.
fn stored(property: &Property, value: &Value) -> Value {
    match value {
        Value::String(text) => {
            let mut text = if property.display_format == Some("UpperCase") {
                text.to_uppercase()
            } else {
                text.clone()
            };
            if property.conversion != Conversion::None
                && !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit())
            {
                let trimmed = text.trim_start_matches('0');
                text = if trimmed.is_empty() {
                    String::from("0")
                } else {
                    trimmed.to_owned()
                };
            }
            Value::String(text)
        }
        Value::DateTime(ticks) if property.display_format == Some("Date") => {
            Value::DateTime(ticks.start_of_day())
        }
        Value::Null if property.edm == EdmType::String => Value::string(""),
        other => other.clone(),
    }
}

fn text(row: &[Value], index: usize) -> &str {
    row.get(index).and_then(Value::as_str).unwrap_or_default()
}

/// Copies the creatable values of a payload into `row`.
fn apply_create(row: &mut [Value], properties: &[Property], payload: &EntityPayload) {
    for (index, value) in &payload.values {
        let property = &properties[*index];
        if property.creatable {
            row[*index] = stored(property, value);
        }
    }
}

/// Applies a PATCH: updatable values are taken, keys and fixed values must not change,
/// read-only values are ignored as SAP ignores them.
fn apply_update(
    row: &mut [Value],
    properties: &[Property],
    keys: usize,
    payload: &EntityPayload,
    type_name: &str,
) -> Result<(), ODataError> {
    for (index, value) in &payload.values {
        let property = &properties[*index];
        let value = stored(property, value);
        if *index < keys {
            let same = match (&value, &row[*index]) {
                (Value::String(a), Value::String(b)) => parse_partner_number(a)
                    .zip(parse_partner_number(b))
                    .map_or(a == b, |(x, y)| x == y),
                (a, b) => a == b,
            };
            if !same {
                return Err(ODataError::bad_request(format!(
                    "Key property '{}' cannot be changed",
                    property.name
                )));
            }
            continue;
        }
        if property.updatable {
            row[*index] = value;
        } else if property.creatable && value != row[*index] {
            return Err(ODataError::business(
                "R11/120",
                format!("Field {} of {type_name} cannot be changed", property.name),
                property.name,
            ));
        }
    }
    Ok(())
}

fn business(code: &str, message: String, target: &str) -> ODataError {
    ODataError::business(code, message, target)
}

/// Checks what partner rows must hold after any write.
fn check_partner(row: &[Value]) -> Result<(), ODataError> {
    match text(row, BP_CATEGORY) {
        "1" => {
            if text(row, BP_LAST_NAME).trim().is_empty() {
                return Err(business(
                    "R11/402",
                    String::from("Enter a last name for the person"),
                    "LastName",
                ));
            }
        }
        "2" | "3" => {
            if text(row, BP_NAME_1).trim().is_empty() {
                return Err(business(
                    "R11/401",
                    String::from("Enter a name for the organization (Name 1)"),
                    "OrganizationBPName1",
                ));
            }
        }
        "" => {
            return Err(business(
                "R11/002",
                String::from("Enter a business partner category"),
                "BusinessPartnerCategory",
            ));
        }
        other => {
            return Err(business(
                "R11/003",
                format!("Business partner category {other} is not valid"),
                "BusinessPartnerCategory",
            ));
        }
    }
    Ok(())
}

fn check_payment_terms(terms: &str, target: &str) -> Result<(), ODataError> {
    if terms.is_empty() || PAYMENT_TERMS.iter().any(|known| known.key == terms) {
        Ok(())
    } else {
        Err(business(
            "CVI_EI/063",
            format!("Terms of payment {terms} are not defined"),
            target,
        ))
    }
}

fn check_purchasing(row: &[Value]) -> Result<(), ODataError> {
    let organization = text(row, PO_ORGANIZATION);
    if organization.is_empty() {
        return Err(business(
            "CVI_EI/050",
            String::from("Enter a purchasing organization"),
            "PurchasingOrganization",
        ));
    }
    if organization != PURCHASING_ORGANIZATION {
        return Err(business(
            "CVI_EI/051",
            format!("Purchasing organization {organization} does not exist"),
            "PurchasingOrganization",
        ));
    }
    let currency = text(row, PO_CURRENCY);
    if !CURRENCIES.contains(&currency) {
        return Err(business(
            "CVI_EI/062",
            format!("Currency {currency} is not defined"),
            "PurchaseOrderCurrency",
        ));
    }
    let group = text(row, PO_PURCHASING_GROUP);
    if !group.is_empty() && !PURCHASING_GROUPS.contains(&group) {
        return Err(business(
            "CVI_EI/064",
            format!("Purchasing group {group} does not exist"),
            "PurchasingGroup",
        ));
    }
    check_payment_terms(text(row, PO_PAYMENT_TERMS), "PaymentTerms")
}

fn check_company(row: &[Value]) -> Result<(), ODataError> {
    let company = text(row, CO_COMPANY_CODE);
    if company.is_empty() {
        return Err(business(
            "CVI_EI/052",
            String::from("Enter a company code"),
            "CompanyCode",
        ));
    }
    if company != COMPANY_CODE {
        return Err(business(
            "CVI_EI/053",
            format!("Company code {company} does not exist"),
            "CompanyCode",
        ));
    }
    check_payment_terms(text(row, CO_PAYMENT_TERMS), "PaymentTerms")
}

fn check_address(row: &[Value]) -> Result<(), ODataError> {
    let country = text(row, AD_COUNTRY);
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(business(
            "R11/403",
            format!("Country/region key '{country}' is not valid; enter a country"),
            "Country",
        ));
    }
    Ok(())
}

fn children<'a>(payload: &'a EntityPayload, name: &str) -> Vec<&'a EntityPayload> {
    payload
        .navigations
        .iter()
        .filter(|(navigation, _)| navigation.name == name)
        .flat_map(|(_, items)| items.iter())
        .collect()
}

fn refuse_other_navigations(payload: &EntityPayload, allowed: &[&str]) -> Result<(), ODataError> {
    match payload
        .navigations
        .iter()
        .find(|(navigation, _)| !allowed.contains(&navigation.name))
    {
        Some((navigation, _)) => Err(ODataError::bad_request(format!(
            "Property '{}' is invalid",
            navigation.name
        ))),
        None => Ok(()),
    }
}

impl BusinessPartnerService {
    fn lock_write(&self) -> std::sync::RwLockWriteGuard<'_, PartnerBook> {
        self.partners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Builds and checks a new partner; `number` is the one it will get.
    fn build_partner(
        context: &WriteContext,
        number: u64,
        payload: &EntityPayload,
    ) -> Result<Partner, ODataError> {
        refuse_other_navigations(payload, &[ROLE_NAV, ADDRESS_NAV, SUPPLIER_NAV])?;
        let number_text = number.to_string();
        let now = context.now;
        let mut partner = blank_partner();
        apply_create(&mut partner, &PARTNER_PROPERTIES, payload);
        let grouping = text(&partner, BP_GROUPING).to_owned();
        if grouping.is_empty() {
            return Err(business(
                "R11/016",
                String::from("Enter a business partner grouping"),
                "BusinessPartnerGrouping",
            ));
        }
        if !GROUPINGS.contains(&grouping.as_str()) {
            return Err(business(
                "R11/017",
                format!("Grouping {grouping} does not exist"),
                "BusinessPartnerGrouping",
            ));
        }
        if !text(&partner, BP_PARTNER).is_empty() {
            return Err(business(
                "R11/112",
                format!(
                    "Grouping {grouping} assigns numbers internally; do not enter a business partner number"
                ),
                "BusinessPartner",
            ));
        }
        check_partner(&partner)?;
        partner[BP_PARTNER] = Value::string(number_text.clone());
        if text(&partner, BP_LANGUAGE).is_empty() {
            partner[BP_LANGUAGE] = Value::string("EN");
        }
        partner[BP_CREATED_BY] = Value::string(context.user.chars().take(12).collect::<String>());
        partner[BP_CREATION_DATE] = Value::DateTime(now.start_of_day());
        partner[BP_CREATION_TIME] =
            Value::Time(super::odata::value::Ticks(now.0 - now.start_of_day().0));

        let mut roles: Vec<Row> = Vec::new();
        for role_payload in children(payload, ROLE_NAV) {
            let mut row = blank_partner_role();
            apply_create(&mut row, &ROLE_PROPERTIES, role_payload);
            let role = text(&row, RO_ROLE).to_owned();
            if !ROLES.contains(&role.as_str()) {
                return Err(business(
                    "R11/005",
                    format!("BP role {role} does not exist"),
                    "BusinessPartnerRole",
                ));
            }
            if roles.iter().any(|existing| text(existing, RO_ROLE) == role) {
                continue;
            }
            let mut built = role_row(&number_text, &role, now);
            for index in [RO_VALID_FROM, RO_VALID_TO, RO_AUTHORIZATION_GROUP] {
                if !matches!(row[index], Value::Null) && row[index] != Value::string("") {
                    built[index] = row[index].clone();
                }
            }
            roles.push(built);
        }
        roles.sort_by_key(|row| key_tail(row));
        let is_supplier = roles
            .iter()
            .any(|row| SUPPLIER_ROLES.contains(&text(row, RO_ROLE)));

        let mut addresses = Vec::new();
        for (position, address_payload) in children(payload, ADDRESS_NAV).into_iter().enumerate() {
            let mut row = blank_address();
            apply_create(&mut row, &ADDRESS_PROPERTIES, address_payload);
            check_address(&row)?;
            row[AD_PARTNER] = Value::string(number_text.clone());
            row[AD_ADDRESS_ID] = Value::string(if position == 0 {
                address_id(number)
            } else {
                (5_000_000 + (number % 100_000) * 100 + position as u64).to_string()
            });
            if row[AD_VALID_FROM].as_ticks().is_none() {
                row[AD_VALID_FROM] = Value::DateTimeOffset(now);
            }
            if row[AD_VALID_TO].as_ticks().is_none() {
                row[AD_VALID_TO] = Value::DateTimeOffset(END_OF_TIME);
            }
            if text(&row, AD_LANGUAGE).is_empty() {
                row[AD_LANGUAGE] = Value::string("EN");
            }
            addresses.push(row);
        }

        let supplier_payloads = children(payload, SUPPLIER_NAV);
        let supplier = match (supplier_payloads.as_slice(), is_supplier) {
            ([], false) => None,
            ([], true) => Some(Self::build_supplier(context, &number_text, None)?),
            ([given], true) => Some(Self::build_supplier(context, &number_text, Some(given))?),
            ([_], false) => {
                return Err(business(
                    "R11/657",
                    format!("BP role FLVN01 does not exist for partner {number_text}"),
                    "to_Supplier",
                ));
            }
            _ => {
                return Err(ODataError::bad_request(
                    "Property 'to_Supplier' expects one object",
                ));
            }
        };
        if supplier.is_some() {
            partner[BP_SUPPLIER] = Value::string(number_text.clone());
        }
        let mut built = Partner {
            partner,
            addresses,
            roles,
            supplier,
        };
        built.derive_names();
        built.stamp(now, &context.user);
        Ok(built)
    }

    fn build_supplier(
        context: &WriteContext,
        number: &str,
        payload: Option<&EntityPayload>,
    ) -> Result<SupplierData, ODataError> {
        let mut supplier = blank_supplier();
        let empty = EntityPayload::default();
        let payload = payload.unwrap_or(&empty);
        refuse_other_navigations(payload, &[PURCHASING_NAV, COMPANY_NAV])?;
        apply_create(&mut supplier, &SUPPLIER_PROPERTIES, payload);
        supplier[SU_SUPPLIER] = Value::string(number);
        supplier[SU_CREATED_BY] = Value::string(context.user.chars().take(12).collect::<String>());
        supplier[SU_CREATION_DATE] = Value::DateTime(context.now.start_of_day());
        if text(&supplier, SU_ACCOUNT_GROUP).is_empty() {
            supplier[SU_ACCOUNT_GROUP] = Value::string("SUPL");
        }
        let mut purchasing = Vec::new();
        for item in children(payload, PURCHASING_NAV) {
            let mut row = blank_purchasing();
            apply_create(&mut row, &PURCHASING_PROPERTIES, item);
            if text(&row, PO_CURRENCY).is_empty() {
                row[PO_CURRENCY] = Value::string("USD");
            }
            check_purchasing(&row)?;
            if purchasing
                .iter()
                .any(|existing: &Row| key_tail(existing) == key_tail(&row))
            {
                return Err(business(
                    "CVI_EI/054",
                    format!(
                        "Purchasing organization {} is given twice",
                        text(&row, PO_ORGANIZATION)
                    ),
                    "PurchasingOrganization",
                ));
            }
            row[PO_SUPPLIER] = Value::string(number);
            for (index, zero) in [(PO_DELIVERY_DAYS, 0), (PO_MINIMUM_AMOUNT, 3)] {
                if row[index].as_decimal().is_none() {
                    row[index] = Value::Decimal(rust_decimal::Decimal::new(0, zero));
                }
            }
            purchasing.push(row);
        }
        let mut companies = Vec::new();
        for item in children(payload, COMPANY_NAV) {
            let mut row = blank_company();
            apply_create(&mut row, &COMPANY_PROPERTIES, item);
            check_company(&row)?;
            if companies
                .iter()
                .any(|existing: &Row| key_tail(existing) == key_tail(&row))
            {
                return Err(business(
                    "CVI_EI/055",
                    format!(
                        "Company code {} is given twice",
                        text(&row, CO_COMPANY_CODE)
                    ),
                    "CompanyCode",
                ));
            }
            row[CO_SUPPLIER] = Value::string(number);
            row[CO_COMPANY_NAME] = Value::string(COMPANY_CODE_NAME);
            if text(&row, CO_RECONCILIATION).is_empty() {
                row[CO_RECONCILIATION] = Value::string("21100000");
            }
            if text(&row, CO_ACCOUNT_GROUP).is_empty() {
                row[CO_ACCOUNT_GROUP] = Value::string("SUPL");
            }
            companies.push(row);
        }
        Ok(SupplierData {
            supplier,
            purchasing,
            companies,
        })
    }

    fn create_partner(
        &self,
        context: &WriteContext,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        let mut book = self.lock_write();
        // Checked against the number it will get; drawn only once everything passed.
        let number = book.end_number();
        let partner = Self::build_partner(context, number, &payload)?;
        if book.allocate_number() != Some(number) {
            return Err(business(
                "R11/110",
                String::from("The number range for business partners is exhausted"),
                "BusinessPartner",
            ));
        }
        let row = partner.partner.clone();
        let roles = partner.roles.clone();
        let addresses = partner.addresses.clone();
        book.store(partner);
        let mut children = Vec::new();
        if let Some(navigation) = PARTNER_TYPE.navigation(ADDRESS_NAV) {
            children.push((navigation, addresses));
        }
        if let Some(navigation) = PARTNER_TYPE.navigation(ROLE_NAV) {
            children.push((navigation, roles));
        }
        Ok(Created {
            set: set_named(PARTNER_SET).unwrap_or(&SERVICE.entity_sets[0]),
            row,
            children,
            message: None,
        })
    }

    fn update_part(
        &self,
        context: &WriteContext,
        part: Part,
        key: &[Value],
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        let mut book = self.lock_write();
        let not_found = || ODataError::resource_not_found(part.type_name());
        let number = key
            .first()
            .and_then(Value::as_str)
            .and_then(parse_partner_number)
            .ok_or_else(not_found)?;
        let mut partner = book.partner(number).ok_or_else(not_found)?;
        let tail = key.get(1).and_then(Value::as_str).map(str::to_owned);
        {
            let mut rows = part.rows_mut(&mut partner);
            let row = rows
                .iter_mut()
                .find(|row| tail.as_deref().is_none_or(|tail| key_tail(row) == tail))
                .ok_or_else(not_found)?;
            let keys = if part == Part::Partner || part == Part::Supplier {
                1
            } else {
                2
            };
            apply_update(row, part.properties(), keys, &payload, part.type_name())?;
            match part {
                Part::Partner => check_partner(row)?,
                Part::Address => check_address(row)?,
                Part::Purchasing => check_purchasing(row)?,
                Part::Company => check_company(row)?,
                Part::Supplier | Part::Role => {}
            }
        }
        partner.derive_names();
        // A change to any part is a change of the partner: its stamp is the supplier's too.
        partner.stamp(context.now, &context.user);
        book.store(partner);
        Ok(())
    }
}

fn blank_partner_role() -> Row {
    super::data::business_partners::blank_role()
}

impl ODataService for BusinessPartnerService {
    fn definition(&self) -> &'static ServiceDef {
        &SERVICE
    }

    fn checkpoint(&self) -> Option<super::service::Checkpoint> {
        let state = self.partners.read().unwrap_or_else(PoisonError::into_inner);
        Some(Box::new(state.clone()))
    }

    fn restore(&self, checkpoint: super::service::Checkpoint) {
        if let Ok(saved) = checkpoint.downcast::<PartnerBook>() {
            *self
                .partners
                .write()
                .unwrap_or_else(PoisonError::into_inner) = *saved;
        }
    }

    fn read(&self, work: &mut dyn FnMut(&dyn ServiceReader)) {
        let book = self.partners.read().unwrap_or_else(PoisonError::into_inner);
        work(&Reader { book: &book });
    }

    fn create(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        parent: Option<ParentRef>,
        payload: EntityPayload,
    ) -> Result<Created, ODataError> {
        match (set.name, parent) {
            (PARTNER_SET, None) => self.create_partner(context, payload),
            _ => Err(ODataError::method_not_allowed(format!(
                "Entities of '{}' are created with their business partner only",
                set.name
            ))),
        }
    }

    fn update(
        &self,
        context: &WriteContext,
        set: &'static EntitySet,
        key: &[Value],
        payload: EntityPayload,
    ) -> Result<(), ODataError> {
        self.update_part(context, Part::of(set), key, payload)
    }

    fn delete(
        &self,
        _context: &WriteContext,
        set: &'static EntitySet,
        _key: &[Value],
    ) -> Result<(), ODataError> {
        Err(ODataError::method_not_allowed(format!(
            "Entity set '{}' is not deletable; business partners are archived",
            set.name
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groupings_and_roles_are_upper_case_codes() {
        for code in GROUPINGS.iter().chain(ROLES.iter()) {
            assert_eq!(code.to_uppercase(), *code);
        }
        assert!(SUPPLIER_ROLES.iter().all(|role| ROLES.contains(role)));
    }
}
