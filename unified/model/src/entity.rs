//! The systems Millwright connects and the entities it serves, with their wire names.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A source system. The wire name (`sap`, `netsuite`, `maximo`) is the one used by the emulator
/// manifest and by `POST /v1/connections`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    Sap,
    Netsuite,
    Maximo,
}

impl System {
    pub const ALL: [System; 3] = [System::Sap, System::Netsuite, System::Maximo];

    pub fn as_str(self) -> &'static str {
        match self {
            System::Sap => "sap",
            System::Netsuite => "netsuite",
            System::Maximo => "maximo",
        }
    }

    /// The product name, for reports and messages.
    pub fn display_name(self) -> &'static str {
        match self {
            System::Sap => "SAP S/4HANA",
            System::Netsuite => "NetSuite",
            System::Maximo => "IBM Maximo",
        }
    }
}

/// A canonical entity. The wire name is the path segment under `/v1/connections/{id}/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    PurchaseOrders,
    WorkOrders,
    Assets,
    Inventory,
    Vendors,
}

impl Entity {
    pub const ALL: [Entity; 5] = [
        Entity::PurchaseOrders,
        Entity::WorkOrders,
        Entity::Assets,
        Entity::Inventory,
        Entity::Vendors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::PurchaseOrders => "purchase-orders",
            Entity::WorkOrders => "work-orders",
            Entity::Assets => "assets",
            Entity::Inventory => "inventory",
            Entity::Vendors => "vendors",
        }
    }

    /// Singular event prefix, as in `purchase_order.created`.
    pub fn event_name(self) -> &'static str {
        match self {
            Entity::PurchaseOrders => "purchase_order",
            Entity::WorkOrders => "work_order",
            Entity::Assets => "asset",
            Entity::Inventory => "inventory_level",
            Entity::Vendors => "vendor",
        }
    }
}

/// A name that is not a known system or entity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`; expected one of {expected}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    pub expected: String,
}

macro_rules! wire_names {
    ($ty:ty, $kind:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                <$ty>::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName {
                        kind: $kind,
                        name: s.to_owned(),
                        expected: <$ty>::ALL.map(|v| v.as_str()).join(", "),
                    })
            }
        }
    };
}
wire_names!(System, "system");
wire_names!(Entity, "entity");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_str() {
        for e in Entity::ALL {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.as_str()));
            assert_eq!(e.as_str().parse::<Entity>().unwrap(), e);
        }
        for s in System::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
            assert_eq!(s.as_str().parse::<System>().unwrap(), s);
        }
        let err = "sales-orders".parse::<Entity>().unwrap_err();
        assert!(err.to_string().contains("purchase-orders"), "{err}");
    }
}
