//! Request bodies of creates and updates, checked against the entity type.
//!
//! SAP Gateway refuses a payload before the application sees it when a name is not a property
//! of the type (`Property 'X' is invalid`), when a value has the wrong JSON type, exceeds its
//! `MaxLength`, or has more digits than its `Precision`/`Scale` allow. Those checks live here;
//! which properties may be written is the service's business (read-only fields are ignored).

use rust_decimal::Decimal;

use super::edm::{EdmType, EntityType, Multiplicity, Navigation, Property, ServiceDef};
use super::error::ODataError;
use super::value::{Value, from_request_json};

/// A request body's properties and deep-insert navigation content.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntityPayload {
    /// Property position and typed value, in the order written.
    pub(crate) values: Vec<(usize, Value)>,
    pub(crate) navigations: Vec<(&'static Navigation, Vec<EntityPayload>)>,
}

impl EntityPayload {
    pub(crate) fn get(&self, index: usize) -> Option<&Value> {
        self.values
            .iter()
            .find(|(position, _)| *position == index)
            .map(|(_, value)| value)
    }

    /// The navigation paths a deep insert filled (`to_Item`, `to_Item/to_ScheduleLine`), for
    /// expanding the created entity in the answer.
    pub(crate) fn navigation_paths(&self) -> Vec<Vec<String>> {
        let mut paths: Vec<Vec<String>> = Vec::new();
        for (navigation, children) in &self.navigations {
            let head = vec![navigation.name.to_owned()];
            if !paths.contains(&head) {
                paths.push(head.clone());
            }
            for child in children {
                for tail in child.navigation_paths() {
                    let mut path = head.clone();
                    path.extend(tail);
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
            }
        }
        paths
    }
}

/// Parses a JSON body (the bytes as received) for `entity_type`.
pub(crate) fn parse_body(
    service: &ServiceDef,
    entity_type: &EntityType,
    bytes: &[u8],
    allow_deep_insert: bool,
) -> Result<EntityPayload, ODataError> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        ODataError::bad_request(format!(
            "Malformed request body: the JSON could not be parsed ({error})"
        ))
    })?;
    // Both `{"d":{…}}` (what the OpenAPI specs show) and a bare object are accepted.
    let object = match &json {
        serde_json::Value::Object(map)
            if map.len() == 1 && map.get("d").is_some_and(|d| d.is_object()) =>
        {
            map.get("d").unwrap_or(&json)
        }
        _ => &json,
    };
    let levels = if allow_deep_insert {
        MAX_DEEP_INSERT_LEVELS
    } else {
        0
    };
    parse_object(service, entity_type, object, levels)
}

/// How many navigation levels a deep insert may nest: order → items → schedule lines, partner
/// → supplier → purchasing organisations.
const MAX_DEEP_INSERT_LEVELS: usize = 3;

/// Whether `navigation` leads to dependents of `entity_type` (which a deep insert creates):
/// every to-many navigation, and to-one navigations whose association names this type as the
/// principal of a referential constraint (a partner's supplier), never a parent.
fn leads_to_dependents(
    service: &ServiceDef,
    entity_type: &EntityType,
    navigation: &Navigation,
) -> bool {
    navigation.multiplicity == Multiplicity::Many
        || service.associations.iter().any(|association| {
            association.name == navigation.association
                && association.from.entity_type == entity_type.name
                && !association.constraints.is_empty()
        })
}

fn parse_object(
    service: &ServiceDef,
    entity_type: &EntityType,
    json: &serde_json::Value,
    levels: usize,
) -> Result<EntityPayload, ODataError> {
    let serde_json::Value::Object(map) = json else {
        return Err(ODataError::bad_request(format!(
            "Malformed request body: a JSON object of type '{}' is expected",
            entity_type.name
        )));
    };
    let mut payload = EntityPayload::default();
    for (name, value) in map {
        if name == "__metadata" {
            continue;
        }
        if let Some(index) = entity_type.property_index(name) {
            let property = &entity_type.properties[index];
            payload.values.push((index, typed_value(property, value)?));
            continue;
        }
        match entity_type.navigation(name) {
            // Deep insert creates dependents (items under their order), never a parent.
            Some(navigation)
                if levels > 0 && leads_to_dependents(service, entity_type, navigation) =>
            {
                let target = service
                    .entity_set(navigation.target_set)
                    .map(|set| set.entity_type)
                    .ok_or_else(|| invalid_property(name))?;
                let children = navigation_content(service, target, navigation, value, levels - 1)?;
                payload.navigations.push((navigation, children));
            }
            _ => return Err(invalid_property(name)),
        }
    }
    Ok(payload)
}

fn invalid_property(name: &str) -> ODataError {
    ODataError::bad_request(format!("Property '{name}' is invalid"))
}

/// Deep-insert content: an array, `{"results":[…]}`, or one object for to-one navigation.
fn navigation_content(
    service: &ServiceDef,
    target: &EntityType,
    navigation: &Navigation,
    value: &serde_json::Value,
    levels: usize,
) -> Result<Vec<EntityPayload>, ODataError> {
    let items: Vec<&serde_json::Value> = match value {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(_) if navigation.multiplicity == Multiplicity::One => {
            return Err(ODataError::bad_request(format!(
                "Malformed request body: '{}' expects one object",
                navigation.name
            )));
        }
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Object(map) => match map.get("results") {
            Some(serde_json::Value::Array(items)) if map.len() == 1 => items.iter().collect(),
            _ if navigation.multiplicity == Multiplicity::One => vec![value],
            _ => {
                return Err(ODataError::bad_request(format!(
                    "Malformed request body: '{}' expects an array or {{\"results\":[…]}}",
                    navigation.name
                )));
            }
        },
        _ => {
            return Err(ODataError::bad_request(format!(
                "Malformed request body: '{}' expects an array or {{\"results\":[…]}}",
                navigation.name
            )));
        }
    };
    items
        .into_iter()
        // Nesting deeper than the limit is refused like any unknown name.
        .map(|item| parse_object(service, target, item, levels))
        .collect()
}

fn typed_value(property: &Property, json: &serde_json::Value) -> Result<Value, ODataError> {
    let value = from_request_json(property.edm, json).map_err(|mismatch| {
        ODataError::bad_request(format!(
            "Invalid value {json} for property '{}' of type {}",
            property.name, mismatch.expected
        ))
    })?;
    match &value {
        Value::Null if !property.nullable => {
            return Err(ODataError::bad_request(format!(
                "Property '{}' must not be null",
                property.name
            )));
        }
        Value::String(text) => {
            if let Some(max) = property.max_length
                && text.chars().count() > usize::try_from(max).unwrap_or(usize::MAX)
            {
                return Err(ODataError::bad_request(format!(
                    "Value of property '{}' exceeds the maximum length of {max}",
                    property.name
                )));
            }
        }
        Value::Decimal(number) => check_decimal(property, *number)?,
        _ => {}
    }
    if property.edm == EdmType::DateTime
        && property.display_format == Some("Date")
        && let Some(ticks) = value.as_ticks()
        && ticks != ticks.start_of_day()
    {
        return Err(ODataError::bad_request(format!(
            "Property '{}' is a date; a time of day is not allowed",
            property.name
        )));
    }
    Ok(value)
}

fn check_decimal(property: &Property, number: Decimal) -> Result<(), ODataError> {
    let normalized = number.normalize();
    let scale = property.scale.unwrap_or(0);
    let precision = property.precision.unwrap_or(28);
    if normalized.scale() > scale {
        return Err(ODataError::bad_request(format!(
            "Value {number} of property '{}' has more than {scale} decimal places",
            property.name
        )));
    }
    let integer_digits = normalized
        .trunc()
        .abs()
        .to_string()
        .trim_start_matches('0')
        .len();
    let allowed = precision.saturating_sub(scale);
    if u32::try_from(integer_digits).unwrap_or(u32::MAX) > allowed {
        return Err(ODataError::bad_request(format!(
            "Value {number} of property '{}' exceeds its precision of {precision} digits",
            property.name
        )));
    }
    Ok(())
}
