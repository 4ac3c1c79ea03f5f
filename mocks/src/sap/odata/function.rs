//! Function imports: SAP's v2 "actions" (`POST …/ReleaseMaintenanceOrder?MaintenanceOrder='4000000'`).
//!
//! A service declares its imports statically (name, HTTP method, `sap:action-for`, parameters,
//! return type); the same declaration renders `<FunctionImport>` in `$metadata`, checks the
//! parameters of a call and shapes its answer, so the document and the behaviour cannot drift.
//!
//! Parameters travel in the query string as OData literals (`'4000000'`, `datetime'…'`,
//! `true`), exactly like key predicates; system query options (`$…`) and SAP's custom options
//! (`sap-client`) are not parameters. A call that names an undeclared parameter is refused, as
//! a misspelt parameter would otherwise be silently dropped and the call run with defaults.

use super::edm::{EdmType, Property};
use super::error::ODataError;
use super::eval::literal_for_property;
use super::filter::literal_from_token;
use super::json::Json;
use super::lexer::tokenize;
use super::query::decode_component;
use super::value::Value;

/// One parameter of a function import.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parameter {
    pub(crate) name: &'static str,
    pub(crate) edm: EdmType,
    pub(crate) max_length: Option<u32>,
    pub(crate) precision: Option<u32>,
    /// SAP writes `Nullable="true"` on optional parameters and nothing on mandatory ones.
    pub(crate) optional: bool,
    pub(crate) label: &'static str,
    pub(crate) display_format: Option<&'static str>,
}

impl Parameter {
    /// A mandatory Edm.String parameter, typically a key of the entity acted on.
    pub(crate) const fn string(name: &'static str, max_length: u32, label: &'static str) -> Self {
        Parameter {
            name,
            edm: EdmType::String,
            max_length: Some(max_length),
            precision: None,
            optional: false,
            label,
            display_format: None,
        }
    }

    pub(crate) const fn boolean(name: &'static str, label: &'static str) -> Self {
        Parameter {
            name,
            edm: EdmType::Boolean,
            max_length: None,
            precision: None,
            optional: false,
            label,
            display_format: None,
        }
    }

    /// Edm.DateTimeOffset with `Precision="0"`: whole seconds.
    pub(crate) const fn timestamp(name: &'static str, label: &'static str) -> Self {
        Parameter {
            name,
            edm: EdmType::DateTimeOffset,
            max_length: None,
            precision: Some(0),
            optional: false,
            label,
            display_format: None,
        }
    }

    /// Edm.DateTime with `Precision="0"` and `sap:display-format="Date"`.
    pub(crate) const fn date(name: &'static str, label: &'static str) -> Self {
        Parameter {
            name,
            edm: EdmType::DateTime,
            max_length: None,
            precision: Some(0),
            optional: false,
            label,
            display_format: Some("Date"),
        }
    }

    pub(crate) const fn time(name: &'static str, label: &'static str) -> Self {
        Parameter {
            name,
            edm: EdmType::Time,
            max_length: None,
            precision: Some(0),
            optional: false,
            label,
            display_format: None,
        }
    }

    pub(crate) const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

/// A complex type, as function imports return them (`DummyFunctionImportResult`).
#[derive(Debug)]
pub(crate) struct ComplexType {
    pub(crate) name: &'static str,
    pub(crate) properties: &'static [Property],
}

/// What a function import answers with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ReturnType {
    /// One instance of a complex type of the service's schema.
    Complex(&'static ComplexType),
    /// One entity of the named entity set.
    Entity { entity_set: &'static str },
}

/// A function import as `$metadata` declares it.
#[derive(Debug)]
pub(crate) struct FunctionImport {
    pub(crate) name: &'static str,
    pub(crate) returns: ReturnType,
    /// `GET` or `POST` (`m:HttpMethod`).
    pub(crate) http_method: &'static str,
    /// The entity type the import acts on (`sap:action-for`), without the namespace.
    pub(crate) action_for: Option<&'static str>,
    pub(crate) parameters: &'static [Parameter],
}

/// The parsed arguments of one call, positionally aligned with the declared parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Arguments {
    values: Vec<Option<Value>>,
    names: Vec<&'static str>,
}

impl Arguments {
    /// The value of parameter `name`, if the call gave one.
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.names
            .iter()
            .position(|candidate| *candidate == name)
            .and_then(|index| self.values.get(index))
            .and_then(Option::as_ref)
    }

    /// A string parameter's value, or `""` when absent.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.get(name).and_then(Value::as_str).unwrap_or_default()
    }
}

/// Reads the arguments of `function` from the raw (still percent-encoded) query pairs.
pub(crate) fn parse_arguments(
    function: &FunctionImport,
    raw_pairs: &[(String, String)],
) -> Result<Arguments, ODataError> {
    let mut arguments = Arguments {
        values: vec![None; function.parameters.len()],
        names: function.parameters.iter().map(|p| p.name).collect(),
    };
    let mut seen = vec![false; function.parameters.len()];
    for (raw_name, raw_value) in raw_pairs {
        let name = decode_component(raw_name)?;
        // System query options are checked elsewhere; `sap-client` and friends are SAP's own.
        if name.starts_with('$') || name.starts_with("sap-") {
            continue;
        }
        let Some(index) = function.parameters.iter().position(|p| p.name == name) else {
            return Err(ODataError::bad_request(format!(
                "Parameter '{name}' is not a parameter of function import '{}'",
                function.name
            )));
        };
        if seen[index] {
            return Err(ODataError::bad_request(format!(
                "Parameter '{name}' of function import '{}' is specified more than once",
                function.name
            )));
        }
        seen[index] = true;
        let parameter = &function.parameters[index];
        let text = decode_component(raw_value)?;
        arguments.values[index] = parse_value(function, parameter, &text)?;
    }
    for (parameter, value) in function.parameters.iter().zip(&arguments.values) {
        if value.is_none() && !parameter.optional {
            return Err(ODataError::bad_request(format!(
                "Mandatory parameter '{}' of function import '{}' is missing",
                parameter.name, function.name
            )));
        }
    }
    Ok(arguments)
}

fn parse_value(
    function: &FunctionImport,
    parameter: &Parameter,
    text: &str,
) -> Result<Option<Value>, ODataError> {
    let invalid = || {
        ODataError::bad_request(format!(
            "Invalid value '{text}' for parameter '{}' of function import '{}' ({} literal expected)",
            parameter.name,
            function.name,
            parameter.edm.name()
        ))
    };
    let tokens = tokenize(text).map_err(|_| invalid())?;
    let [token] = tokens.as_slice() else {
        return Err(invalid());
    };
    let Some(Ok(literal)) = literal_from_token(&token.kind) else {
        return Err(invalid());
    };
    if literal == super::filter::Literal::Null {
        return if parameter.optional {
            Ok(None)
        } else {
            Err(invalid())
        };
    }
    let value = literal_for_property(&literal, parameter.edm).ok_or_else(invalid)?;
    if let (Value::String(text), Some(max)) = (&value, parameter.max_length)
        && text.chars().count() > usize::try_from(max).unwrap_or(usize::MAX)
    {
        return Err(ODataError::bad_request(format!(
            "Value of parameter '{}' exceeds the maximum length of {max}",
            parameter.name
        )));
    }
    if let Some(ticks) = value.as_ticks() {
        let whole_seconds = ticks.0 % super::value::TICKS_PER_SECOND == 0;
        let date_only = parameter.display_format != Some("Date") || ticks == ticks.start_of_day();
        if (parameter.precision == Some(0) && !whole_seconds) || !date_only {
            return Err(invalid());
        }
    }
    Ok(Some(value))
}

/// What a service answers a function call with.
#[derive(Clone, Debug)]
pub(crate) enum FunctionResult {
    /// The values of the return complex type's properties, in declaration order.
    Complex(Vec<Value>),
    /// The entity the import returns (of its `EntitySet`).
    Entity(Vec<Value>),
}

/// `{"__metadata":{"type":…},…}` for a complex-type result, wrapped by the function's name as
/// OData v2 JSON does: `{"d":{"ReleaseMaintenanceOrder":{…}}}`.
pub(crate) fn complex_result_json(
    namespace: &str,
    function: &FunctionImport,
    complex: &ComplexType,
    values: &[Value],
) -> Json {
    let mut object = Json::object();
    let mut metadata = Json::object();
    metadata.push(
        "type",
        Json::string(format!("{namespace}.{}", complex.name)),
    );
    object.push("__metadata", metadata);
    for (property, value) in complex.properties.iter().zip(values) {
        object.push(property.name, value.to_json(property.edm));
    }
    let mut d = Json::object();
    d.push(function.name, object);
    let mut root = Json::object();
    root.push("d", d);
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sap::odata::value::Ticks;

    static RESULT: ComplexType = ComplexType {
        name: "DummyFunctionImportResult",
        properties: &[Property::boolean("IsInvalid", "TRUE")],
    };

    static PARAMETERS: [Parameter; 4] = [
        Parameter::string("MaintenanceOrder", 12, "Order"),
        Parameter::timestamp("MaintOrderReferenceDateTime", "Completion Date/Time").optional(),
        Parameter::boolean("AssignedMaintNotifIsToBeClosed", "Complete").optional(),
        Parameter::date("EquipmentInstallationDate", "Changed On").optional(),
    ];

    static FUNCTION: FunctionImport = FunctionImport {
        name: "SetMaintOrdToTechCompleted",
        returns: ReturnType::Complex(&RESULT),
        http_method: "POST",
        action_for: Some("MaintenanceOrderType"),
        parameters: &PARAMETERS,
    };

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn parses_literals_and_skips_options() {
        let arguments = parse_arguments(
            &FUNCTION,
            &pairs(
                "MaintenanceOrder=%274000001%27&MaintOrderReferenceDateTime=datetimeoffset%272026-03-02T08%3A00%3A00Z%27&AssignedMaintNotifIsToBeClosed=true&sap-client=100&$format=json",
            ),
        )
        .expect("valid");
        assert_eq!(arguments.text("MaintenanceOrder"), "4000001");
        assert_eq!(
            arguments.get("AssignedMaintNotifIsToBeClosed"),
            Some(&Value::Boolean(true))
        );
        assert!(matches!(
            arguments.get("MaintOrderReferenceDateTime"),
            Some(Value::DateTimeOffset(_))
        ));
        assert_eq!(arguments.get("EquipmentInstallationDate"), None);
    }

    #[test]
    fn refuses_bad_calls() {
        for bad in [
            "",
            "MaintenanceOrder=4000001",
            "MaintenanceOrder='1'&MaintenanceOrder='2'",
            "MaintenanceOrder='1'&Surprise='x'",
            "MaintenanceOrder='1234567890123'",
            "MaintenanceOrder='1'&AssignedMaintNotifIsToBeClosed='yes'",
            "MaintenanceOrder='1'&MaintOrderReferenceDateTime=datetime'2026-03-02T08:00:00'",
            "MaintenanceOrder='1'&MaintOrderReferenceDateTime=datetimeoffset'2026-03-02T08:00:00.5Z'",
            "MaintenanceOrder='1'&EquipmentInstallationDate=datetime'2026-03-02T08:00:00'",
            "MaintenanceOrder=null",
            "MaintenanceOrder='1' or 1",
        ] {
            assert!(
                parse_arguments(&FUNCTION, &pairs(bad)).is_err(),
                "{bad} should be refused"
            );
        }
        let arguments = parse_arguments(
            &FUNCTION,
            &pairs("MaintenanceOrder='1'&EquipmentInstallationDate=datetime'2026-03-02T00:00'"),
        )
        .expect("a date at midnight is fine");
        assert_eq!(
            arguments.get("EquipmentInstallationDate"),
            Some(&Value::DateTime(
                Ticks::from_millis(1_772_409_600_000).start_of_day()
            ))
        );
    }

    proptest::proptest! {
        /// Whatever a client puts in the query string, parsing answers (never panics), and a
        /// string parameter written as an OData literal comes back as written.
        #[test]
        fn arbitrary_queries_never_panic(query in ".{0,80}") {
            let _ = parse_arguments(&FUNCTION, &pairs(&query));
        }

        #[test]
        fn string_literals_round_trip(order in "[ -~]{0,12}") {
            let literal = format!("'{}'", order.replace('\'', "''"));
            let encoded = percent_encoding::utf8_percent_encode(
                &literal,
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string();
            let arguments = parse_arguments(&FUNCTION, &[(String::from("MaintenanceOrder"), encoded)])
                .expect("a quoted string is a valid literal");
            proptest::prop_assert_eq!(arguments.text("MaintenanceOrder"), order.as_str());
        }

        #[test]
        fn timestamps_round_trip(seconds in 0_i64..253_402_300_799) {
            let at = chrono::DateTime::from_timestamp(seconds, 0).expect("instant");
            let literal = format!("datetimeoffset'{}'", at.format("%Y-%m-%dT%H:%M:%SZ"));
            let arguments = parse_arguments(
                &FUNCTION,
                &[
                    (String::from("MaintenanceOrder"), String::from("'1'")),
                    (String::from("MaintOrderReferenceDateTime"), literal),
                ],
            )
            .expect("valid");
            proptest::prop_assert_eq!(
                arguments.get("MaintOrderReferenceDateTime"),
                Some(&Value::DateTimeOffset(Ticks::from_millis(seconds * 1000)))
            );
        }
    }

    #[test]
    fn complex_results_are_wrapped_by_the_function_name() {
        let json = complex_result_json(
            "cds_api_maintenanceorder_2",
            &FUNCTION,
            &RESULT,
            &[Value::Boolean(false)],
        );
        assert_eq!(
            json.render(),
            r#"{"d":{"SetMaintOrdToTechCompleted":{"__metadata":{"type":"cds_api_maintenanceorder_2.DummyFunctionImportResult"},"IsInvalid":false}}}"#
        );
    }
}
