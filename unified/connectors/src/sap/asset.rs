//! Assets: SAP equipment of `API_EQUIPMENT`.
//!
//! Equipment is kept in time slices keyed by `Equipment` + `ValidityEndDate`; the asset is the
//! current slice, the one ending on 9999-12-31.
//! - **Read**: `Equipment?$filter=ValidityEndDate eq datetime'9999-12-31T00:00:00' and <keyset>`,
//!   keyset-paged on (`LastChangeDateTime`, `Equipment`) like purchase orders (see `client`).
//!   The stamp has whole seconds only, so the key breaks the many ties.
//! - **Get**: `Equipment(Equipment='<n>',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')`.
//! - **Create**: `POST Equipment` (see [`mapping::equipment_payload`]), then the current slice
//!   is read back.
//! - **Update**: the current slice is read, then `PATCH`ed on its key with the changed
//!   properties (204), then read back. ETags as for work orders: where SAP sends one it goes out
//!   as `If-Match` and a caller's expected version must match it; without one a conditional
//!   update is not supported.
//! - **Delete**: not possible; the `Equipment` set is not deletable (`sap:deletable="false"`).
//!   SAP retires equipment by flagging it for deletion, which `API_EQUIPMENT` does not expose.

pub(crate) mod mapping;
mod wire;

use super::client::{self, EntitySet, SapClient, Service};
use super::created::{created_key, read_back};
use super::version;
use crate::{ConnectorError, Page, PageQuery};
use mapping::AssetDefaults;
use mw_model::{AssetPatch, NewAsset, RemoteRecord};
use reqwest::header::{HeaderMap, LOCATION};

/// The `ValidityEndDate` of the current time slice, as an `Edm.DateTime` literal.
const CURRENT_SLICE_END: &str = "datetime'9999-12-31T00:00:00'";

pub(crate) const EQUIPMENT: EntitySet = EntitySet {
    service: Service::Equipment,
    name: "Equipment",
    key: "Equipment",
    changed_at: "LastChangeDateTime",
    expand: None,
    scope: Some("ValidityEndDate eq datetime'9999-12-31T00:00:00'"),
};

/// `Equipment` is String(18): a longer id cannot be an equipment number.
const NUMBER_LENGTH: usize = 18;

/// The key predicate of an equipment's current slice:
/// `(Equipment='10000042',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')`.
fn current_slice(number: &str) -> String {
    format!(
        "(Equipment='{}',ValidityEndDate={})",
        client::key_value(number),
        client::path_text(CURRENT_SLICE_END)
    )
}

pub(crate) async fn read_page(
    client: &SapClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&EQUIPMENT, query, mapping::asset_record)
        .await
}

pub(crate) async fn get(client: &SapClient, number: &str) -> Result<RemoteRecord, ConnectorError> {
    if !client::could_be_key(number, NUMBER_LENGTH) {
        return Err(ConnectorError::NotFound(None));
    }
    let d = client
        .get_entity_at(&EQUIPMENT, &current_slice(number))
        .await?;
    mapping::asset_record(d)
}

pub(crate) async fn create(
    client: &SapClient,
    defaults: &AssetDefaults,
    asset: &NewAsset,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::equipment_payload(asset, defaults).map_err(ConnectorError::Invalid)?;
    let same = |record: &RemoteRecord| super::lost::is_asset(asset, record);
    let lookup = super::lost::Lookup {
        set: &EQUIPMENT,
        filter: format!(
            "EquipmentName eq {}",
            client::string_literal(asset.name.trim())
        ),
        map: mapping::asset_record,
        same: &same,
    };
    let (headers, created) = match super::lost::create(client, &payload, lookup).await? {
        super::lost::Created::Answered(headers, d) => (headers, d),
        super::lost::Created::Found(record) => return Ok(*record),
    };
    let number = created_key(
        created.as_ref(),
        "Equipment",
        || number_from_location(&headers),
        "an equipment",
    )?;
    tracing::info!(system = client::SYSTEM, equipment = %number, "equipment created");
    read_back(get(client, &number), created, mapping::asset_record, |e| {
        tracing::warn!(system = client::SYSTEM, equipment = %number, error = %e,
            "reading the created equipment back failed; using the create answer");
    })
    .await
}

pub(crate) async fn update(
    client: &SapClient,
    number: &str,
    patch: &AssetPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::equipment_changes(patch).map_err(ConnectorError::Invalid)?;
    // Read first: a missing equipment is NotFound before anything is written, and one SAP sends
    // an ETag for is changed only with that ETag as If-Match.
    let current = get(client, number).await?;
    let if_match = version::if_match(
        expected_version,
        current.remote_version.as_deref(),
        &format!("equipment {number}"),
    )?;
    let resource = format!("{}{}", EQUIPMENT.name, current_slice(number));
    client
        .patch(Service::Equipment, &resource, &body, if_match.as_deref())
        .await?;
    get(client, number).await
}

/// The equipment number in a create's `Location`
/// (`…/Equipment(Equipment='10000042',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')`),
/// for a create answered without a body.
fn number_from_location(headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    let decoded = percent_encoding::percent_decode_str(location)
        .decode_utf8()
        .ok()?;
    let predicate = decoded.rsplit_once("Equipment(")?.1;
    let value = predicate.split_once("Equipment='")?.1;
    // The value ends at the first quote that is not doubled.
    let mut number = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return Some(number);
            }
        }
        number.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_current_slice_is_addressed_as_sap_prints_it() {
        assert_eq!(
            current_slice("10000042"),
            "(Equipment='10000042',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')"
        );
        assert_eq!(
            current_slice("PUMP'1 A"),
            "(Equipment='PUMP''1%20A',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')"
        );
    }

    #[test]
    fn created_numbers_from_location() {
        let mut h = HeaderMap::new();
        h.insert(
            LOCATION,
            HeaderValue::from_static(
                "https://h/sap/opu/odata/sap/API_EQUIPMENT/Equipment(Equipment='10000042',ValidityEndDate=datetime'9999-12-31T00%3A00%3A00')",
            ),
        );
        assert_eq!(number_from_location(&h).as_deref(), Some("10000042"));
        h.insert(
            LOCATION,
            HeaderValue::from_static("/Equipment(Equipment='O''B',ValidityEndDate=datetime'x')"),
        );
        assert_eq!(number_from_location(&h).as_deref(), Some("O'B"));
        h.insert(
            LOCATION,
            HeaderValue::from_static("/Equipment(Equipment='open"),
        );
        assert_eq!(number_from_location(&h), None);
        assert_eq!(number_from_location(&HeaderMap::new()), None);
    }
}
