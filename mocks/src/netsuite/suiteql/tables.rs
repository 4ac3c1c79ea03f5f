//! The SuiteQL tables the emulator answers and how their columns read the data.
//!
//! `transaction` (purchase orders `PurchOrd`, inventory adjustments `InvAdjst`),
//! `transactionline` (one `mainline = 'T'` row per transaction with line id 0, then one row per
//! item line), `vendor`, `item`, `inventoryitemlocations` and `aggregateitemlocation` (one row
//! per item and stocked location), `location`, `account`, `currency` and `subsidiary`. Column
//! names are NetSuite's lower-case SuiteQL names; booleans are `'T'`/`'F'`; reference columns
//! hold the internal id (`BUILTIN.DF` gives the display text); a purchase order's `status` is
//! `PurchOrd:<letter>`.

use std::rc::Rc;

use rust_decimal::Decimal;

use super::value::Value;
use crate::netsuite::data::NetSuiteData;
use crate::netsuite::data::items::{Item, Level};
use crate::netsuite::data::masters::{
    ACCOUNTS, Account, CURRENCIES, Currency, Location, SUBSIDIARIES, Subsidiary, account, currency,
    subsidiary,
};
use crate::netsuite::data::transactions::{
    InventoryAdjustment, PurchaseOrder, Transaction, TxnHandle, TxnKind,
};
use crate::netsuite::data::vendors::Vendor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    Transaction,
    TransactionLine,
    Vendor,
    Item,
    ItemLocations,
    AggregateItemLocation,
    Location,
    Account,
    Currency,
    Subsidiary,
}

/// What a reference column points at, for `BUILTIN.DF`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Vendor,
    Item,
    Location,
    Currency,
    Subsidiary,
    Account,
    Transaction,
    Status,
    TxnType,
    Approval,
    AccountType,
    LocationType,
    ItemType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
    Date,
    Flag,
    Ref(Target),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

const TRANSACTION: &[Column] = &[
    col("id", Kind::Number),
    col("tranid", Kind::Text),
    col("transactionnumber", Kind::Text),
    col("type", Kind::Ref(Target::TxnType)),
    col("recordtype", Kind::Text),
    col("trandate", Kind::Date),
    col("duedate", Kind::Date),
    col("entity", Kind::Ref(Target::Vendor)),
    col("status", Kind::Ref(Target::Status)),
    col("approvalstatus", Kind::Ref(Target::Approval)),
    col("currency", Kind::Ref(Target::Currency)),
    col("exchangerate", Kind::Number),
    col("foreigntotal", Kind::Number),
    col("memo", Kind::Text),
    col("externalid", Kind::Text),
    col("createddate", Kind::Date),
    col("lastmodifieddate", Kind::Date),
];

const TRANSACTION_LINE: &[Column] = &[
    col("transaction", Kind::Ref(Target::Transaction)),
    col("id", Kind::Number),
    col("linesequencenumber", Kind::Number),
    col("uniquekey", Kind::Number),
    col("mainline", Kind::Flag),
    col("taxline", Kind::Flag),
    col("item", Kind::Ref(Target::Item)),
    col("itemtype", Kind::Ref(Target::ItemType)),
    col("quantity", Kind::Number),
    col("rate", Kind::Number),
    col("netamount", Kind::Number),
    col("foreignamount", Kind::Number),
    col("location", Kind::Ref(Target::Location)),
    col("subsidiary", Kind::Ref(Target::Subsidiary)),
    col("entity", Kind::Ref(Target::Vendor)),
    col("account", Kind::Ref(Target::Account)),
    col("memo", Kind::Text),
    col("isclosed", Kind::Flag),
    col("quantitybilled", Kind::Number),
    col("quantityshiprecv", Kind::Number),
    col("expectedreceiptdate", Kind::Date),
];

const VENDOR: &[Column] = &[
    col("id", Kind::Number),
    col("entityid", Kind::Text),
    col("companyname", Kind::Text),
    col("legalname", Kind::Text),
    col("email", Kind::Text),
    col("phone", Kind::Text),
    col("isperson", Kind::Flag),
    col("isinactive", Kind::Flag),
    col("subsidiary", Kind::Ref(Target::Subsidiary)),
    col("currency", Kind::Ref(Target::Currency)),
    col("externalid", Kind::Text),
    col("datecreated", Kind::Date),
    col("lastmodifieddate", Kind::Date),
];

const ITEM: &[Column] = &[
    col("id", Kind::Number),
    col("itemid", Kind::Text),
    col("fullname", Kind::Text),
    col("displayname", Kind::Text),
    col("description", Kind::Text),
    col("itemtype", Kind::Ref(Target::ItemType)),
    col("isinactive", Kind::Flag),
    col("cost", Kind::Number),
    col("averagecost", Kind::Number),
    col("assetaccount", Kind::Ref(Target::Account)),
    col("cogsaccount", Kind::Ref(Target::Account)),
    col("externalid", Kind::Text),
    col("createddate", Kind::Date),
    col("lastmodifieddate", Kind::Date),
];

const ITEM_LOCATIONS: &[Column] = &[
    col("item", Kind::Ref(Target::Item)),
    col("location", Kind::Ref(Target::Location)),
    col("quantityonhand", Kind::Number),
    col("quantityavailable", Kind::Number),
    col("quantityonorder", Kind::Number),
    col("quantitycommitted", Kind::Number),
    col("quantitybackordered", Kind::Number),
    col("quantityintransit", Kind::Number),
    col("reorderpoint", Kind::Number),
    col("preferredstocklevel", Kind::Number),
];

const LOCATION: &[Column] = &[
    col("id", Kind::Number),
    col("name", Kind::Text),
    col("fullname", Kind::Text),
    col("isinactive", Kind::Flag),
    col("subsidiary", Kind::Ref(Target::Subsidiary)),
    col("locationtype", Kind::Ref(Target::LocationType)),
    col("tranprefix", Kind::Text),
    col("makeinventoryavailable", Kind::Flag),
    col("lastmodifieddate", Kind::Date),
];

const ACCOUNT: &[Column] = &[
    col("id", Kind::Number),
    col("acctnumber", Kind::Text),
    col("accountsearchdisplayname", Kind::Text),
    col("fullname", Kind::Text),
    col("accttype", Kind::Ref(Target::AccountType)),
    col("description", Kind::Text),
    col("isinactive", Kind::Flag),
    col("issummary", Kind::Flag),
];

const CURRENCY: &[Column] = &[
    col("id", Kind::Number),
    col("name", Kind::Text),
    col("symbol", Kind::Text),
    col("displaysymbol", Kind::Text),
    col("exchangerate", Kind::Number),
    col("isbasecurrency", Kind::Flag),
    col("isinactive", Kind::Flag),
];

const SUBSIDIARY: &[Column] = &[
    col("id", Kind::Number),
    col("name", Kind::Text),
    col("fullname", Kind::Text),
    col("legalname", Kind::Text),
    col("currency", Kind::Ref(Target::Currency)),
    col("country", Kind::Text),
    col("isinactive", Kind::Flag),
];

impl Table {
    pub(crate) fn parse(name: &str) -> Option<Table> {
        Some(match name.to_ascii_lowercase().as_str() {
            "transaction" => Table::Transaction,
            "transactionline" => Table::TransactionLine,
            "vendor" => Table::Vendor,
            "item" => Table::Item,
            "inventoryitemlocations" => Table::ItemLocations,
            "aggregateitemlocation" => Table::AggregateItemLocation,
            "location" => Table::Location,
            "account" => Table::Account,
            "currency" => Table::Currency,
            "subsidiary" => Table::Subsidiary,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Transaction => "transaction",
            Table::TransactionLine => "transactionline",
            Table::Vendor => "vendor",
            Table::Item => "item",
            Table::ItemLocations => "inventoryitemlocations",
            Table::AggregateItemLocation => "aggregateitemlocation",
            Table::Location => "location",
            Table::Account => "account",
            Table::Currency => "currency",
            Table::Subsidiary => "subsidiary",
        }
    }

    pub(crate) fn columns(self) -> &'static [Column] {
        match self {
            Table::Transaction => TRANSACTION,
            Table::TransactionLine => TRANSACTION_LINE,
            Table::Vendor => VENDOR,
            Table::Item => ITEM,
            Table::ItemLocations | Table::AggregateItemLocation => ITEM_LOCATIONS,
            Table::Location => LOCATION,
            Table::Account => ACCOUNT,
            Table::Currency => CURRENCY,
            Table::Subsidiary => SUBSIDIARY,
        }
    }

    pub(crate) fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// The column a join can look rows up by, without scanning the table.
    pub(crate) fn lookup_column(self) -> &'static str {
        match self {
            Table::TransactionLine => "transaction",
            Table::ItemLocations | Table::AggregateItemLocation => "item",
            _ => "id",
        }
    }

    /// Tables too large to scan once per row of another table.
    pub(crate) fn is_large(self) -> bool {
        matches!(self, Table::Transaction | Table::TransactionLine)
    }
}

/// One row of some table, cheap to clone.
#[derive(Clone, Debug)]
pub(crate) enum RowRef<'a> {
    Txn(Rc<TxnHandle<'a>>),
    /// Line `index` of a transaction: 0 is the main line, `n` the n-th item line.
    Line(Rc<TxnHandle<'a>>, usize),
    Vendor(Rc<Vendor>),
    Item(Rc<Item>),
    Level(Rc<Level>),
    Location(&'a Location),
    Account(&'static Account),
    Currency(&'static Currency),
    Subsidiary(&'static Subsidiary),
}

fn num(value: Decimal) -> Value {
    Value::Num(value)
}

fn id(value: u64) -> Value {
    Value::Num(Decimal::from(value))
}

fn opt_text(value: Option<&String>) -> Value {
    value.map_or(Value::Null, |v| Value::text(v.clone()))
}

impl RowRef<'_> {
    pub(crate) fn get(&self, column: &str) -> Value {
        match self {
            RowRef::Txn(handle) => transaction_value(handle, column),
            RowRef::Line(handle, index) => line_value(handle, *index, column),
            RowRef::Vendor(vendor) => vendor_value(vendor, column),
            RowRef::Item(item) => item_value(item, column),
            RowRef::Level(level) => level_value(level, column),
            RowRef::Location(location) => location_value(location, column),
            RowRef::Account(account) => account_value(account, column),
            RowRef::Currency(currency) => currency_value(currency, column),
            RowRef::Subsidiary(subsidiary) => subsidiary_value(subsidiary, column),
        }
    }
}

fn transaction_value(handle: &TxnHandle<'_>, column: &str) -> Value {
    // Id, type and stamps come with the handle: filters on them never draw the order.
    match column {
        "id" => return id(handle.id),
        "type" => return Value::text(handle.kind.code()),
        "recordtype" => return Value::text(handle.kind.record_type()),
        "createddate" => return Value::stamp(handle.created),
        "lastmodifieddate" => return Value::stamp(handle.last_modified),
        _ => {}
    }
    match handle.record().as_ref() {
        Transaction::PurchaseOrder(po) => po_value(po, column),
        Transaction::InventoryAdjustment(adjustment) => adjustment_value(adjustment, column),
    }
}

fn po_value(po: &PurchaseOrder, column: &str) -> Value {
    match column {
        "tranid" => Value::text(po.tran_id.clone()),
        "transactionnumber" => Value::text(po.tran_id.replacen("PO", "PURCHORD", 1)),
        "trandate" => Value::date_of(po.tran_date),
        "duedate" => po.due_date.map_or(Value::Null, Value::date_of),
        "entity" => id(po.vendor),
        "status" => Value::text(format!("PurchOrd:{}", po.derive_status().letter())),
        "approvalstatus" => Value::text(po.approval.id()),
        "currency" => id(u64::from(po.currency)),
        "exchangerate" => num(po.exchange_rate),
        "foreigntotal" => num(po.total()),
        "memo" => opt_text(po.memo.as_ref()),
        "externalid" => opt_text(po.external_id.as_ref()),
        _ => Value::Null,
    }
}

fn adjustment_value(adjustment: &InventoryAdjustment, column: &str) -> Value {
    match column {
        "tranid" => Value::text(adjustment.tran_id.clone()),
        "transactionnumber" => Value::text(adjustment.tran_id.replacen("ADJ", "INVADJ", 1)),
        "trandate" => Value::date_of(adjustment.tran_date),
        "currency" => id(1),
        "exchangerate" => num(Decimal::ONE),
        "memo" => opt_text(adjustment.memo.as_ref()),
        "externalid" => opt_text(adjustment.external_id.as_ref()),
        _ => Value::Null,
    }
}

fn line_value(handle: &TxnHandle<'_>, index: usize, column: &str) -> Value {
    let line_id = u64::try_from(index).unwrap_or(0);
    match column {
        "transaction" => return id(handle.id),
        "id" | "linesequencenumber" => return id(line_id),
        "uniquekey" => return id(handle.id.saturating_mul(1_000).saturating_add(line_id)),
        "mainline" => return Value::flag(index == 0),
        "taxline" => return Value::flag(false),
        _ => {}
    }
    match handle.record().as_ref() {
        Transaction::PurchaseOrder(po) => po_line_value(po, index, column),
        Transaction::InventoryAdjustment(adjustment) => {
            adjustment_line_value(adjustment, index, column)
        }
    }
}

fn po_line_value(po: &PurchaseOrder, index: usize, column: &str) -> Value {
    if index == 0 {
        return match column {
            "netamount" | "foreignamount" => num(po.total()),
            "location" => po.location.map_or(Value::Null, |l| id(u64::from(l))),
            "subsidiary" => id(u64::from(po.subsidiary)),
            "entity" => id(po.vendor),
            "memo" => opt_text(po.memo.as_ref()),
            "isclosed" => Value::flag(po.lines.iter().all(|l| l.is_closed)),
            _ => Value::Null,
        };
    }
    let Some(line) = po.lines.get(index - 1) else {
        return Value::Null;
    };
    match column {
        "item" => id(line.item),
        "itemtype" => Value::text("InvtPart"),
        "quantity" => num(line.quantity),
        "rate" => num(line.rate),
        "netamount" | "foreignamount" => num(line.amount()),
        "location" => line.location.map_or(Value::Null, |l| id(u64::from(l))),
        "subsidiary" => id(u64::from(po.subsidiary)),
        "entity" => id(po.vendor),
        "memo" => Value::text(line.description.clone()),
        "isclosed" => Value::flag(line.is_closed),
        "quantitybilled" => num(line.quantity_billed),
        "quantityshiprecv" => num(line.quantity_received),
        "expectedreceiptdate" => line.expected_receipt.map_or(Value::Null, Value::date_of),
        _ => Value::Null,
    }
}

fn adjustment_line_value(adjustment: &InventoryAdjustment, index: usize, column: &str) -> Value {
    if index == 0 {
        return match column {
            "location" => adjustment
                .adj_location
                .map_or(Value::Null, |l| id(u64::from(l))),
            "subsidiary" => id(u64::from(adjustment.subsidiary)),
            "account" => id(u64::from(adjustment.account)),
            "memo" => opt_text(adjustment.memo.as_ref()),
            "isclosed" => Value::flag(false),
            _ => Value::Null,
        };
    }
    let Some(line) = adjustment.lines.get(index - 1) else {
        return Value::Null;
    };
    match column {
        "item" => id(line.item),
        "itemtype" => Value::text("InvtPart"),
        "quantity" => num(line.adjust_qty_by),
        "location" => id(u64::from(line.location)),
        "subsidiary" => id(u64::from(adjustment.subsidiary)),
        "account" => id(u64::from(adjustment.account)),
        "memo" => opt_text(line.memo.as_ref()),
        "isclosed" => Value::flag(false),
        _ => Value::Null,
    }
}

/// How many rows (main line included) a transaction has in `transactionline`.
pub(crate) fn line_count(handle: &TxnHandle<'_>) -> usize {
    1 + match handle.record().as_ref() {
        Transaction::PurchaseOrder(po) => po.lines.len(),
        Transaction::InventoryAdjustment(adjustment) => adjustment.lines.len(),
    }
}

fn vendor_value(vendor: &Vendor, column: &str) -> Value {
    match column {
        "id" => id(vendor.id),
        "entityid" => Value::text(vendor.entity_id.clone()),
        "companyname" => Value::text(vendor.company_name.clone()),
        "legalname" => opt_text(vendor.legal_name.as_ref()),
        "email" => opt_text(vendor.email.as_ref()),
        "phone" => opt_text(vendor.phone.as_ref()),
        "isperson" => Value::flag(false),
        "isinactive" => Value::flag(vendor.is_inactive),
        "subsidiary" => id(u64::from(vendor.subsidiary)),
        "currency" => id(u64::from(vendor.currency)),
        "externalid" => opt_text(vendor.external_id.as_ref()),
        "datecreated" => Value::stamp(vendor.date_created),
        "lastmodifieddate" => Value::stamp(vendor.last_modified),
        _ => Value::Null,
    }
}

fn item_value(item: &Item, column: &str) -> Value {
    match column {
        "id" => id(item.id),
        "itemid" | "fullname" => Value::text(item.item_id.clone()),
        "displayname" => Value::text(item.display_name.clone()),
        "description" => Value::text(item.description.clone()),
        "itemtype" => Value::text("InvtPart"),
        "isinactive" => Value::flag(item.is_inactive),
        "cost" => num(item.cost),
        "averagecost" => num(item.average_cost),
        "assetaccount" => id(u64::from(
            crate::netsuite::data::masters::INVENTORY_ASSET_ACCOUNT,
        )),
        "cogsaccount" => id(u64::from(crate::netsuite::data::masters::COGS_ACCOUNT)),
        "createddate" => Value::stamp(item.created),
        "lastmodifieddate" => Value::stamp(item.last_modified),
        _ => Value::Null,
    }
}

fn level_value(level: &Level, column: &str) -> Value {
    match column {
        "item" => id(level.item),
        "location" => id(u64::from(level.location)),
        "quantityonhand" => num(level.on_hand),
        "quantityavailable" => num(level.available()),
        "quantityonorder" => num(level.on_order),
        "quantitycommitted" => num(level.committed),
        "quantitybackordered" | "quantityintransit" => num(Decimal::ZERO),
        "reorderpoint" => num(level.reorder_point),
        "preferredstocklevel" => num(level.preferred),
        _ => Value::Null,
    }
}

fn location_value(location: &Location, column: &str) -> Value {
    match column {
        "id" => id(u64::from(location.id)),
        "name" | "fullname" => Value::text(location.name.clone()),
        "isinactive" => Value::flag(false),
        "subsidiary" => id(u64::from(location.subsidiary)),
        "locationtype" => Value::text(location.kind.0),
        "tranprefix" => Value::text(location.tran_prefix.clone()),
        "makeinventoryavailable" => Value::flag(true),
        "lastmodifieddate" => Value::stamp(location.last_modified),
        _ => Value::Null,
    }
}

fn account_value(account: &Account, column: &str) -> Value {
    match column {
        "id" => id(u64::from(account.id)),
        "acctnumber" => Value::text(account.number),
        "accountsearchdisplayname" => Value::text(account.full_name()),
        "fullname" => Value::text(account.name),
        "accttype" => Value::text(account.kind.id),
        "description" => Value::text(account.description),
        "isinactive" | "issummary" => Value::flag(false),
        _ => Value::Null,
    }
}

fn currency_value(currency: &Currency, column: &str) -> Value {
    match column {
        "id" => id(u64::from(currency.id)),
        "name" => Value::text(currency.name),
        "symbol" => Value::text(currency.symbol),
        "displaysymbol" => Value::text(currency.display_symbol),
        "exchangerate" => num(currency.exchange_rate()),
        "isbasecurrency" => Value::flag(currency.id == 1),
        "isinactive" => Value::flag(false),
        _ => Value::Null,
    }
}

fn subsidiary_value(subsidiary: &Subsidiary, column: &str) -> Value {
    match column {
        "id" => id(u64::from(subsidiary.id)),
        "name" | "fullname" => Value::text(subsidiary.name),
        "legalname" => Value::text(subsidiary.legal_name),
        "currency" => id(u64::from(subsidiary.currency)),
        "country" => Value::text(subsidiary.country.0),
        "isinactive" => Value::flag(false),
        _ => Value::Null,
    }
}

fn key_of(value: &Value) -> Option<u64> {
    match value {
        Value::Num(n) if n.fract().is_zero() => u64::try_from(*n).ok(),
        Value::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Rows of `table` whose lookup column equals `key`.
pub(crate) fn lookup<'a>(data: &'a NetSuiteData, table: Table, key: &Value) -> Vec<RowRef<'a>> {
    let Some(key) = key_of(key) else {
        return Vec::new();
    };
    let small = |k: u64| u32::try_from(k).ok();
    match table {
        Table::Transaction => data
            .transactions
            .handle(key)
            .map(|h| vec![RowRef::Txn(Rc::new(h))])
            .unwrap_or_default(),
        Table::TransactionLine => match data.transactions.handle(key) {
            Some(handle) => {
                let handle = Rc::new(handle);
                (0..line_count(&handle))
                    .map(|index| RowRef::Line(Rc::clone(&handle), index))
                    .collect()
            }
            None => Vec::new(),
        },
        Table::Vendor => data
            .vendors
            .get(key)
            .map(|v| vec![RowRef::Vendor(Rc::new(v))])
            .unwrap_or_default(),
        Table::Item => data
            .items
            .get(key)
            .map(|i| vec![RowRef::Item(Rc::new(i))])
            .unwrap_or_default(),
        Table::ItemLocations | Table::AggregateItemLocation => data
            .levels
            .levels_of(&data.items, key)
            .into_iter()
            .map(|l| RowRef::Level(Rc::new(l)))
            .collect(),
        Table::Location => small(key)
            .and_then(|k| data.masters.location(k))
            .map(|l| vec![RowRef::Location(l)])
            .unwrap_or_default(),
        Table::Account => small(key)
            .and_then(account)
            .map(|a| vec![RowRef::Account(a)])
            .unwrap_or_default(),
        Table::Currency => small(key)
            .and_then(currency)
            .map(|c| vec![RowRef::Currency(c)])
            .unwrap_or_default(),
        Table::Subsidiary => small(key)
            .and_then(subsidiary)
            .map(|s| vec![RowRef::Subsidiary(s)])
            .unwrap_or_default(),
    }
}

/// Every row of a table other than the transaction tables, from id (or item) `from` on.
pub(crate) fn scan_small<'a>(
    data: &'a NetSuiteData,
    table: Table,
    from: u64,
    visit: &mut dyn FnMut(RowRef<'a>) -> bool,
) {
    match table {
        Table::Vendor => data
            .vendors
            .scan(from, &mut |vendor| visit(RowRef::Vendor(Rc::new(vendor)))),
        Table::Item => {
            let first = crate::netsuite::data::items::FIRST_ITEM;
            let start = from.saturating_sub(first).min(data.items.count());
            for index in start..data.items.count() {
                if !visit(RowRef::Item(Rc::new(data.items.item(index)))) {
                    return;
                }
            }
        }
        Table::ItemLocations | Table::AggregateItemLocation => {
            data.levels.scan(&data.items, from, &mut |level| {
                visit(RowRef::Level(Rc::new(level)))
            })
        }
        Table::Location => {
            for location in &data.masters.locations {
                if u64::from(location.id) >= from && !visit(RowRef::Location(location)) {
                    return;
                }
            }
        }
        Table::Account => {
            for account in &ACCOUNTS {
                if u64::from(account.id) >= from && !visit(RowRef::Account(account)) {
                    return;
                }
            }
        }
        Table::Currency => {
            for currency in &CURRENCIES {
                if u64::from(currency.id) >= from && !visit(RowRef::Currency(currency)) {
                    return;
                }
            }
        }
        Table::Subsidiary => {
            for subsidiary in &SUBSIDIARIES {
                if u64::from(subsidiary.id) >= from && !visit(RowRef::Subsidiary(subsidiary)) {
                    return;
                }
            }
        }
        Table::Transaction | Table::TransactionLine => {}
    }
}

/// The display text `BUILTIN.DF` gives a reference value.
pub(crate) fn display(data: &NetSuiteData, target: Target, value: &Value) -> Value {
    if value.is_null() {
        return Value::Null;
    }
    let key = key_of(value);
    let small = key.and_then(|k| u32::try_from(k).ok());
    let text: Option<String> = match target {
        Target::Vendor => key
            .and_then(|k| data.vendors.get(k))
            .map(|v| v.company_name),
        Target::Item => key.and_then(|k| data.items.get(k)).map(|i| i.item_id),
        Target::Location => small
            .and_then(|k| data.masters.location(k))
            .map(|l| l.name.clone()),
        Target::Currency => small.and_then(currency).map(|c| c.name.to_owned()),
        Target::Subsidiary => small.and_then(subsidiary).map(|s| s.name.to_owned()),
        Target::Account => small.and_then(account).map(Account::full_name),
        Target::Transaction => key.and_then(|k| data.transactions.get(k)).map(|txn| {
            let tran_id = match txn.as_ref() {
                Transaction::PurchaseOrder(po) => po.tran_id.clone(),
                Transaction::InventoryAdjustment(adjustment) => adjustment.tran_id.clone(),
            };
            format!("{} #{tran_id}", txn.kind().text())
        }),
        Target::Status => value.as_text().and_then(|code| {
            let letter = code.strip_prefix("PurchOrd:")?.to_owned();
            let text = [
                ("A", "Pending Supervisor Approval"),
                ("B", "Pending Receipt"),
                ("C", "Rejected by Supervisor"),
                ("D", "Partially Received"),
                ("E", "Pending Billing/Partially Received"),
                ("F", "Pending Bill"),
                ("G", "Fully Billed"),
                ("H", "Closed"),
            ]
            .iter()
            .find(|(l, _)| *l == letter)?
            .1;
            Some(format!("Purchase Order : {text}"))
        }),
        Target::TxnType => value.as_text().and_then(|code| {
            [TxnKind::PurchaseOrder, TxnKind::InventoryAdjustment]
                .into_iter()
                .find(|kind| kind.code() == code)
                .map(|kind| kind.text().to_owned())
        }),
        Target::Approval => value.as_text().and_then(|code| {
            crate::netsuite::data::transactions::Approval::from_id(&code)
                .map(|a| a.text().to_owned())
        }),
        Target::AccountType => value.as_text().and_then(|code| {
            ACCOUNTS
                .iter()
                .find(|a| a.kind.id == code)
                .map(|a| a.kind.text.to_owned())
        }),
        Target::LocationType => value
            .as_text()
            .map(|code| String::from(if code == "2" { "Plant" } else { "Warehouse" })),
        Target::ItemType => Some(String::from("Inventory Item")),
    };
    text.map_or(Value::Null, Value::Str)
}
