//! Work orders: SAP maintenance orders of `API_MAINTENANCEORDER;v=0002`.
//!
//! - **Read**: `MaintenanceOrder?$expand=to_MaintenanceOrderOperation`, keyset-paged on
//!   (`LastChangeDateTime`, `MaintenanceOrder`) like purchase orders (see `client`). SAP keeps
//!   this stamp to the second only, so many orders share one; the key breaks the tie.
//! - **Create**: `POST MaintenanceOrder` (see [`mapping::work_order_payload`]), then the order is
//!   read back as SAP holds it.
//! - **Update**: the order is read, then `PATCH MaintenanceOrder('<n>')` with the changed
//!   properties (204), then read back. Where SAP sends an ETag (`__metadata.etag`; the
//!   service's metadata declares none) the PATCH carries it as `If-Match` and a caller's expected
//!   version must match it (see `version`); without one a conditional update is not supported.
//! - **Status**: SAP moves `SystemStatusText` only through function imports; the current status
//!   is read, [`status::plan`] picks the imports that lead to the target, each is called in turn
//!   (`POST <Import>?MaintenanceOrder='<n>'` with a CSRF token, and the order's ETag as
//!   `If-Match` where SAP sends one), and the order is read back.
//!   SAP's refusal of a step (a business error, 400) is a [`ConnectorError::Conflict`] carrying
//!   SAP's code and message: the order's current state does not allow it. Steps already taken
//!   stay taken (SAP has no transaction across imports); the error says which ones. Because
//!   every change plans from the status SAP reports at that moment, repeating a change that
//!   failed part way (or whose read-back failed) continues from there instead of repeating steps.
//! - **Delete**: not possible; SAP maintenance orders are not deletable (`sap:deletable="false"`).
//!   Cancelling is a status change to `cancelled` (deletion flag `DLFL`).

pub(crate) mod mapping;
pub(crate) mod status;
mod wire;

use super::client::{self, EntitySet, SapClient, Service};
use super::created::{created_key, read_back};
use super::version;
use crate::{ConnectorError, Page, PageQuery, Upstream};
use mapping::WorkOrderDefaults;
use mw_model::{EntityData, FieldError, NewWorkOrder, RemoteRecord, StatusChange, WorkOrderPatch};
use status::{StatusAction, SystemStatus, Unreachable};

pub(crate) const MAINTENANCE_ORDERS: EntitySet = EntitySet {
    service: Service::MaintenanceOrder,
    name: "MaintenanceOrder",
    key: "MaintenanceOrder",
    changed_at: "LastChangeDateTime",
    expand: Some("to_MaintenanceOrderOperation"),
    scope: None,
};

/// `MaintenanceOrder` is String(12): a longer id cannot be an order's.
const NUMBER_LENGTH: usize = 12;

pub(crate) async fn read_page(
    client: &SapClient,
    query: &PageQuery,
) -> Result<Page, ConnectorError> {
    client
        .read_changes(&MAINTENANCE_ORDERS, query, mapping::work_order_record)
        .await
}

pub(crate) async fn get(client: &SapClient, number: &str) -> Result<RemoteRecord, ConnectorError> {
    if !client::could_be_key(number, NUMBER_LENGTH) {
        return Err(ConnectorError::NotFound(None));
    }
    let d = client.get_entity(&MAINTENANCE_ORDERS, number).await?;
    mapping::work_order_record(d)
}

pub(crate) async fn create(
    client: &SapClient,
    defaults: &WorkOrderDefaults,
    order: &NewWorkOrder,
) -> Result<RemoteRecord, ConnectorError> {
    let payload = mapping::work_order_payload(order, defaults).map_err(ConnectorError::Invalid)?;
    let same = |record: &RemoteRecord| super::lost::is_work_order(order, record);
    let lookup = super::lost::Lookup {
        set: &MAINTENANCE_ORDERS,
        filter: format!(
            "MaintenanceOrderDesc eq {}",
            client::string_literal(order.title.trim())
        ),
        map: mapping::work_order_record,
        same: &same,
    };
    let (headers, created) = match super::lost::create(client, &payload, lookup).await? {
        super::lost::Created::Answered(headers, d) => (headers, d),
        super::lost::Created::Found(record) => return Ok(*record),
    };
    let number = created_key(
        created.as_ref(),
        "MaintenanceOrder",
        || client::key_from_location(&headers, MAINTENANCE_ORDERS.name),
        "a maintenance order",
    )?;
    tracing::info!(system = client::SYSTEM, maintenance_order = %number, "maintenance order created");
    read_back(
        get(client, &number),
        created,
        mapping::work_order_record,
        |e| {
            tracing::warn!(system = client::SYSTEM, maintenance_order = %number, error = %e,
                "reading the created maintenance order back failed; using the create answer");
        },
    )
    .await
}

pub(crate) async fn update(
    client: &SapClient,
    number: &str,
    patch: &WorkOrderPatch,
    expected_version: Option<&str>,
) -> Result<RemoteRecord, ConnectorError> {
    let body = mapping::work_order_changes(patch).map_err(ConnectorError::Invalid)?;
    // Read first: a missing order is NotFound before anything is written, and an order SAP
    // sends an ETag for is changed only with that ETag as If-Match.
    let current = get(client, number).await?;
    let if_match = version::if_match(
        expected_version,
        current.remote_version.as_deref(),
        &format!("maintenance order {number}"),
    )?;
    let resource = format!(
        "{}{}",
        MAINTENANCE_ORDERS.name,
        client::key_predicate(number)
    );
    client
        .patch(
            Service::MaintenanceOrder,
            &resource,
            &body,
            if_match.as_deref(),
        )
        .await?;
    get(client, number).await
}

pub(crate) async fn change_status(
    client: &SapClient,
    number: &str,
    change: &StatusChange,
) -> Result<RemoteRecord, ConnectorError> {
    let current = get(client, number).await?;
    let text = match &current.data {
        EntityData::WorkOrder(wo) => wo.native_status.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let steps = status::plan(SystemStatus::parse(&text), change.status)
        .map_err(|why| unreachable_target(why, number))?;
    if steps.is_empty() {
        return Ok(current);
    }
    if change.note.is_some() {
        // The status imports take no text; the note has nowhere to go in SAP.
        tracing::debug!(system = client::SYSTEM, maintenance_order = %number,
            "status change note not kept: SAP's status function imports take no text");
    }
    let mut etag = current.remote_version.clone();
    for (i, step) in steps.iter().enumerate() {
        // Each import moves the order's change stamp; where SAP keeps an ETag for it, the next
        // import needs the new one.
        if i > 0 && etag.is_some() {
            etag = get(client, number).await?.remote_version;
        }
        let called = client
            .call_function(
                Service::MaintenanceOrder,
                step.function_import(),
                vec![("MaintenanceOrder", client::string_literal(number))],
                etag.as_deref(),
            )
            .await;
        if let Err(e) = called {
            let done = &steps[..i];
            if !done.is_empty() {
                tracing::warn!(system = client::SYSTEM, maintenance_order = %number,
                    done = ?done.iter().map(|s| s.function_import()).collect::<Vec<_>>(),
                    failed = step.function_import(),
                    "status change stopped part way; the steps before the failure stay in SAP");
            }
            return Err(refusal(e, *step, done));
        }
    }
    get(client, number).await
}

/// A target no function import reaches, as the error the caller gets.
fn unreachable_target(why: Unreachable, number: &str) -> ConnectorError {
    match why {
        Unreachable::NoSapStatus(target) => ConnectorError::NotSupported {
            what: format!(
                "moving an SAP maintenance order to `{}` (no SAP system status maps to it; \
                 reachable: requested, in_progress, completed, closed, cancelled)",
                status_name(target)
            ),
        },
        Unreachable::NoWayBack { from, to } => ConnectorError::Invalid(vec![FieldError::new(
            "$.status",
            format!(
                "SAP cannot move maintenance order {number} from {from} back to `{}`: no \
                 function import undoes a release",
                status_name(to)
            ),
        )]),
        Unreachable::UnknownStart(text) => ConnectorError::protocol(format!(
            "maintenance order {number}: `SystemStatusText` {text:?} names no lifecycle \
                 status (CRTD, REL, TECO, CLSD) to move from"
        )),
    }
}

fn status_name(status: mw_model::WorkOrderStatus) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{status:?}"))
}

/// SAP's refusal of a status step. A business error (400 with an application message class) is a
/// conflict with the order's current state; Gateway framework errors (`/IWBEP/…`, `/IWFND/…`)
/// mean the request itself was wrong and stay `Rejected`. When earlier steps went through, the
/// message says so, after SAP's own text.
fn refusal(error: ConnectorError, step: StatusAction, done: &[StatusAction]) -> ConnectorError {
    let annotate = |upstream: Upstream| {
        if done.is_empty() {
            return upstream;
        }
        let done: Vec<&str> = done.iter().map(|s| s.function_import()).collect();
        Upstream {
            message: Some(format!(
                "{} ({} refused after {} succeeded)",
                upstream.message.as_deref().unwrap_or("refused"),
                step.function_import(),
                done.join(", ")
            )),
            ..upstream
        }
    };
    match error {
        ConnectorError::Rejected(upstream)
            if upstream.status == 400 && !is_framework_code(upstream.code.as_deref()) =>
        {
            ConnectorError::Conflict(annotate(upstream))
        }
        ConnectorError::Rejected(upstream) => ConnectorError::Rejected(annotate(upstream)),
        ConnectorError::Conflict(upstream) => ConnectorError::Conflict(annotate(upstream)),
        other => other,
    }
}

fn is_framework_code(code: Option<&str>) -> bool {
    code.is_some_and(|c| {
        ["/IWBEP/", "/IWFND/", "/IWCOR/"]
            .iter()
            .any(|p| c.starts_with(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream(code: &str) -> Upstream {
        Upstream {
            system: "sap".into(),
            status: 400,
            code: Some(code.into()),
            message: Some("Order 4000123 has status CRTD; closing not allowed".into()),
        }
    }

    #[test]
    fn business_refusals_are_conflicts_and_framework_errors_are_not() {
        let e = refusal(
            ConnectorError::Rejected(upstream("IW/123")),
            StatusAction::Close,
            &[],
        );
        assert!(
            matches!(&e, ConnectorError::Conflict(u) if u.message.as_deref() == Some("Order 4000123 has status CRTD; closing not allowed")),
            "{e:?}"
        );
        let e = refusal(
            ConnectorError::Rejected(upstream("/IWBEP/CM_MGW_RT/004")),
            StatusAction::Close,
            &[],
        );
        assert!(matches!(e, ConnectorError::Rejected(_)), "{e:?}");
        let e = refusal(
            ConnectorError::Rejected(upstream("IW/123")),
            StatusAction::Close,
            &[StatusAction::Release, StatusAction::SetTechnicallyCompleted],
        );
        match e {
            ConnectorError::Conflict(u) => assert_eq!(
                u.message.as_deref(),
                Some(
                    "Order 4000123 has status CRTD; closing not allowed (SetMaintOrderStatusToClosed refused after ReleaseMaintenanceOrder, SetMaintOrdToTechCompleted succeeded)"
                )
            ),
            other => panic!("expected Conflict, got {other:?}"),
        }
        let e = refusal(ConnectorError::NotFound(None), StatusAction::Release, &[]);
        assert!(matches!(e, ConnectorError::NotFound(None)));
    }

    #[test]
    fn unreachable_targets_explain_themselves() {
        let e = unreachable_target(
            Unreachable::NoWayBack {
                from: "REL".into(),
                to: mw_model::WorkOrderStatus::Requested,
            },
            "4000123",
        );
        match e {
            ConnectorError::Invalid(errors) => {
                assert_eq!(errors[0].path, "$.status");
                assert!(
                    errors[0].message.contains("REL back to `requested`"),
                    "{}",
                    errors[0].message
                );
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        let e = unreachable_target(
            Unreachable::NoSapStatus(mw_model::WorkOrderStatus::OnHold),
            "4000123",
        );
        assert!(
            matches!(&e, ConnectorError::NotSupported { what } if what.contains("`on_hold`")),
            "{e:?}"
        );
    }
}
