//! Validation of client-supplied bodies, reported as field errors with JSON paths.

use serde::Serialize;

/// One problem with one field of a request body. `path` is a JSON path such as `$.lines[0].quantity`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A body that can say what is wrong with it. An empty list means valid.
pub trait Validate {
    fn validate(&self) -> Vec<FieldError>;
}

/// Collects field errors under a path prefix.
#[derive(Default)]
pub(crate) struct Errors(pub(crate) Vec<FieldError>);

impl Errors {
    pub(crate) fn require(&mut self, ok: bool, path: impl FnOnce() -> String, message: &str) {
        if !ok {
            self.0.push(FieldError::new(path(), message));
        }
    }

    pub(crate) fn non_blank(&mut self, value: &str, path: &str) {
        self.require(
            !value.trim().is_empty(),
            || path.to_owned(),
            "must not be blank",
        );
    }

    pub(crate) fn currency(&mut self, value: &str, path: &str) {
        self.require(
            value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()),
            || path.to_owned(),
            "must be an ISO 4217 code of three capital letters",
        );
    }
}
