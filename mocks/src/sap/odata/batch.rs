//! `$batch` (OData v2, reference §3.5): the `multipart/mixed` request and response formats and
//! the rules of changesets, independent of how one operation is executed.
//!
//! A batch is a sequence of parts: a single `application/http` request (reads only), or a
//! changeset (`multipart/mixed` of `application/http` requests, writes only) that succeeds or
//! fails as a whole. [`parse`] reads the request strictly enough that a malformed body is
//! refused with SAP's error before anything runs; [`execute`] runs the parts through an
//! [`Executor`] (the route handler: auth, CSRF and ETags apply to every operation as if sent
//! alone) and renders the `202 Accepted` multipart answer with one `HTTP/1.1` status line per
//! operation. A failed changeset is undone and answered by the single error of its failing
//! operation; the parts after it still run. `Content-ID` values name earlier results of the
//! same changeset: a later URL may start with `$<id>` to mean the entity created there.

use std::collections::HashMap;

use axum::http::StatusCode;

use super::error::ODataError;

/// Parts and operations a batch may hold, to bound the work one request can cause.
const MAX_OPERATIONS: usize = 1_000;

/// One HTTP request inside a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Operation {
    pub(crate) method: String,
    /// The request target as written: relative to the service root, an absolute path, an
    /// absolute URL, or `$<content-id>…`.
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) content_id: Option<String>,
}

impl Operation {
    fn is_read(&self) -> bool {
        self.method.eq_ignore_ascii_case("GET")
    }
}

/// A top-level part of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Single(Operation),
    ChangeSet(Vec<Operation>),
}

/// The answer to one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Outcome {
    fn failed(&self) -> bool {
        self.status >= 400
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Runs the operations of a batch.
pub(crate) trait Executor {
    /// Runs one operation; `url` has its `$<content-id>` reference resolved.
    fn run(&mut self, operation: &Operation, url: &str) -> Outcome;
    /// Starts a changeset of `operations` writes; an `Err` answers the whole changeset.
    fn begin_changeset(&mut self, operations: usize) -> Result<(), Outcome>;
    /// Undoes everything since `begin_changeset`.
    fn rollback(&mut self);
    /// Keeps everything since `begin_changeset`.
    fn commit(&mut self);
    /// SAP's error answer for a part the batch rules refuse.
    fn refusal(&mut self, error: ODataError) -> Outcome;
}

fn malformed(detail: &str) -> ODataError {
    ODataError::bad_request(format!("Malformed $batch request: {detail}"))
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub(crate) fn boundary_of(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    let media = pieces.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    pieces.find_map(|piece| {
        let (name, value) = piece.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        let valid = !value.is_empty()
            && value.len() <= 70
            && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            && !value.ends_with(' ');
        valid.then(|| value.to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| position + from)
}

/// The next `--boundary` at the start of a line, from `from` on.
fn find_delimiter(body: &[u8], delimiter: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let found = find(body, delimiter, at)?;
        if found == 0 || body[found - 1] == b'\n' {
            return Some(found);
        }
        at = found + 1;
    }
}

/// Splits a multipart body into the contents of its parts.
fn split(body: &[u8], boundary: &str) -> Result<Vec<Vec<u8>>, ODataError> {
    let delimiter = format!("--{boundary}").into_bytes();
    let Some(mut position) = find_delimiter(body, &delimiter, 0) else {
        return Err(malformed(&format!(
            "no delimiter for boundary '{boundary}'"
        )));
    };
    let mut parts = Vec::new();
    loop {
        let after = position + delimiter.len();
        if body.get(after..after + 2) == Some(b"--") {
            return Ok(parts);
        }
        let Some(line_end) = find(body, b"\n", after) else {
            return Err(malformed("a delimiter line does not end"));
        };
        if !body[after..line_end]
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            return Err(malformed("unexpected text after a delimiter"));
        }
        let start = line_end + 1;
        let Some(next) = find_delimiter(body, &delimiter, start) else {
            return Err(malformed(&format!(
                "the closing delimiter '--{boundary}--' is missing"
            )));
        };
        // The line break before a delimiter belongs to the delimiter.
        let mut end = next;
        if end > start && body[end - 1] == b'\n' {
            end -= 1;
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(body[start..end.max(start)].to_vec());
        if parts.len() > MAX_OPERATIONS {
            return Err(malformed(&format!(
                "more than {MAX_OPERATIONS} parts in one batch"
            )));
        }
        position = next;
    }
}

/// Header lines as `(name, value)`.
type Headers = Vec<(String, String)>;

/// Splits header lines from the rest (no body when the blank line is missing).
fn headers_and_rest(block: &[u8]) -> Result<(Headers, Vec<u8>), ODataError> {
    let mut headers = Vec::new();
    let mut position = 0;
    loop {
        let Some(line_end) = find(block, b"\n", position) else {
            // Headers up to the end and no body.
            let line = &block[position..];
            if !line.iter().all(u8::is_ascii_whitespace) {
                headers.push(header_line(line)?);
            }
            return Ok((headers, Vec::new()));
        };
        let line = &block[position..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        position = line_end + 1;
        if line.is_empty() {
            return Ok((headers, block[position..].to_vec()));
        }
        headers.push(header_line(line)?);
    }
}

fn header_line(line: &[u8]) -> Result<(String, String), ODataError> {
    let text = std::str::from_utf8(line).map_err(|_| malformed("a header is not UTF-8"))?;
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| malformed(&format!("'{text}' is not a header")))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(malformed(&format!("'{text}' is not a header")));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Reads one `application/http` part.
fn operation(part_headers: &[(String, String)], content: &[u8]) -> Result<Operation, ODataError> {
    let Some(line_end) = find(content, b"\n", 0).or(Some(content.len())) else {
        return Err(malformed("an operation has no request line"));
    };
    let line = &content[..line_end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = std::str::from_utf8(line).map_err(|_| malformed("a request line is not UTF-8"))?;
    let mut words = line.split(' ').filter(|word| !word.is_empty());
    let (Some(method), Some(url), Some(version), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(malformed(&format!("'{line}' is not a request line")));
    };
    if !version.starts_with("HTTP/") || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(malformed(&format!("'{line}' is not a request line")));
    }
    let rest = content.get(line_end + 1..).unwrap_or_default();
    let (headers, body) = headers_and_rest(rest)?;
    let content_id = header(part_headers, "content-id")
        .or_else(|| header(&headers, "content-id"))
        .map(str::to_owned);
    Ok(Operation {
        method: method.to_ascii_uppercase(),
        url: url.to_owned(),
        headers,
        body,
        content_id,
    })
}

fn is_http_part(headers: &[(String, String)]) -> bool {
    header(headers, "content-type").is_some_and(|value| {
        value
            .split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/http"))
    })
}

/// Parses a `$batch` request body sent with `content_type`.
pub(crate) fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Vec<Part>, ODataError> {
    let Some(boundary) = content_type.and_then(boundary_of) else {
        return Err(malformed(
            "the content type must be multipart/mixed with a boundary parameter",
        ));
    };
    let mut parts = Vec::new();
    let mut operations = 0;
    for content in split(body, &boundary)? {
        let (headers, rest) = headers_and_rest(&content)?;
        if is_http_part(&headers) {
            parts.push(Part::Single(operation(&headers, &rest)?));
            operations += 1;
        } else if let Some(changeset_boundary) =
            header(&headers, "content-type").and_then(boundary_of)
        {
            let mut changeset = Vec::new();
            for inner in split(&rest, &changeset_boundary)? {
                let (inner_headers, inner_rest) = headers_and_rest(&inner)?;
                if !is_http_part(&inner_headers) {
                    return Err(malformed(
                        "a changeset may only contain application/http parts",
                    ));
                }
                changeset.push(operation(&inner_headers, &inner_rest)?);
            }
            operations += changeset.len();
            parts.push(Part::ChangeSet(changeset));
        } else {
            return Err(malformed(
                "every part must be application/http or a multipart/mixed changeset",
            ));
        }
        if operations > MAX_OPERATIONS {
            return Err(malformed(&format!(
                "more than {MAX_OPERATIONS} operations in one batch"
            )));
        }
    }
    Ok(parts)
}

/// Resolves a `$<content-id>` reference at the start of `url`.
fn resolve_reference(url: &str, locations: &HashMap<String, String>) -> Result<String, String> {
    let Some(reference) = url.strip_prefix('$') else {
        return Ok(url.to_owned());
    };
    let end = reference.find(['/', '?']).unwrap_or(reference.len());
    let (id, rest) = reference.split_at(end);
    match locations.get(id) {
        Some(location) => Ok(format!("{location}{rest}")),
        None if id.is_empty() || id.starts_with(char::is_alphabetic) && !id.contains(':') => {
            // `$metadata`, `$batch` and friends are paths, not references.
            Ok(url.to_owned())
        }
        None => Err(format!(
            "Content-ID '{id}' does not name an earlier operation of this changeset"
        )),
    }
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Unknown")
}

/// One `application/http` response part (headers of the MIME part, blank line, message).
fn render_operation(out: &mut Vec<u8>, outcome: &Outcome, content_id: Option<&str>) {
    let mut message = format!("HTTP/1.1 {} {}\r\n", outcome.status, reason(outcome.status));
    for (name, value) in &outcome.headers {
        if name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        message.push_str(&format!("{name}: {value}\r\n"));
    }
    message.push_str(&format!("Content-Length: {}\r\n\r\n", outcome.body.len()));
    let mut message = message.into_bytes();
    message.extend_from_slice(&outcome.body);
    out.extend_from_slice(b"Content-Type: application/http\r\n");
    out.extend_from_slice(format!("Content-Length: {}\r\n", message.len()).as_bytes());
    out.extend_from_slice(b"content-transfer-encoding: binary\r\n");
    if let Some(id) = content_id {
        out.extend_from_slice(format!("Content-ID: {id}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&message);
    out.extend_from_slice(b"\r\n");
}

/// Runs `parts` and renders the response; returns its content type and body.
pub(crate) fn execute(
    parts: Vec<Part>,
    executor: &mut dyn Executor,
    id: &str,
) -> (String, Vec<u8>) {
    let boundary = format!("batch_{id}");
    let mut out = Vec::new();
    for (number, part) in parts.into_iter().enumerate() {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Single(operation) => {
                let outcome = if operation.is_read() {
                    match resolve_reference(&operation.url, &HashMap::new()) {
                        Ok(url) => executor.run(&operation, &url),
                        Err(message) => executor.refusal(ODataError::bad_request(message)),
                    }
                } else {
                    executor.refusal(ODataError::bad_request(format!(
                        "Method {} is only allowed inside a changeset",
                        operation.method
                    )))
                };
                render_operation(&mut out, &outcome, operation.content_id.as_deref());
            }
            Part::ChangeSet(operations) => {
                match run_changeset(&operations, executor) {
                    Ok(outcomes) => {
                        let changeset = format!("changeset_{id}_{number}");
                        let mut inner = Vec::new();
                        for (operation, outcome) in operations.iter().zip(&outcomes) {
                            inner.extend_from_slice(format!("--{changeset}\r\n").as_bytes());
                            render_operation(&mut inner, outcome, operation.content_id.as_deref());
                        }
                        inner.extend_from_slice(format!("--{changeset}--\r\n").as_bytes());
                        out.extend_from_slice(
                            format!(
                                "Content-Type: multipart/mixed; boundary={changeset}\r\nContent-Length: {}\r\n\r\n",
                                inner.len()
                            )
                            .as_bytes(),
                        );
                        out.extend_from_slice(&inner);
                        out.extend_from_slice(b"\r\n");
                    }
                    // A failed changeset answers with its one error, not a multipart.
                    Err(outcome) => render_operation(&mut out, &outcome, None),
                }
            }
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/mixed; boundary={boundary}"), out)
}

/// Runs a changeset all or nothing: the outcomes, or the error that undid it.
fn run_changeset(
    operations: &[Operation],
    executor: &mut dyn Executor,
) -> Result<Vec<Outcome>, Outcome> {
    if let Some(read) = operations.iter().find(|operation| operation.is_read()) {
        return Err(executor.refusal(ODataError::bad_request(format!(
            "Method {} is not allowed inside a changeset",
            read.method
        ))));
    }
    if operations.is_empty() {
        return Ok(Vec::new());
    }
    executor.begin_changeset(operations.len())?;
    let mut locations: HashMap<String, String> = HashMap::new();
    let mut outcomes = Vec::with_capacity(operations.len());
    for operation in operations {
        let outcome = match resolve_reference(&operation.url, &locations) {
            Ok(url) => executor.run(operation, &url),
            Err(message) => executor.refusal(ODataError::bad_request(message)),
        };
        if outcome.failed() {
            executor.rollback();
            return Err(outcome);
        }
        if let (Some(id), Some(location)) = (&operation.content_id, outcome.header("location")) {
            locations.insert(id.clone(), location.to_owned());
        }
        outcomes.push(outcome);
    }
    executor.commit();
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REQUEST: &str = "--batch_xyz\r\nContent-Type: multipart/mixed; boundary=changeset_abc\r\n\r\n--changeset_abc\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nPATCH A_PurchaseOrderItem(PurchaseOrder='4500000001',PurchaseOrderItem='10') HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"OrderQuantity\":\"50\"}\r\n--changeset_abc--\r\n\r\n--batch_xyz\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET A_PurchaseOrder('4500000001')?$expand=to_PurchaseOrderItem HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n--batch_xyz--\r\n";

    #[test]
    fn parses_the_sap_kba_example() {
        let parts = parse(
            Some("multipart/mixed; boundary=batch_xyz"),
            REQUEST.as_bytes(),
        )
        .expect("valid");
        assert_eq!(parts.len(), 2);
        let Part::ChangeSet(changeset) = &parts[0] else {
            panic!("changeset first");
        };
        assert_eq!(changeset[0].method, "PATCH");
        assert_eq!(changeset[0].content_id.as_deref(), Some("1"));
        assert_eq!(changeset[0].body, br#"{"OrderQuantity":"50"}"#);
        let Part::Single(read) = &parts[1] else {
            panic!("read second");
        };
        assert_eq!(
            read.url,
            "A_PurchaseOrder('4500000001')?$expand=to_PurchaseOrderItem"
        );
        assert!(read.body.is_empty());
        // Bare line feeds are read as well as CRLF.
        let unix = REQUEST.replace("\r\n", "\n");
        assert_eq!(
            parse(
                Some("multipart/mixed;boundary=\"batch_xyz\""),
                unix.as_bytes()
            ),
            Ok(parts)
        );
    }

    #[test]
    fn refuses_malformed_bodies() {
        let cases: [(&str, &str); 7] = [
            ("application/json", REQUEST),
            ("multipart/mixed", REQUEST),
            ("multipart/mixed; boundary=other", REQUEST),
            (
                "multipart/mixed; boundary=batch_xyz",
                "--batch_xyz\r\nContent-Type: application/http\r\n\r\nGET A HTTP/1.1\r\n",
            ),
            (
                "multipart/mixed; boundary=batch_xyz",
                "--batch_xyz\r\nContent-Type: text/plain\r\n\r\nhi\r\n--batch_xyz--",
            ),
            (
                "multipart/mixed; boundary=batch_xyz",
                "--batch_xyz\r\nContent-Type: application/http\r\n\r\nnot a request line\r\n--batch_xyz--",
            ),
            (
                "multipart/mixed; boundary=batch_xyz",
                "--batch_xyz\r\nContent-Type: application/http\r\n\r\nGET A HTTP/1.1\r\nno colon\r\n\r\n--batch_xyz--",
            ),
        ];
        for (content_type, body) in cases {
            assert!(
                parse(Some(content_type), body.as_bytes()).is_err(),
                "{content_type}: {body:?}"
            );
        }
        assert_eq!(
            parse(Some("multipart/mixed; boundary=b"), b"--b--"),
            Ok(Vec::new())
        );
    }

    /// Answers reads with 200, writes with 201 or 400 when the URL says so; records calls.
    #[derive(Default)]
    struct Fake {
        calls: Vec<String>,
        rollbacks: usize,
        commits: usize,
    }

    impl Executor for Fake {
        fn run(&mut self, operation: &Operation, url: &str) -> Outcome {
            self.calls.push(format!("{} {url}", operation.method));
            let status = if url.contains("bad") {
                400
            } else if operation.is_read() {
                200
            } else {
                201
            };
            Outcome {
                status,
                headers: vec![(String::from("location"), format!("http://h/{url}(1)"))],
                body: b"{}".to_vec(),
            }
        }
        fn begin_changeset(&mut self, _operations: usize) -> Result<(), Outcome> {
            Ok(())
        }
        fn rollback(&mut self) {
            self.rollbacks += 1;
        }
        fn commit(&mut self) {
            self.commits += 1;
        }
        fn refusal(&mut self, error: ODataError) -> Outcome {
            Outcome {
                status: error.status.as_u16(),
                headers: Vec::new(),
                body: error.message.into_bytes(),
            }
        }
    }

    fn op(method: &str, url: &str, id: Option<&str>) -> Operation {
        Operation {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            content_id: id.map(str::to_owned),
        }
    }

    #[test]
    fn changesets_are_all_or_nothing_and_references_resolve() {
        let mut fake = Fake::default();
        let parts = vec![
            Part::ChangeSet(vec![
                op("POST", "A", Some("1")),
                op("POST", "$1/to_Item", None),
            ]),
            Part::ChangeSet(vec![op("POST", "B", None), op("POST", "bad", None)]),
            Part::Single(op("GET", "C", None)),
            Part::Single(op("POST", "D", None)),
            Part::ChangeSet(vec![op("GET", "E", None)]),
        ];
        let (content_type, body) = execute(parts, &mut fake, "7");
        assert_eq!(content_type, "multipart/mixed; boundary=batch_7");
        assert_eq!(
            fake.calls,
            [
                "POST A",
                "POST http://h/A(1)/to_Item",
                "POST B",
                "POST bad",
                "GET C"
            ]
        );
        assert_eq!((fake.commits, fake.rollbacks), (1, 1));
        let text = String::from_utf8(body).expect("utf8");
        let statuses: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("HTTP/1.1"))
            .collect();
        assert_eq!(
            statuses,
            [
                "HTTP/1.1 201 Created",
                "HTTP/1.1 201 Created",
                "HTTP/1.1 400 Bad Request",
                "HTTP/1.1 200 OK",
                "HTTP/1.1 400 Bad Request",
                "HTTP/1.1 400 Bad Request"
            ]
        );
        assert!(text.ends_with("--batch_7--\r\n"));
        // The answer is itself a well-formed batch body.
        let reparsed = split(text.as_bytes(), "batch_7").expect("multipart");
        assert_eq!(reparsed.len(), 5);
    }

    proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400), boundary in "[a-z_]{1,12}") {
            let _ = parse(Some(&format!("multipart/mixed; boundary={boundary}")), &body);
        }

        #[test]
        fn generated_batches_round_trip(
            urls in proptest::collection::vec("[A-Za-z_]{1,10}(\\('[0-9]{1,10}'\\))?", 1..6),
            bodies in proptest::collection::vec("[a-zA-Z0-9{}\":, ]{0,40}", 1..6),
        ) {
            let mut text = String::new();
            let mut expected = Vec::new();
            for (url, body) in urls.iter().zip(bodies.iter().cycle()) {
                let method = if body.is_empty() { "GET" } else { "POST" };
                text.push_str("--b1\r\nContent-Type: application/http\r\n\r\n");
                text.push_str(&format!("{method} {url} HTTP/1.1\r\nAccept: application/json\r\n\r\n{body}\r\n"));
                expected.push(Part::Single(Operation {
                    method: method.to_owned(),
                    url: url.clone(),
                    headers: vec![(String::from("Accept"), String::from("application/json"))],
                    body: body.clone().into_bytes(),
                    content_id: None,
                }));
            }
            text.push_str("--b1--\r\n");
            prop_assert_eq!(parse(Some("multipart/mixed; boundary=b1"), text.as_bytes()), Ok(expected));
        }
    }
}
