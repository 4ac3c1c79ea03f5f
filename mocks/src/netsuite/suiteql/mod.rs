//! SuiteQL (reference §3): `POST /services/rest/query/v1/suiteql` with `{"q": "SELECT …"}`.
//!
//! A real SQL front end for the subset the connector and common clients send: a tokenizer
//! (`lexer`), a recursive-descent parser to a syntax tree (`parser`, `ast`, whose printer reads
//! back to the same tree), and an executor (`exec`) over the emulator's tables (`tables`) with
//! Oracle's value rules (`value`). Supported: `SELECT [DISTINCT]` columns, aliases, `*`, `t.*`,
//! expressions and `CASE`; `FROM` one table with `[INNER] JOIN` / `LEFT [OUTER] JOIN … ON`;
//! `WHERE` with comparisons, `AND`/`OR`/`NOT`, `IN`, `BETWEEN`, `IS [NOT] NULL`, `LIKE`;
//! `TO_DATE`, `TO_TIMESTAMP`, `TO_CHAR`, `TO_NUMBER`, `NVL`, `COALESCE`, `BUILTIN.DF`, string and
//! number functions, `SYSDATE` and date arithmetic in days; `COUNT`/`SUM`/`AVG`/`MIN`/`MAX` with
//! `GROUP BY`; `ORDER BY` (by expression, alias or position, `NULLS FIRST|LAST`); `ROWNUM`;
//! `OFFSET n ROWS` and `FETCH FIRST n ROWS ONLY`. Everything else — other statements,
//! subqueries, set operators, `HAVING` — is refused with NetSuite's 400 `INVALID_PARAMETER`,
//! never a 500.
//!
//! Result values are strings (numbers too), booleans `'T'`/`'F'`, NULL columns left out, keys
//! lower case (unaliased expressions are `expr1`, `expr2`, …), dates and datetimes in the
//! account format `M/D/YYYY` without the time.

mod ast;
mod exec;
mod lexer;
mod parser;
mod tables;
mod value;

pub(crate) use exec::Outcome;

use super::data::{NetSuiteData, Stamp};
use super::error::NsError;

fn search_error(detail: &str) -> NsError {
    NsError::invalid_parameter(format!(
        "Invalid search query. Detailed unprocessed description follows. Search error \
         occurred: {detail}"
    ))
}

/// Parses and runs a SuiteQL query; rows `[offset, offset + limit)` of its result.
pub(crate) fn query(
    data: &NetSuiteData,
    now: Stamp,
    text: &str,
    offset: u64,
    limit: u64,
) -> Result<Outcome, NsError> {
    let select = parser::parse(text).map_err(|error| {
        search_error(&format!(
            "Invalid or unsupported search: {} (at character {}).",
            error.message,
            error.offset + 1
        ))
    })?;
    exec::run(data, now, &select, offset, limit).map_err(|error| search_error(&error.0))
}

#[cfg(test)]
mod tests;
