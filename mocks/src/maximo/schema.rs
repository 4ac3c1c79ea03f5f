//! The object structures the emulator serves, their business objects (MBOs), attributes,
//! synonym domains and relationships (reference §1.2, §1.3).
//!
//! Each MBO's attributes are declared once with [`attributes!`], which yields both the static
//! list (for `oslc.select=*`, the where compiler and write bodies) and a constant index per
//! attribute (for generation code), so the two can never drift apart. A record is a vector of
//! values aligned with its MBO's list, plus its `_rowstamp` and its child records.

use super::value::Value;

/// Maximo's attribute types, as far as the API shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// ALN stored upper case (keys, codes): written values are upper-cased.
    Upper,
    /// Mixed-case ALN (descriptions, names).
    Aln,
    Int,
    /// DECIMAL, AMOUNT, DURATION.
    Dec,
    /// YORN.
    Bool,
    /// DATETIME.
    Date,
}

/// A synonym domain: internal values and their descriptions (the `<attr>_description`).
#[derive(Debug)]
pub(crate) struct Domain {
    /// The domain id (`WOSTATUS`), named in value-list errors.
    pub(crate) name: &'static str,
    pub(crate) values: &'static [(&'static str, &'static str)],
}

impl Domain {
    pub(crate) fn description(&self, value: &str) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(internal, _)| *internal == value)
            .map(|(_, description)| *description)
    }

    pub(crate) fn contains(&self, value: &str) -> bool {
        self.description(value).is_some()
    }
}

#[derive(Debug)]
pub(crate) struct Attr {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) domain: Option<&'static Domain>,
    /// Longest text accepted in a write; 0 for non-text attributes.
    pub(crate) max_len: usize,
}

/// A child object of an object structure (`woactivity`, `poline`).
#[derive(Debug)]
pub(crate) struct Child {
    pub(crate) name: &'static str,
    pub(crate) mbo: &'static Mbo,
    /// The attributes that identify a child within its parent (MERGE matches on them).
    pub(crate) keys: &'static [usize],
    /// Whether writes may add, change or delete these children.
    pub(crate) writable: bool,
}

#[derive(Debug)]
pub(crate) struct Mbo {
    pub(crate) name: &'static str,
    pub(crate) attrs: &'static [Attr],
    pub(crate) children: &'static [Child],
}

impl Mbo {
    pub(crate) fn attr(&self, name: &str) -> Option<usize> {
        self.attrs
            .iter()
            .position(|attr| attr.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn child(&self, name: &str) -> Option<usize> {
        self.children
            .iter()
            .position(|child| child.name.eq_ignore_ascii_case(name))
    }

    /// An empty record of this MBO: every attribute null, no children.
    pub(crate) fn blank(&'static self) -> Record {
        Record {
            values: vec![Value::Null; self.attrs.len()],
            rowstamp: 0,
            children: vec![Vec::new(); self.children.len()],
        }
    }
}

/// One record: attribute values aligned with its MBO, its `_rowstamp`, its children aligned
/// with the MBO's child list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub(crate) values: Vec<Value>,
    pub(crate) rowstamp: u64,
    pub(crate) children: Vec<Vec<Record>>,
}

impl Record {
    pub(crate) fn get(&self, attr: usize) -> &Value {
        self.values.get(attr).unwrap_or(&Value::Null)
    }

    pub(crate) fn set(&mut self, attr: usize, value: Value) {
        if let Some(slot) = self.values.get_mut(attr) {
            *slot = value;
        }
    }

    pub(crate) fn text(&self, attr: usize) -> &str {
        self.get(attr).as_str().unwrap_or_default()
    }
}

/// The object structures served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OsKind {
    WorkOrders,
    Assets,
    Inventory,
    PurchaseOrders,
    Vendors,
}

impl OsKind {
    pub(crate) const ALL: [OsKind; 5] = [
        OsKind::WorkOrders,
        OsKind::Assets,
        OsKind::Inventory,
        OsKind::PurchaseOrders,
        OsKind::Vendors,
    ];

    pub(crate) fn def(self) -> &'static OsDef {
        match self {
            OsKind::WorkOrders => &MXAPIWODETAIL,
            OsKind::Assets => &MXAPIASSET,
            OsKind::Inventory => &MXAPIINVENTORY,
            OsKind::PurchaseOrders => &MXAPIPO,
            OsKind::Vendors => &MXAPIVENDOR,
        }
    }

    /// By OS name, case-insensitively, as URLs carry it.
    pub(crate) fn from_name(name: &str) -> Option<OsKind> {
        OsKind::ALL
            .into_iter()
            .find(|kind| kind.def().name.eq_ignore_ascii_case(name))
    }

    /// By the unified API's entity name (`work-orders`).
    pub(crate) fn from_entity(entity: &str) -> Option<OsKind> {
        OsKind::ALL
            .into_iter()
            .find(|kind| kind.def().entity == entity)
    }
}

/// A 1:1 relationship usable in dotted paths (`location.status`, `asset.description`).
#[derive(Debug)]
pub(crate) struct Relation {
    pub(crate) name: &'static str,
    pub(crate) target: &'static Mbo,
}

#[derive(Debug)]
pub(crate) struct OsDef {
    /// Upper case, as Maximo names it (`MXAPIWODETAIL`); URLs use it in lower case.
    pub(crate) name: &'static str,
    /// The unified API's entity name, used by the admin API.
    pub(crate) entity: &'static str,
    pub(crate) mbo: &'static Mbo,
    /// Key attributes in rest-id order.
    pub(crate) rest_key: &'static [usize],
    /// The numeric unique id (`workorderid`), also accepted as a rest id.
    pub(crate) unique_id: usize,
    /// The change stamp, when the object has one (`changedate`).
    pub(crate) change_attr: Option<usize>,
    pub(crate) relations: &'static [Relation],
}

impl OsDef {
    pub(crate) fn lower_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    pub(crate) fn relation(&self, name: &str) -> Option<&'static Relation> {
        self.relations
            .iter()
            .find(|relation| relation.name.eq_ignore_ascii_case(name))
    }
}

/// Declares an MBO's attributes: a module with one `usize` constant per attribute and `ATTRS`.
macro_rules! attributes {
    ($module:ident { $($konst:ident : $name:literal => $kind:ident $(($len:literal))? $([$domain:ident])?),* $(,)? }) => {
        #[allow(dead_code)]
        pub(crate) mod $module {
            #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
            #[repr(usize)]
            enum Position { $($konst),* }
            $(pub(crate) const $konst: usize = Position::$konst as usize;)*
            pub(crate) static ATTRS: &[super::Attr] = &[$(super::Attr {
                name: $name,
                kind: super::Kind::$kind,
                domain: attributes!(@domain $($domain)?),
                max_len: attributes!(@len $($len)?),
            }),*];
        }
    };
    (@domain) => { None };
    (@domain $domain:ident) => { Some(&super::$domain) };
    (@len) => { 0 };
    (@len $len:literal) => { $len };
}

// ---------------------------------------------------------------------------------------------
// Domains

pub(crate) static WOSTATUS: Domain = Domain {
    name: "WOSTATUS",
    values: &[
        ("WAPPR", "Waiting on Approval"),
        ("APPR", "Approved"),
        ("WSCH", "Waiting to be Scheduled"),
        ("WMATL", "Waiting on Material"),
        ("WPCOND", "Waiting on Plant Cond"),
        ("INPRG", "In Progress"),
        ("COMP", "Completed"),
        ("CLOSE", "Closed"),
        ("CAN", "Canceled"),
    ],
};

pub(crate) static WOCLASS: Domain = Domain {
    name: "WOCLASS",
    values: &[("WORKORDER", "Work Order"), ("ACTIVITY", "Activity")],
};

pub(crate) static LOCASSETSTATUS: Domain = Domain {
    name: "LOCASSETSTATUS",
    values: &[
        ("NOT READY", "Not Ready"),
        ("OPERATING", "Operating"),
        ("DECOMMISSIONED", "Decommissioned"),
        ("ACTIVE", "Active"),
        ("LIMITEDUSE", "Limited Use"),
        ("BROKEN", "Broken"),
        ("INACTIVE", "Inactive"),
        ("MISSING", "Missing"),
        ("SEALED", "Sealed"),
        ("IMPORTED", "Imported"),
    ],
};

pub(crate) static POSTATUS: Domain = Domain {
    name: "POSTATUS",
    values: &[
        ("WAPPR", "Waiting on Approval"),
        ("APPR", "Approved"),
        ("INPRG", "In Progress"),
        ("HOLD", "On Hold"),
        ("CLOSE", "Closed"),
        ("CAN", "Canceled"),
        ("REVISE", "Revised"),
        ("PNDREV", "Pending Revision"),
    ],
};

pub(crate) static POTYPE: Domain = Domain {
    name: "POTYPE",
    values: &[
        ("STD", "Standard"),
        ("RELEASE", "Release"),
        ("BLANKET", "Blanket"),
    ],
};

pub(crate) static RECEIPTS: Domain = Domain {
    name: "RECEIPTS",
    values: &[
        ("NONE", "None"),
        ("PARTIAL", "Partial"),
        ("COMPLETE", "Complete"),
    ],
};

pub(crate) static POLINETYPE: Domain = Domain {
    name: "LINETYPE",
    values: &[
        ("ITEM", "Item"),
        ("MATERIAL", "Material"),
        ("SERVICE", "Service"),
    ],
};

pub(crate) static ITEMSTATUS: Domain = Domain {
    name: "ITEMSTATUS",
    values: &[
        ("ACTIVE", "Active"),
        ("PENDOBS", "Pending Obsolescence"),
        ("OBSOLETE", "Obsolete"),
        ("PLANNING", "Planning"),
        ("PENDING", "Pending"),
    ],
};

pub(crate) static COMPTYPE: Domain = Domain {
    name: "COMPTYPE",
    values: &[("V", "Vendor"), ("M", "Manufacturer"), ("C", "Courier")],
};

// ---------------------------------------------------------------------------------------------
// Attributes

attributes!(wo {
    WONUM: "wonum" => Upper(10),
    WORKORDERID: "workorderid" => Int,
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    STATUS: "status" => Upper(16)[WOSTATUS],
    STATUSDATE: "statusdate" => Date,
    WOCLASS: "woclass" => Upper(16)[WOCLASS],
    WORKTYPE: "worktype" => Upper(5),
    WOPRIORITY: "wopriority" => Int,
    ASSETNUM: "assetnum" => Upper(25),
    LOCATION: "location" => Upper(25),
    REPORTDATE: "reportdate" => Date,
    REPORTEDBY: "reportedby" => Upper(30),
    CHANGEDATE: "changedate" => Date,
    CHANGEBY: "changeby" => Upper(30),
    ISTASK: "istask" => Bool,
    PARENT: "parent" => Upper(10),
    HASCHILDREN: "haschildren" => Bool,
    HISTORYFLAG: "historyflag" => Bool,
    PMNUM: "pmnum" => Upper(10),
    JPNUM: "jpnum" => Upper(10),
    SUPERVISOR: "supervisor" => Upper(30),
    LEAD: "lead" => Upper(30),
    PERSONGROUP: "persongroup" => Upper(8),
    FAILURECODE: "failurecode" => Upper(8),
    PROBLEMCODE: "problemcode" => Upper(8),
    TARGSTARTDATE: "targstartdate" => Date,
    TARGCOMPDATE: "targcompdate" => Date,
    SCHEDSTART: "schedstart" => Date,
    SCHEDFINISH: "schedfinish" => Date,
    ACTSTART: "actstart" => Date,
    ACTFINISH: "actfinish" => Date,
    ESTDUR: "estdur" => Dec,
    ESTLABHRS: "estlabhrs" => Dec,
    ESTLABCOST: "estlabcost" => Dec,
    ESTMATCOST: "estmatcost" => Dec,
    ACTLABHRS: "actlabhrs" => Dec,
    ACTLABCOST: "actlabcost" => Dec,
    ACTMATCOST: "actmatcost" => Dec,
    GLACCOUNT: "glaccount" => Upper(20),
    DOWNTIME: "downtime" => Bool,
});

attributes!(woactivity {
    TASKID: "taskid" => Int,
    WONUM: "wonum" => Upper(10),
    WORKORDERID: "workorderid" => Int,
    PARENT: "parent" => Upper(10),
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    STATUS: "status" => Upper(16)[WOSTATUS],
    STATUSDATE: "statusdate" => Date,
    ISTASK: "istask" => Bool,
    ESTDUR: "estdur" => Dec,
    CHANGEDATE: "changedate" => Date,
});

attributes!(wostatus {
    WOSTATUSID: "wostatusid" => Int,
    WONUM: "wonum" => Upper(10),
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    STATUS: "status" => Upper(16)[WOSTATUS],
    CHANGEDATE: "changedate" => Date,
    CHANGEBY: "changeby" => Upper(30),
    MEMO: "memo" => Aln(50),
});

attributes!(asset {
    ASSETNUM: "assetnum" => Upper(25),
    ASSETID: "assetid" => Int,
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    STATUS: "status" => Upper(20)[LOCASSETSTATUS],
    STATUSDATE: "statusdate" => Date,
    LOCATION: "location" => Upper(25),
    ASSETTYPE: "assettype" => Upper(16),
    SERIALNUM: "serialnum" => Upper(64),
    ASSETTAG: "assettag" => Upper(64),
    MANUFACTURER: "manufacturer" => Upper(12),
    VENDOR: "vendor" => Upper(12),
    INSTALLDATE: "installdate" => Date,
    PRIORITY: "priority" => Int,
    PARENT: "parent" => Upper(25),
    ISRUNNING: "isrunning" => Bool,
    PURCHASEPRICE: "purchaseprice" => Dec,
    REPLACECOST: "replacecost" => Dec,
    TOTALCOST: "totalcost" => Dec,
    BUDGETCOST: "budgetcost" => Dec,
    YTDCOST: "ytdcost" => Dec,
    CHANGEDATE: "changedate" => Date,
    CHANGEBY: "changeby" => Upper(30),
    DISABLED: "disabled" => Bool,
});

attributes!(assetmeter {
    METERNAME: "metername" => Upper(10),
    LINEARASSETID: "linearassetid" => Int,
    ASSETNUM: "assetnum" => Upper(25),
    SITEID: "siteid" => Upper(8),
    MEASUREUNITID: "measureunitid" => Upper(16),
    READINGTYPE: "readingtype" => Upper(10),
    LIFETODATE: "lifetodate" => Dec,
    LASTREADING: "lastreading" => Dec,
    LASTREADINGDATE: "lastreadingdate" => Date,
    ACTIVE: "active" => Bool,
});

attributes!(inventory {
    INVENTORYID: "inventoryid" => Int,
    ITEMNUM: "itemnum" => Upper(30),
    ITEMSETID: "itemsetid" => Upper(8),
    LOCATION: "location" => Upper(25),
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    CURBAL: "curbal" => Dec,
    AVBLBALANCE: "avblbalance" => Dec,
    ISSUEUNIT: "issueunit" => Upper(16),
    ORDERUNIT: "orderunit" => Upper(16),
    STATUS: "status" => Upper(20)[ITEMSTATUS],
    STATUSDATE: "statusdate" => Date,
    MINLEVEL: "minlevel" => Dec,
    MAXLEVEL: "maxlevel" => Dec,
    ORDERQTY: "orderqty" => Dec,
    BINNUM: "binnum" => Upper(8),
    REORDER: "reorder" => Bool,
    COSTTYPE: "costtype" => Upper(16),
    ABCTYPE: "abctype" => Upper(1),
    CATEGORY: "category" => Upper(4),
});

attributes!(invbalances {
    INVBALANCESID: "invbalancesid" => Int,
    ITEMNUM: "itemnum" => Upper(30),
    LOCATION: "location" => Upper(25),
    SITEID: "siteid" => Upper(8),
    BINNUM: "binnum" => Upper(8),
    LOTNUM: "lotnum" => Upper(8),
    CURBAL: "curbal" => Dec,
    PHYSCNT: "physcnt" => Dec,
    PHYSCNTDATE: "physcntdate" => Date,
});

attributes!(invcost {
    ITEMNUM: "itemnum" => Upper(30),
    LOCATION: "location" => Upper(25),
    SITEID: "siteid" => Upper(8),
    CONDITIONCODE: "conditioncode" => Upper(30),
    AVGCOST: "avgcost" => Dec,
    STDCOST: "stdcost" => Dec,
    LASTCOST: "lastcost" => Dec,
});

attributes!(po {
    PONUM: "ponum" => Upper(8),
    REVISIONNUM: "revisionnum" => Int,
    POID: "poid" => Int,
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    STATUS: "status" => Upper(16)[POSTATUS],
    STATUSDATE: "statusdate" => Date,
    POTYPE: "potype" => Upper(8)[POTYPE],
    VENDOR: "vendor" => Upper(12),
    ORDERDATE: "orderdate" => Date,
    REQUIREDDATE: "requireddate" => Date,
    VENDELIVERYDATE: "vendeliverydate" => Date,
    TOTALCOST: "totalcost" => Dec,
    CURRENCYCODE: "currencycode" => Upper(8),
    PURCHASEAGENT: "purchaseagent" => Upper(30),
    RECEIPTS: "receipts" => Upper(8)[RECEIPTS],
    CHANGEDATE: "changedate" => Date,
    CHANGEBY: "changeby" => Upper(30),
    HISTORYFLAG: "historyflag" => Bool,
    PAYMENTTERMS: "paymentterms" => Upper(20),
});

attributes!(poline {
    POLINEID: "polineid" => Int,
    POLINENUM: "polinenum" => Int,
    PONUM: "ponum" => Upper(8),
    REVISIONNUM: "revisionnum" => Int,
    SITEID: "siteid" => Upper(8),
    ITEMNUM: "itemnum" => Upper(30),
    DESCRIPTION: "description" => Aln(100),
    LINETYPE: "linetype" => Upper(15)[POLINETYPE],
    ORDERQTY: "orderqty" => Dec,
    ORDERUNIT: "orderunit" => Upper(16),
    UNITCOST: "unitcost" => Dec,
    LINECOST: "linecost" => Dec,
    RECEIVEDQTY: "receivedqty" => Dec,
    STORELOC: "storeloc" => Upper(25),
    TOSITEID: "tositeid" => Upper(8),
    GLDEBITACCT: "gldebitacct" => Upper(20),
    REQDELIVERYDATE: "reqdeliverydate" => Date,
});

attributes!(companies {
    COMPANY: "company" => Upper(12),
    COMPANIESID: "companiesid" => Int,
    ORGID: "orgid" => Upper(8),
    NAME: "name" => Aln(50),
    TYPE: "type" => Upper(1)[COMPTYPE],
    CURRENCYCODE: "currencycode" => Upper(8),
    ADDRESS1: "address1" => Aln(50),
    CITY: "city" => Aln(36),
    STATEPROVINCE: "stateprovince" => Upper(20),
    ZIP: "zip" => Upper(12),
    COUNTRY: "country" => Upper(8),
    PHONE: "phone" => Aln(20),
    FAX: "fax" => Aln(20),
    HOMEPAGE: "homepage" => Aln(100),
    PAYMENTTERMS: "paymentterms" => Upper(20),
    DISABLED: "disabled" => Bool,
    CHANGEDATE: "changedate" => Date,
    CHANGEBY: "changeby" => Upper(30),
});

attributes!(locations {
    LOCATION: "location" => Upper(25),
    SITEID: "siteid" => Upper(8),
    ORGID: "orgid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    STATUS: "status" => Upper(20)[LOCASSETSTATUS],
    TYPE: "type" => Upper(16),
    PARENT: "parent" => Upper(25),
});

attributes!(item {
    ITEMNUM: "itemnum" => Upper(30),
    ITEMSETID: "itemsetid" => Upper(8),
    DESCRIPTION: "description" => Aln(100),
    ORDERUNIT: "orderunit" => Upper(16),
    ISSUEUNIT: "issueunit" => Upper(16),
    STATUS: "status" => Upper(20)[ITEMSTATUS],
    ROTATING: "rotating" => Bool,
    COMMODITYGROUP: "commoditygroup" => Upper(8),
});

// ---------------------------------------------------------------------------------------------
// MBOs and object structures

pub(crate) static WORKORDER: Mbo = Mbo {
    name: "WORKORDER",
    attrs: wo::ATTRS,
    children: &[
        Child {
            name: "woactivity",
            mbo: &WOACTIVITY,
            keys: &[woactivity::TASKID],
            writable: true,
        },
        Child {
            name: "wostatus",
            mbo: &WOSTATUS_MBO,
            keys: &[wostatus::WOSTATUSID],
            writable: false,
        },
    ],
};
/// Index of `woactivity` in [`WORKORDER`]'s children.
pub(crate) const WO_TASKS: usize = 0;
/// Index of `wostatus` in [`WORKORDER`]'s children.
pub(crate) const WO_STATUS_HISTORY: usize = 1;

pub(crate) static WOACTIVITY: Mbo = Mbo {
    name: "WOACTIVITY",
    attrs: woactivity::ATTRS,
    children: &[],
};

pub(crate) static WOSTATUS_MBO: Mbo = Mbo {
    name: "WOSTATUS",
    attrs: wostatus::ATTRS,
    children: &[],
};

pub(crate) static ASSET: Mbo = Mbo {
    name: "ASSET",
    attrs: asset::ATTRS,
    children: &[Child {
        name: "assetmeter",
        mbo: &ASSETMETER,
        keys: &[assetmeter::METERNAME, assetmeter::LINEARASSETID],
        writable: true,
    }],
};
pub(crate) const ASSET_METERS: usize = 0;

pub(crate) static ASSETMETER: Mbo = Mbo {
    name: "ASSETMETER",
    attrs: assetmeter::ATTRS,
    children: &[],
};

pub(crate) static INVENTORY: Mbo = Mbo {
    name: "INVENTORY",
    attrs: inventory::ATTRS,
    children: &[
        Child {
            name: "invbalances",
            mbo: &INVBALANCES,
            keys: &[invbalances::BINNUM, invbalances::LOTNUM],
            writable: false,
        },
        Child {
            name: "invcost",
            mbo: &INVCOST,
            keys: &[invcost::CONDITIONCODE],
            writable: false,
        },
    ],
};
pub(crate) const INV_BALANCES: usize = 0;
pub(crate) const INV_COST: usize = 1;

pub(crate) static INVBALANCES: Mbo = Mbo {
    name: "INVBALANCES",
    attrs: invbalances::ATTRS,
    children: &[],
};

pub(crate) static INVCOST: Mbo = Mbo {
    name: "INVCOST",
    attrs: invcost::ATTRS,
    children: &[],
};

pub(crate) static PO: Mbo = Mbo {
    name: "PO",
    attrs: po::ATTRS,
    children: &[Child {
        name: "poline",
        mbo: &POLINE,
        keys: &[poline::POLINENUM],
        writable: true,
    }],
};
pub(crate) const PO_LINES: usize = 0;

pub(crate) static POLINE: Mbo = Mbo {
    name: "POLINE",
    attrs: poline::ATTRS,
    children: &[],
};

pub(crate) static COMPANIES: Mbo = Mbo {
    name: "COMPANIES",
    attrs: companies::ATTRS,
    children: &[],
};

pub(crate) static LOCATIONS: Mbo = Mbo {
    name: "LOCATIONS",
    attrs: locations::ATTRS,
    children: &[],
};

pub(crate) static ITEM: Mbo = Mbo {
    name: "ITEM",
    attrs: item::ATTRS,
    children: &[],
};

pub(crate) static MXAPIWODETAIL: OsDef = OsDef {
    name: "MXAPIWODETAIL",
    entity: "work-orders",
    mbo: &WORKORDER,
    rest_key: &[wo::SITEID, wo::WONUM],
    unique_id: wo::WORKORDERID,
    change_attr: Some(wo::CHANGEDATE),
    relations: &[
        Relation {
            name: "asset",
            target: &ASSET,
        },
        Relation {
            name: "location",
            target: &LOCATIONS,
        },
    ],
};

pub(crate) static MXAPIASSET: OsDef = OsDef {
    name: "MXAPIASSET",
    entity: "assets",
    mbo: &ASSET,
    rest_key: &[asset::ASSETNUM, asset::SITEID],
    unique_id: asset::ASSETID,
    change_attr: Some(asset::CHANGEDATE),
    relations: &[Relation {
        name: "location",
        target: &LOCATIONS,
    }],
};

pub(crate) static MXAPIINVENTORY: OsDef = OsDef {
    name: "MXAPIINVENTORY",
    entity: "inventory",
    mbo: &INVENTORY,
    rest_key: &[
        inventory::ITEMNUM,
        inventory::ITEMSETID,
        inventory::LOCATION,
        inventory::SITEID,
    ],
    unique_id: inventory::INVENTORYID,
    change_attr: None,
    relations: &[Relation {
        name: "item",
        target: &ITEM,
    }],
};

pub(crate) static MXAPIPO: OsDef = OsDef {
    name: "MXAPIPO",
    entity: "purchase-orders",
    mbo: &PO,
    rest_key: &[po::PONUM, po::REVISIONNUM, po::SITEID],
    unique_id: po::POID,
    change_attr: Some(po::CHANGEDATE),
    relations: &[Relation {
        name: "companies",
        target: &COMPANIES,
    }],
};

pub(crate) static MXAPIVENDOR: OsDef = OsDef {
    name: "MXAPIVENDOR",
    entity: "vendors",
    mbo: &COMPANIES,
    rest_key: &[companies::COMPANY, companies::ORGID],
    unique_id: companies::COMPANIESID,
    change_attr: Some(companies::CHANGEDATE),
    relations: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_point_at_their_attributes() {
        assert_eq!(wo::ATTRS[wo::WONUM].name, "wonum");
        assert_eq!(wo::ATTRS[wo::DOWNTIME].name, "downtime");
        assert_eq!(wo::ATTRS[wo::CHANGEDATE].name, "changedate");
        assert_eq!(po::ATTRS[po::HISTORYFLAG].name, "historyflag");
        assert_eq!(companies::ATTRS[companies::CHANGEBY].name, "changeby");
        assert_eq!(inventory::ATTRS[inventory::CATEGORY].name, "category");
        for kind in OsKind::ALL {
            let def = kind.def();
            assert_eq!(OsKind::from_name(&def.lower_name()), Some(kind));
            assert_eq!(OsKind::from_entity(def.entity), Some(kind));
            let mut names: Vec<&str> = def.mbo.attrs.iter().map(|a| a.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                def.mbo.attrs.len(),
                "{} has duplicates",
                def.name
            );
        }
        assert_eq!(WORKORDER.children[WO_TASKS].name, "woactivity");
        assert_eq!(WORKORDER.children[WO_STATUS_HISTORY].name, "wostatus");
        assert_eq!(WOSTATUS.description("WAPPR"), Some("Waiting on Approval"));
    }
}
