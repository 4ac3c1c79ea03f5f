//! The account's small masters: one subsidiary, the currencies it trades in, a chart of
//! accounts with the adjustment accounts inventory adjustments post to, and the inventory
//! locations (warehouses and plant stores; how many is the profile's `[netsuite] locations`).
//!
//! These are fixed lists, not drawn from the seed: they are the configuration of the account,
//! and a client may reasonably take their ids from configuration (`subsidiary` 1, `currency` 1).

use rust_decimal::Decimal;

use super::{SECONDS_PER_DAY, Stamp};
use crate::Profile;

/// A subsidiary of the OneWorld account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subsidiary {
    pub(crate) id: u32,
    pub(crate) name: &'static str,
    pub(crate) legal_name: &'static str,
    pub(crate) currency: u32,
    pub(crate) country: (&'static str, &'static str),
}

pub(crate) const SUBSIDIARIES: [Subsidiary; 1] = [Subsidiary {
    id: 1,
    name: "Millwright Manufacturing",
    legal_name: "Millwright Manufacturing Inc.",
    currency: 1,
    country: ("US", "United States"),
}];

/// A currency with its exchange rate to the base currency (USD), fixed for the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Currency {
    pub(crate) id: u32,
    pub(crate) name: &'static str,
    pub(crate) symbol: &'static str,
    pub(crate) display_symbol: &'static str,
    /// Units of 1/10,000.
    pub(crate) rate_ten_thousandths: i64,
}

impl Currency {
    pub(crate) fn exchange_rate(&self) -> Decimal {
        Decimal::new(self.rate_ten_thousandths, 4).normalize()
    }
}

pub(crate) const CURRENCIES: [Currency; 4] = [
    Currency {
        id: 1,
        name: "US Dollar",
        symbol: "USD",
        display_symbol: "$",
        rate_ten_thousandths: 10_000,
    },
    Currency {
        id: 2,
        name: "Canadian Dollar",
        symbol: "CAD",
        display_symbol: "CA$",
        rate_ten_thousandths: 7_300,
    },
    Currency {
        id: 3,
        name: "Euro",
        symbol: "EUR",
        display_symbol: "€",
        rate_ten_thousandths: 10_850,
    },
    Currency {
        id: 4,
        name: "British pound",
        symbol: "GBP",
        display_symbol: "£",
        rate_ten_thousandths: 12_700,
    },
];

pub(crate) fn currency(id: u32) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|c| c.id == id)
}

pub(crate) fn subsidiary(id: u32) -> Option<&'static Subsidiary> {
    SUBSIDIARIES.iter().find(|s| s.id == id)
}

/// An account type: the SuiteQL id and the display text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AccountType {
    pub(crate) id: &'static str,
    pub(crate) text: &'static str,
    /// Whether an inventory adjustment may post to accounts of this type.
    pub(crate) adjustable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Account {
    pub(crate) id: u32,
    pub(crate) number: &'static str,
    pub(crate) name: &'static str,
    pub(crate) kind: AccountType,
    pub(crate) description: &'static str,
}

impl Account {
    /// `5200 Inventory Adjustments`, how NetSuite names an account in lists and references.
    pub(crate) fn full_name(&self) -> String {
        format!("{} {}", self.number, self.name)
    }
}

const BANK: AccountType = AccountType {
    id: "Bank",
    text: "Bank",
    adjustable: false,
};
const RECEIVABLE: AccountType = AccountType {
    id: "AcctRec",
    text: "Accounts Receivable",
    adjustable: false,
};
const CURRENT_ASSET: AccountType = AccountType {
    id: "OthCurrAsset",
    text: "Other Current Asset",
    adjustable: false,
};
const PAYABLE: AccountType = AccountType {
    id: "AcctPay",
    text: "Accounts Payable",
    adjustable: false,
};
const EQUITY: AccountType = AccountType {
    id: "Equity",
    text: "Equity",
    adjustable: false,
};
const INCOME: AccountType = AccountType {
    id: "Income",
    text: "Income",
    adjustable: false,
};
const COGS: AccountType = AccountType {
    id: "COGS",
    text: "Cost of Goods Sold",
    adjustable: true,
};
const EXPENSE: AccountType = AccountType {
    id: "Expense",
    text: "Expense",
    adjustable: true,
};
const OTHER_EXPENSE: AccountType = AccountType {
    id: "OthExpense",
    text: "Other Expense",
    adjustable: true,
};

pub(crate) const ACCOUNTS: [Account; 10] = [
    Account {
        id: 1,
        number: "1000",
        name: "Operating Account",
        kind: BANK,
        description: "Main bank account",
    },
    Account {
        id: 2,
        number: "1100",
        name: "Accounts Receivable",
        kind: RECEIVABLE,
        description: "Trade receivables",
    },
    Account {
        id: 3,
        number: "1200",
        name: "Inventory Asset",
        kind: CURRENT_ASSET,
        description: "Inventory on hand at cost",
    },
    Account {
        id: 4,
        number: "2000",
        name: "Accounts Payable",
        kind: PAYABLE,
        description: "Trade payables",
    },
    Account {
        id: 5,
        number: "3000",
        name: "Retained Earnings",
        kind: EQUITY,
        description: "Retained earnings",
    },
    Account {
        id: 6,
        number: "4000",
        name: "Sales",
        kind: INCOME,
        description: "Product sales",
    },
    Account {
        id: 7,
        number: "5000",
        name: "Cost of Goods Sold",
        kind: COGS,
        description: "Cost of goods sold",
    },
    Account {
        id: 8,
        number: "5200",
        name: "Inventory Adjustments",
        kind: COGS,
        description: "Cycle count and shrinkage adjustments",
    },
    Account {
        id: 9,
        number: "6100",
        name: "Scrap Expense",
        kind: EXPENSE,
        description: "Scrapped material",
    },
    Account {
        id: 10,
        number: "7100",
        name: "Inventory Write-offs",
        kind: OTHER_EXPENSE,
        description: "Obsolete inventory written off",
    },
];

/// The asset and cost accounts of inventory items.
pub(crate) const INVENTORY_ASSET_ACCOUNT: u32 = 3;
pub(crate) const COGS_ACCOUNT: u32 = 7;

pub(crate) fn account(id: u32) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|a| a.id == id)
}

/// An inventory location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) subsidiary: u32,
    /// `(id, text)` of the location type.
    pub(crate) kind: (&'static str, &'static str),
    pub(crate) tran_prefix: String,
    pub(crate) city: &'static str,
    pub(crate) state: &'static str,
    pub(crate) last_modified: Stamp,
}

const LOCATION_NAMES: [(&str, &str, &str); 12] = [
    ("Main Warehouse", "Grand Prairie", "TX"),
    ("Plant 1 Stores", "Fort Worth", "TX"),
    ("Maintenance Crib", "Fort Worth", "TX"),
    ("Distribution Center East", "Columbus", "OH"),
    ("Plant 2 Stores", "Toledo", "OH"),
    ("Distribution Center West", "Reno", "NV"),
    ("Plant 3 Stores", "Fresno", "CA"),
    ("Spare Parts Depot", "Memphis", "TN"),
    ("Packaging Store", "Dallas", "TX"),
    ("Quarantine Area", "Grand Prairie", "TX"),
    ("Plant 4 Stores", "Greenville", "SC"),
    ("Regional Warehouse South", "Atlanta", "GA"),
];

/// The masters of one emulator.
#[derive(Clone, Debug)]
pub(crate) struct Masters {
    pub(crate) locations: Vec<Location>,
}

impl Masters {
    pub(crate) fn new(profile: &Profile) -> Self {
        let configured = Stamp(
            profile.clock_start.timestamp()
                - (i64::from(profile.history_days) + 400) * SECONDS_PER_DAY,
        )
        .floor_minute();
        let locations = (1..=profile.netsuite.locations)
            .map(|id| {
                let position = usize::try_from(id - 1).unwrap_or(0);
                let (name, city, state) = LOCATION_NAMES[position % LOCATION_NAMES.len()];
                let round = position / LOCATION_NAMES.len();
                let name = if round == 0 {
                    name.to_owned()
                } else {
                    format!("{name} {}", round + 1)
                };
                let kind = if name.contains("Stores") || name.contains("Crib") {
                    ("2", "Plant")
                } else {
                    ("1", "Warehouse")
                };
                Location {
                    id,
                    tran_prefix: format!("L{id:02}"),
                    name,
                    subsidiary: 1,
                    kind,
                    city,
                    state,
                    last_modified: configured,
                }
            })
            .collect();
        Masters { locations }
    }

    pub(crate) fn location(&self, id: u32) -> Option<&Location> {
        id.checked_sub(1)
            .and_then(|index| self.locations.get(usize::try_from(index).ok()?))
    }

    pub(crate) fn location_count(&self) -> u32 {
        u32::try_from(self.locations.len()).unwrap_or(u32::MAX)
    }
}
