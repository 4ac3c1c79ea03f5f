//! `$metadata`: the EDMX document of a service, generated from its [`ServiceDef`].
//!
//! Written in SAP Gateway's dialect: `sap:` annotations on properties (label, creatable,
//! updatable, filterable, sortable, display-format, unit, semantics) and entity sets, and
//! `sap:content-version="1"`. A property declares `ConcurrencyMode="Fixed"` only when the profile
//! gives its entity set an ETag (the real EDMX of these services declare none). Function imports
//! carry `m:HttpMethod` and `sap:action-for`; the complex types they return come before the
//! associations, where SAP writes them.

use std::fmt::Write as _;

use super::edm::{Association, EntitySet, EntityType, Property, ServiceDef};
use super::etag::EtagConfig;
use super::function::{ComplexType, FunctionImport, Parameter, ReturnType};

/// What `$metadata` declares beyond the entity model: ETags and function imports.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MetadataExtras<'a> {
    /// The schema namespace: the service name, or a CDS name (`cds_api_equipment`).
    pub(crate) namespace: &'a str,
    pub(crate) etags: &'a EtagConfig,
    pub(crate) function_imports: &'a [FunctionImport],
}

/// Renders the EDMX document with ETags and function imports; `service_root` ends with `/`.
pub(crate) fn render_metadata_with(
    service: &ServiceDef,
    extras: &MetadataExtras<'_>,
    service_root: &str,
) -> String {
    let namespace = extras.namespace;
    let mut xml = String::with_capacity(16 * 1024);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(
        "<edmx:Edmx Version=\"1.0\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\" \
         xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\" \
         xmlns:sap=\"http://www.sap.com/Protocols/SAPData\">\n",
    );
    xml.push_str(" <edmx:DataServices m:DataServiceVersion=\"2.0\">\n");
    let _ = writeln!(
        xml,
        "  <Schema Namespace=\"{namespace}\" xml:lang=\"en\" sap:schema-version=\"1\" \
         xmlns=\"http://schemas.microsoft.com/ado/2008/09/edm\">"
    );
    for set in service.entity_sets {
        entity_type(
            &mut xml,
            namespace,
            set.entity_type,
            extras.etags.property(set),
        );
    }
    let mut complex_types: Vec<&ComplexType> = Vec::new();
    for function in extras.function_imports {
        if let ReturnType::Complex(complex) = function.returns
            && !complex_types.iter().any(|known| known.name == complex.name)
        {
            complex_types.push(complex);
        }
    }
    for complex in complex_types {
        complex_type_xml(&mut xml, complex);
    }
    for association in service.associations {
        association_xml(&mut xml, namespace, association);
    }
    let _ = writeln!(
        xml,
        "   <EntityContainer Name=\"{namespace}_Entities\" m:IsDefaultEntityContainer=\"true\" \
         sap:supported-formats=\"json\">"
    );
    for set in service.entity_sets {
        entity_set(&mut xml, namespace, set);
    }
    for association in service.associations {
        let _ = writeln!(
            xml,
            "    <AssociationSet Name=\"{name}_AssocSet\" Association=\"{namespace}.{name}\" \
             sap:creatable=\"false\" sap:updatable=\"false\" sap:deletable=\"false\" \
             sap:content-version=\"1\">",
            name = association.name
        );
        let _ = writeln!(
            xml,
            "     <End EntitySet=\"{}\" Role=\"{}\"/>",
            association.from.entity_set, association.from.role
        );
        let _ = writeln!(
            xml,
            "     <End EntitySet=\"{}\" Role=\"{}\"/>",
            association.to.entity_set, association.to.role
        );
        xml.push_str("    </AssociationSet>\n");
    }
    for function in extras.function_imports {
        function_import_xml(&mut xml, service, namespace, function);
    }
    xml.push_str("   </EntityContainer>\n");
    let _ = writeln!(
        xml,
        "   <atom:link rel=\"self\" href=\"{}$metadata\" xmlns:atom=\"http://www.w3.org/2005/Atom\"/>",
        escape(service_root)
    );
    let _ = writeln!(
        xml,
        "   <atom:link rel=\"latest-version\" href=\"{}$metadata\" xmlns:atom=\"http://www.w3.org/2005/Atom\"/>",
        escape(service_root)
    );
    xml.push_str("  </Schema>\n </edmx:DataServices>\n</edmx:Edmx>\n");
    xml
}

fn entity_type(
    xml: &mut String,
    namespace: &str,
    entity_type: &EntityType,
    etag_property: Option<usize>,
) {
    let _ = writeln!(
        xml,
        "   <EntityType Name=\"{}\" sap:label=\"{}\" sap:content-version=\"1\">",
        entity_type.name,
        escape(entity_type.label)
    );
    xml.push_str("    <Key>\n");
    for key in entity_type.keys {
        let _ = writeln!(xml, "     <PropertyRef Name=\"{key}\"/>");
    }
    xml.push_str("    </Key>\n");
    for (index, property) in entity_type.properties.iter().enumerate() {
        property_xml(xml, property, etag_property == Some(index));
    }
    for navigation in entity_type.navigations {
        let _ = writeln!(
            xml,
            "    <NavigationProperty Name=\"{}\" Relationship=\"{namespace}.{}\" FromRole=\"{}\" ToRole=\"{}\"/>",
            navigation.name, navigation.association, navigation.from_role, navigation.to_role
        );
    }
    xml.push_str("   </EntityType>\n");
}

fn property_xml(xml: &mut String, property: &Property, concurrency_token: bool) {
    let _ = write!(
        xml,
        "    <Property Name=\"{}\" Type=\"{}\"",
        property.name,
        property.edm.name()
    );
    if !property.nullable {
        xml.push_str(" Nullable=\"false\"");
    }
    if let Some(max_length) = property.max_length {
        let _ = write!(xml, " MaxLength=\"{max_length}\"");
    }
    if let Some(precision) = property.precision {
        let _ = write!(xml, " Precision=\"{precision}\"");
    }
    if let Some(scale) = property.scale {
        let _ = write!(xml, " Scale=\"{scale}\"");
    }
    if concurrency_token {
        xml.push_str(" ConcurrencyMode=\"Fixed\"");
    }
    if let Some(format) = property.display_format {
        let _ = write!(xml, " sap:display-format=\"{format}\"");
    }
    if let Some(unit) = property.unit {
        let _ = write!(xml, " sap:unit=\"{unit}\"");
    }
    if let Some(semantics) = property.semantics {
        let _ = write!(xml, " sap:semantics=\"{semantics}\"");
    }
    let _ = write!(xml, " sap:label=\"{}\"", escape(property.label));
    // SAP writes only the capabilities that differ from the default `true`.
    if !property.creatable {
        xml.push_str(" sap:creatable=\"false\"");
    }
    if !property.updatable {
        xml.push_str(" sap:updatable=\"false\"");
    }
    if !property.sortable {
        xml.push_str(" sap:sortable=\"false\"");
    }
    if !property.filterable {
        xml.push_str(" sap:filterable=\"false\"");
    }
    xml.push_str("/>\n");
}

fn complex_type_xml(xml: &mut String, complex: &ComplexType) {
    let _ = writeln!(xml, "   <ComplexType Name=\"{}\">", complex.name);
    for property in complex.properties {
        let _ = writeln!(
            xml,
            "    <Property Name=\"{}\" Type=\"{}\" sap:label=\"{}\"/>",
            property.name,
            property.edm.name(),
            escape(property.label)
        );
    }
    xml.push_str("   </ComplexType>\n");
}

fn function_import_xml(
    xml: &mut String,
    service: &ServiceDef,
    namespace: &str,
    function: &FunctionImport,
) {
    let _ = write!(xml, "    <FunctionImport Name=\"{}\"", function.name);
    match function.returns {
        ReturnType::Complex(complex) => {
            let _ = write!(xml, " ReturnType=\"{namespace}.{}\"", complex.name);
        }
        ReturnType::Entity { entity_set } => {
            let entity_type = service
                .entity_set(entity_set)
                .map_or(entity_set, |set| set.entity_type.name);
            let _ = write!(
                xml,
                " ReturnType=\"{namespace}.{entity_type}\" EntitySet=\"{entity_set}\""
            );
        }
    }
    let _ = write!(xml, " m:HttpMethod=\"{}\"", function.http_method);
    if let Some(entity_type) = function.action_for {
        let _ = write!(xml, " sap:action-for=\"{namespace}.{entity_type}\"");
    }
    xml.push_str(">\n");
    for parameter in function.parameters {
        parameter_xml(xml, parameter);
    }
    xml.push_str("    </FunctionImport>\n");
}

fn parameter_xml(xml: &mut String, parameter: &Parameter) {
    let _ = write!(
        xml,
        "     <Parameter Name=\"{}\" Type=\"{}\" Mode=\"In\"",
        parameter.name,
        parameter.edm.name()
    );
    if let Some(max_length) = parameter.max_length {
        let _ = write!(xml, " MaxLength=\"{max_length}\"");
    }
    if let Some(precision) = parameter.precision {
        let _ = write!(xml, " Precision=\"{precision}\"");
    }
    if parameter.optional {
        xml.push_str(" Nullable=\"true\"");
    }
    let _ = write!(xml, " sap:label=\"{}\"", escape(parameter.label));
    if let Some(format) = parameter.display_format {
        let _ = write!(xml, " sap:display-format=\"{format}\"");
    }
    xml.push_str("/>\n");
}

fn association_xml(xml: &mut String, namespace: &str, association: &Association) {
    let _ = writeln!(
        xml,
        "   <Association Name=\"{}\" sap:content-version=\"1\">",
        association.name
    );
    for end in [&association.from, &association.to] {
        let _ = writeln!(
            xml,
            "    <End Type=\"{namespace}.{}\" Multiplicity=\"{}\" Role=\"{}\"/>",
            end.entity_type,
            end.multiplicity.edmx(),
            end.role
        );
    }
    if !association.constraints.is_empty() {
        xml.push_str("    <ReferentialConstraint>\n");
        let _ = writeln!(xml, "     <Principal Role=\"{}\">", association.from.role);
        for (principal, _) in association.constraints {
            let _ = writeln!(xml, "      <PropertyRef Name=\"{principal}\"/>");
        }
        xml.push_str("     </Principal>\n");
        let _ = writeln!(xml, "     <Dependent Role=\"{}\">", association.to.role);
        for (_, dependent) in association.constraints {
            let _ = writeln!(xml, "      <PropertyRef Name=\"{dependent}\"/>");
        }
        xml.push_str("     </Dependent>\n    </ReferentialConstraint>\n");
    }
    xml.push_str("   </Association>\n");
}

fn entity_set(xml: &mut String, namespace: &str, set: &EntitySet) {
    let _ = write!(
        xml,
        "    <EntitySet Name=\"{}\" EntityType=\"{namespace}.{}\"",
        set.name, set.entity_type.name
    );
    if !set.creatable {
        xml.push_str(" sap:creatable=\"false\"");
    }
    if !set.updatable {
        xml.push_str(" sap:updatable=\"false\"");
    }
    if !set.deletable {
        xml.push_str(" sap:deletable=\"false\"");
    }
    xml.push_str(" sap:content-version=\"1\"/>\n");
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}
