//! OData v2 machinery as SAP Gateway speaks it, independent of any one service.
//!
//! - [`edm`]: the static model a service declares (types, SAP annotations, sets, associations).
//! - [`lexer`], [`filter`]: `$filter` tokens and a recursive-descent parser to an [`filter::Expr`].
//! - [`eval`]: type checking against an entity type, evaluation, bounds for index narrowing.
//! - [`query`]: system query options from the raw query string.
//! - [`engine`]: filtering, ordering and server-driven paging over a [`engine::RowSource`].
//! - [`value`], [`json`], [`payload`]: value formats (`/Date(..)/`), envelopes, `$select`/`$expand`.
//! - [`body`]: request bodies checked against the model.
//! - [`batch`]: `$batch` multipart requests and responses, changesets all or nothing.
//! - [`uri`]: resource paths and key predicates.
//! - [`error`]: SAP's v2 error envelope.
//! - [`metadata`]: the EDMX document.
//! - [`function`]: function imports (SAP's v2 actions): declaration, parameters, results.
//! - [`etag`]: ETags per entity set and `If-Match` preconditions.

pub(crate) mod batch;
pub(crate) mod body;
pub(crate) mod edm;
pub(crate) mod engine;
pub(crate) mod error;
pub(crate) mod etag;
pub(crate) mod eval;
pub(crate) mod filter;
pub(crate) mod function;
pub(crate) mod json;
pub(crate) mod lexer;
pub(crate) mod metadata;
pub(crate) mod payload;
pub(crate) mod query;
pub(crate) mod uri;
pub(crate) mod value;
