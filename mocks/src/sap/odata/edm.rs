//! The entity data model a service declares: entity types with SAP's property annotations,
//! navigation properties, entity sets and associations.
//!
//! One static description feeds `$metadata`, request validation (creatable/updatable),
//! `$filter`/`$orderby` checks (filterable/sortable) and JSON serialisation, so what the service
//! advertises and what it does cannot drift apart.

use std::fmt;

/// The Edm primitive types SAP's v2 services use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    dead_code,
    reason = "the purchase order service uses no Int/Time/Guid properties; maintenance orders and business partners will"
)]
pub(crate) enum EdmType {
    String,
    Boolean,
    DateTime,
    DateTimeOffset,
    Decimal,
    Byte,
    Int16,
    Int32,
    Int64,
    Time,
    Guid,
}

impl EdmType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            EdmType::String => "Edm.String",
            EdmType::Boolean => "Edm.Boolean",
            EdmType::DateTime => "Edm.DateTime",
            EdmType::DateTimeOffset => "Edm.DateTimeOffset",
            EdmType::Decimal => "Edm.Decimal",
            EdmType::Byte => "Edm.Byte",
            EdmType::Int16 => "Edm.Int16",
            EdmType::Int32 => "Edm.Int32",
            EdmType::Int64 => "Edm.Int64",
            EdmType::Time => "Edm.Time",
            EdmType::Guid => "Edm.Guid",
        }
    }

    pub(crate) fn is_integer(self) -> bool {
        matches!(
            self,
            EdmType::Byte | EdmType::Int16 | EdmType::Int32 | EdmType::Int64
        )
    }
}

impl fmt::Display for EdmType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// ABAP conversion exits that change how a character field is stored versus shown.
///
/// A NUMC item number is stored as `00010` and shown as `10`; ALPHA numbers like suppliers are
/// stored left-padded with zeros. Comparisons and sorting use the stored form, so `'9' lt '10'`
/// holds for item numbers as it does in SAP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conversion {
    None,
    /// NUMC of the property's max length.
    Numc,
    /// ALPHA: purely numeric values are padded to the max length.
    Alpha,
}

/// A structural property with its SAP annotations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Property {
    pub(crate) name: &'static str,
    pub(crate) edm: EdmType,
    pub(crate) max_length: Option<u32>,
    pub(crate) precision: Option<u32>,
    pub(crate) scale: Option<u32>,
    pub(crate) nullable: bool,
    pub(crate) label: &'static str,
    pub(crate) creatable: bool,
    pub(crate) updatable: bool,
    pub(crate) filterable: bool,
    pub(crate) sortable: bool,
    pub(crate) display_format: Option<&'static str>,
    pub(crate) unit: Option<&'static str>,
    pub(crate) semantics: Option<&'static str>,
    pub(crate) conversion: Conversion,
}

impl Property {
    const fn base(name: &'static str, edm: EdmType, label: &'static str) -> Self {
        Property {
            name,
            edm,
            max_length: None,
            precision: None,
            scale: None,
            nullable: true,
            label,
            creatable: true,
            updatable: true,
            filterable: true,
            sortable: true,
            display_format: None,
            unit: None,
            semantics: None,
            conversion: Conversion::None,
        }
    }

    pub(crate) const fn string(name: &'static str, max_length: u32, label: &'static str) -> Self {
        let mut property = Property::base(name, EdmType::String, label);
        property.max_length = Some(max_length);
        property
    }

    pub(crate) const fn boolean(name: &'static str, label: &'static str) -> Self {
        Property::base(name, EdmType::Boolean, label)
    }

    /// Edm.DateTime with `Precision="0"` and `sap:display-format="Date"`: a business date.
    pub(crate) const fn date(name: &'static str, label: &'static str) -> Self {
        let mut property = Property::base(name, EdmType::DateTime, label);
        property.precision = Some(0);
        property.display_format = Some("Date");
        property
    }

    pub(crate) const fn timestamp(name: &'static str, precision: u32, label: &'static str) -> Self {
        let mut property = Property::base(name, EdmType::DateTimeOffset, label);
        property.precision = Some(precision);
        property
    }

    /// Edm.Time (`PT15H51M04S`), SAP's time-of-day fields such as `LastChangeTime`.
    pub(crate) const fn time(name: &'static str, label: &'static str) -> Self {
        let mut property = Property::base(name, EdmType::Time, label);
        property.precision = Some(0);
        property
    }

    pub(crate) const fn decimal(
        name: &'static str,
        precision: u32,
        scale: u32,
        label: &'static str,
    ) -> Self {
        let mut property = Property::base(name, EdmType::Decimal, label);
        property.precision = Some(precision);
        property.scale = Some(scale);
        property
    }

    pub(crate) const fn key(mut self) -> Self {
        self.nullable = false;
        self
    }

    /// Neither creatable nor updatable: the server owns the value.
    pub(crate) const fn read_only(mut self) -> Self {
        self.creatable = false;
        self.updatable = false;
        self
    }

    pub(crate) const fn not_updatable(mut self) -> Self {
        self.updatable = false;
        self
    }

    pub(crate) const fn upper_case(mut self) -> Self {
        self.display_format = Some("UpperCase");
        self
    }

    pub(crate) const fn numc(mut self) -> Self {
        self.display_format = Some("NonNegative");
        self.conversion = Conversion::Numc;
        self
    }

    pub(crate) const fn alpha(mut self) -> Self {
        self.display_format = Some("UpperCase");
        self.conversion = Conversion::Alpha;
        self
    }

    pub(crate) const fn unit(mut self, unit_property: &'static str) -> Self {
        self.unit = Some(unit_property);
        self
    }

    pub(crate) const fn semantics(mut self, semantics: &'static str) -> Self {
        self.semantics = Some(semantics);
        self
    }
}

/// Whether a navigation leads to one entity or to many.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Multiplicity {
    One,
    Many,
}

impl Multiplicity {
    pub(crate) fn edmx(self) -> &'static str {
        match self {
            Multiplicity::One => "1",
            Multiplicity::Many => "*",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Navigation {
    pub(crate) name: &'static str,
    /// The entity set the navigation leads into.
    pub(crate) target_set: &'static str,
    pub(crate) multiplicity: Multiplicity,
    pub(crate) association: &'static str,
    pub(crate) from_role: &'static str,
    pub(crate) to_role: &'static str,
}

#[derive(Debug)]
pub(crate) struct EntityType {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) keys: &'static [&'static str],
    pub(crate) properties: &'static [Property],
    pub(crate) navigations: &'static [Navigation],
}

impl EntityType {
    pub(crate) fn property_index(&self, name: &str) -> Option<usize> {
        self.properties.iter().position(|p| p.name == name)
    }

    pub(crate) fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub(crate) fn navigation(&self, name: &str) -> Option<&'static Navigation> {
        self.navigations.iter().find(|n| n.name == name)
    }

    /// Positions of the key properties, in key order.
    pub(crate) fn key_indices(&self) -> Vec<usize> {
        self.keys
            .iter()
            .filter_map(|key| self.property_index(key))
            .collect()
    }
}

#[derive(Debug)]
pub(crate) struct EntitySet {
    pub(crate) name: &'static str,
    pub(crate) entity_type: &'static EntityType,
    pub(crate) creatable: bool,
    pub(crate) updatable: bool,
    pub(crate) deletable: bool,
}

/// One end of an association.
#[derive(Debug)]
pub(crate) struct AssociationEnd {
    pub(crate) entity_type: &'static str,
    pub(crate) entity_set: &'static str,
    pub(crate) role: &'static str,
    pub(crate) multiplicity: Multiplicity,
}

/// An association between two entity types, as `$metadata` declares it.
#[derive(Debug)]
pub(crate) struct Association {
    pub(crate) name: &'static str,
    pub(crate) from: AssociationEnd,
    pub(crate) to: AssociationEnd,
    /// Key property of the `from` end → property of the `to` end, when the `from` end is the
    /// principal (the header of its items).
    pub(crate) constraints: &'static [(&'static str, &'static str)],
}

/// A whole OData service: its name (also the schema namespace) and contents.
#[derive(Debug)]
pub(crate) struct ServiceDef {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) component_id: &'static str,
    pub(crate) entity_sets: &'static [EntitySet],
    pub(crate) associations: &'static [Association],
}

impl ServiceDef {
    pub(crate) fn entity_set(&self, name: &str) -> Option<&'static EntitySet> {
        self.entity_sets.iter().find(|set| set.name == name)
    }
}
