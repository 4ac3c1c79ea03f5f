//! Token-based authentication (TBA): every request signed with OAuth 1.0a, HMAC-SHA256, written
//! from RFC 5849 §3 and NetSuite's "The Signature for Web Services and RESTlets".
//!
//! # Credentials
//! `account_id` (the realm: upper case with `_`, `1234567_SB1`; a host-form id such as
//! `1234567-sb1` is turned into it, since mixing the two is the classic cause of
//! `INVALID_LOGIN`), `consumer_key` + `consumer_secret` (the integration record), `token_id` +
//! `token_secret` (the access token of a user and role). Other credential fields are ignored.
//!
//! # The signature
//! - Parameters: the six protocol parameters `oauth_consumer_key`, `oauth_token`,
//!   `oauth_signature_method=HMAC-SHA256`, `oauth_timestamp`, `oauth_nonce`, `oauth_version=1.0`,
//!   plus every query parameter of the URL (decoded as `application/x-www-form-urlencoded`).
//!   JSON bodies are not signed (RFC 5849 §3.4.1.3.1 signs only form bodies), and `realm` is not
//!   a signed parameter.
//! - Normalisation: each name and value percent-encoded (RFC 3986 unreserved characters kept,
//!   upper-case hex), sorted by name then value, joined as `name=value` with `&`.
//! - Base string: `METHOD&pct(base URL)&pct(normalised parameters)`, the base URL being scheme and
//!   host in lower case, the port only when it is not the scheme's default, and the path, without
//!   query or fragment.
//! - Key: `pct(consumer_secret)&pct(token_secret)`; signature: Base64 of HMAC-SHA256 over the
//!   base string, percent-encoded again inside the header.
//! - Header: `Authorization: OAuth realm="<account_id>",oauth_consumer_key="…",oauth_token="…",
//!   oauth_signature_method="HMAC-SHA256",oauth_timestamp="…",oauth_nonce="…",oauth_version="1.0",
//!   oauth_signature="…"`.
//!
//! # Nonce and clock
//! The nonce is 32 random hexadecimal characters (a v4 UUID) per request, and each retry is
//! signed anew: NetSuite refuses a reused nonce. The timestamp is the **local real clock** in
//! Unix seconds, as every standard OAuth 1.0a library signs: NetSuite (and the emulator, which
//! checks it against the host's real clock, the one place it reads that clock) refuses
//! timestamps more than about 300 s away from its own. This is unrelated to the source's data
//! clock (the `Date` header and record stamps), which in the emulator is virtual and may be far
//! from the real time.
//!
//! Secrets are never logged: nothing here derives `Debug` over them.

use crate::http;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use mw_model::FieldError;
use percent_encoding::utf8_percent_encode;
use reqwest::{Method, Url};
use serde_json::Value;
use sha2::Sha256;

pub(crate) const SIGNATURE_METHOD: &str = "HMAC-SHA256";

/// RFC 5849 §3.6 percent-encoding.
pub(crate) fn pct(text: &str) -> String {
    utf8_percent_encode(text, http::EXCEPT_UNRESERVED).to_string()
}

/// The token-based-authentication credentials of one connection.
pub(crate) struct Tba {
    /// The realm: the account id in its upper-case, underscore form.
    pub(crate) account_id: String,
    consumer_key: String,
    consumer_secret: String,
    token_id: String,
    token_secret: String,
}

/// How a connection authenticates: token-based authentication when the credentials carry a
/// token (`token_id`), else OAuth 2.0 client credentials when they carry a certificate
/// (`certificate_id`, `private_key`; see `oauth2`).
pub(crate) enum Auth {
    Tba(Tba),
    M2m(Box<super::oauth2::M2m>),
}

impl Auth {
    pub(crate) fn from_credentials(credentials: &Value) -> Result<Auth, Vec<FieldError>> {
        let has = |name: &str| credentials.get(name).is_some_and(|v| !v.is_null());
        let m2m = !has("token_id")
            && !has("token_secret")
            && (has("certificate_id") || has("private_key"));
        if m2m {
            super::oauth2::M2m::from_credentials(credentials).map(|m2m| Auth::M2m(Box::new(m2m)))
        } else {
            Tba::from_credentials(credentials).map(Auth::Tba)
        }
    }
}

/// The per-request values of a signature.
pub(crate) struct Stamp<'a> {
    pub(crate) timestamp: u64,
    pub(crate) nonce: &'a str,
}

impl Tba {
    /// Reads `$.credentials`, reporting every missing or malformed field at once.
    pub(crate) fn from_credentials(credentials: &Value) -> Result<Tba, Vec<FieldError>> {
        const FIELDS: [&str; 5] = [
            "account_id",
            "consumer_key",
            "consumer_secret",
            "token_id",
            "token_secret",
        ];
        let Some(fields) = credentials.as_object() else {
            return Err(vec![FieldError::new(
                "$.credentials",
                "must be an object with account_id, consumer_key, consumer_secret, token_id and token_secret",
            )]);
        };
        let mut errors = Vec::new();
        let mut values = Vec::with_capacity(FIELDS.len());
        for name in FIELDS {
            let path = format!("$.credentials.{name}");
            match fields.get(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => values.push(s.trim().to_owned()),
                Some(Value::String(_)) | None | Some(Value::Null) => {
                    errors.push(FieldError::new(path, "must not be blank"));
                }
                Some(_) => errors.push(FieldError::new(path, "must be a string")),
            }
        }
        if let Some(account) = values.first().filter(|_| errors.is_empty()) {
            let ok = account
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                errors.push(FieldError::new(
                    "$.credentials.account_id",
                    "must be a NetSuite account id such as 1234567 or 1234567_SB1",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let [
            account_id,
            consumer_key,
            consumer_secret,
            token_id,
            token_secret,
        ]: [String; 5] = values
            .try_into()
            .map_err(|_| vec![FieldError::new("$.credentials", "incomplete")])?;
        Ok(Tba {
            account_id: realm_of(&account_id),
            consumer_key,
            consumer_secret,
            token_id,
            token_secret,
        })
    }

    /// The `Authorization` header of a request.
    pub(crate) fn authorization(&self, method: &Method, url: &Url, stamp: &Stamp<'_>) -> String {
        let timestamp = stamp.timestamp.to_string();
        let protocol = [
            ("oauth_consumer_key", self.consumer_key.as_str()),
            ("oauth_token", self.token_id.as_str()),
            ("oauth_signature_method", SIGNATURE_METHOD),
            ("oauth_timestamp", timestamp.as_str()),
            ("oauth_nonce", stamp.nonce),
            ("oauth_version", "1.0"),
        ];
        let base = base_string(method.as_str(), url, &protocol);
        let signature = sign(&base, &self.consumer_secret, &self.token_secret);
        let mut header = format!("OAuth realm=\"{}\"", self.account_id);
        for (name, value) in protocol {
            header.push_str(&format!(",{name}=\"{}\"", pct(value)));
        }
        header.push_str(&format!(",oauth_signature=\"{}\"", pct(&signature)));
        header
    }
}

/// The realm form of an account id: upper case, `-` as `_` (`1234567-sb1` → `1234567_SB1`).
pub(crate) fn realm_of(account_id: &str) -> String {
    account_id.trim().to_ascii_uppercase().replace('-', "_")
}

/// RFC 5849 §3.4.1.2 base string URI: lower-case scheme and host, the port only when it is not
/// the scheme's default, the path as sent; no query, no fragment.
pub(crate) fn base_url(url: &Url) -> String {
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    // `Url::port` is `None` for the scheme's default port, which the base string leaves out.
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = if url.path().is_empty() {
        "/"
    } else {
        url.path()
    };
    format!("{scheme}://{host}{port}{path}")
}

/// RFC 5849 §3.4.1.3.2: encode every name and value, sort by name then value, join.
pub(crate) fn normalized_parameters<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .map(|(name, value)| (pct(name), pct(value)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 5849 §3.4.1.1 signature base string of a request to `url` carrying the protocol
/// parameters `protocol` (without `oauth_signature` and `realm`).
pub(crate) fn base_string(method: &str, url: &Url, protocol: &[(&str, &str)]) -> String {
    let query: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let params = protocol.iter().copied().chain(
        query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    );
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        pct(&base_url(url)),
        pct(&normalized_parameters(params))
    )
}

/// Base64 of HMAC-SHA256 over `base` with the key `pct(consumer_secret)&pct(token_secret)`.
pub(crate) fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", pct(consumer_secret), pct(token_secret));
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(base.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// A fresh nonce: 32 random hexadecimal characters (a v4 UUID without dashes).
pub(crate) fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The local real clock in Unix seconds, what `oauth_timestamp` carries.
pub(crate) fn timestamp_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    /// RFC 5849 §3.4.1.2 examples.
    #[test]
    fn base_urls() {
        assert_eq!(
            base_url(&url("HTTP://EXAMPLE.COM:80/r%20v/X?id=123")),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            base_url(&url("https://www.example.net:8080/?q=1")),
            "https://www.example.net:8080/"
        );
        assert_eq!(
            base_url(&url(
                "https://1234567-SB1.suitetalk.api.netsuite.com:443/services/rest/record/v1/vendor"
            )),
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/vendor"
        );
    }

    /// RFC 5849 §3.4.1.3: the example request's parameters (query part; the form-body
    /// parameters `c2` and `a3=2 q` passed in as NetSuite would for a form body) normalise to
    /// the RFC's text, and the base string is the RFC's with `HMAC-SHA256` for `HMAC-SHA1`.
    #[test]
    fn rfc_5849_normalisation_and_base_string() {
        let request = url("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        let protocol = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            ("c2", ""),
            ("a3", "2 q"),
        ];
        let query: Vec<(String, String)> = request
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let all = protocol
            .iter()
            .copied()
            .chain(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(
            normalized_parameters(all),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA256&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
        );
        assert_eq!(
            base_string("post", &request, &protocol),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    /// The OAuth 1.0 reference example (photos.example.net), signed with HMAC-SHA256. The
    /// expected signature was computed independently (Python `hmac` + `hashlib.sha256`) over the
    /// same base string; with SHA-1 that base string gives the published
    /// `tR3+Ty81lMeYAr/Fid0kMTYa/WM=`.
    #[test]
    fn reference_example_signed_with_sha256() {
        let request = url("http://photos.example.net/photos?file=vacation.jpg&size=original");
        let protocol = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"),
            ("oauth_version", "1.0"),
        ];
        let base = base_string("GET", &request, &protocol);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        assert_eq!(
            sign(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "0gCtTYQAxqCKhIE0sltgx7UgHkAs10vrpuYE7xpRBnE="
        );
    }

    /// A NetSuite request as the connector sends it: realm first, values encoded, the query of a
    /// SuiteQL page in the signature. Expected signature computed independently (Python).
    #[test]
    fn netsuite_header() {
        let tba = Tba::from_credentials(&json!({
            "account_id": "1234567-sb1", "consumer_key": "ck", "consumer_secret": "cs&1",
            "token_id": "tk", "token_secret": "ts=2", "readonly_token_id": "ignored"
        }))
        .ok()
        .unwrap();
        assert_eq!(tba.account_id, "1234567_SB1");
        let request = url(
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=2",
        );
        let header = tba.authorization(
            &Method::POST,
            &request,
            &Stamp {
                timestamp: 1_642_571_364,
                nonce: "T6BdMze5acl",
            },
        );
        assert_eq!(
            header,
            "OAuth realm=\"1234567_SB1\",oauth_consumer_key=\"ck\",oauth_token=\"tk\",oauth_signature_method=\"HMAC-SHA256\",oauth_timestamp=\"1642571364\",oauth_nonce=\"T6BdMze5acl\",oauth_version=\"1.0\",oauth_signature=\"oHQk1yeLQh2Q%2FoQppvaU%2FxoS0aIUXIQeufP5%2Fh1N4N8%3D\""
        );
    }

    #[test]
    fn credentials_are_checked_field_by_field() {
        let paths = |v: Value| -> Vec<String> {
            match Tba::from_credentials(&v) {
                Err(errors) => errors.into_iter().map(|e| e.path).collect(),
                Ok(_) => Vec::new(),
            }
        };
        assert_eq!(
            paths(
                json!({"account_id": "1", "consumer_key": " ", "consumer_secret": 5, "token_id": "t"})
            ),
            [
                "$.credentials.consumer_key",
                "$.credentials.consumer_secret",
                "$.credentials.token_secret"
            ]
        );
        assert_eq!(
            paths(
                json!({"account_id": "12 34", "consumer_key": "a", "consumer_secret": "b", "token_id": "c", "token_secret": "d"})
            ),
            ["$.credentials.account_id"]
        );
        assert_eq!(paths(json!("secret")), ["$.credentials"]);
    }

    #[test]
    fn nonces_are_fresh_and_alphanumeric() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    }

    /// Decodes RFC 5849 percent-encoding, for the properties below.
    fn unpct(text: &str) -> String {
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    proptest! {
        /// Encoding keeps exactly the unreserved characters and reads back losslessly.
        #[test]
        fn percent_encoding_round_trips(text in "\\PC{0,40}") {
            let encoded = pct(&text);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
            prop_assert!(!encoded.contains("%2D") && !encoded.contains("%7E"));
            prop_assert_eq!(unpct(&encoded), text);
        }

        /// The base string has three parts, the normalised parameters are sorted, every query
        /// parameter is in them, and the order of the query does not matter.
        #[test]
        fn query_parameters_are_signed_in_any_order(
            params in proptest::collection::vec(("[a-z_]{1,6}", "[ -~]{0,8}"), 0..5),
            method in prop_oneof![Just("GET"), Just("post"), Just("Patch")],
        ) {
            let mut forward = url("http://127.0.0.1:8080/services/rest/record/v1/vendor");
            forward.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let mut backward = url("http://127.0.0.1:8080/services/rest/record/v1/vendor");
            backward.query_pairs_mut().extend_pairs(params.iter().rev().map(|(k, v)| (k.as_str(), v.as_str())));
            let protocol = [("oauth_nonce", "n"), ("oauth_timestamp", "1")];
            let base = base_string(method, &forward, &protocol);
            prop_assert_eq!(&base, &base_string(method, &backward, &protocol));
            let parts: Vec<&str> = base.split('&').collect();
            prop_assert_eq!(parts.len(), 3);
            prop_assert_eq!(parts[0], method.to_ascii_uppercase());
            prop_assert_eq!(unpct(parts[1]), "http://127.0.0.1:8080/services/rest/record/v1/vendor");
            let normalised = unpct(parts[2]);
            let pairs: Vec<(String, String)> = if normalised.is_empty() { Vec::new() } else {
                normalised.split('&').map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (unpct(k), unpct(v))
                }).collect()
            };
            let mut sorted = pairs.clone();
            sorted.sort_by_key(|(k, v)| (pct(k), pct(v)));
            prop_assert_eq!(&pairs, &sorted);
            for (k, v) in &params {
                prop_assert!(pairs.contains(&(k.clone(), v.clone())), "{k}={v} missing");
            }
            prop_assert_eq!(pairs.len(), params.len() + protocol.len());
        }

        /// Any change to the key or the base string changes the signature.
        #[test]
        fn signatures_depend_on_key_and_text(base in "[ -~]{1,40}", secret in "[ -~]{1,12}") {
            let s = sign(&base, &secret, "t");
            prop_assert_eq!(s.len(), 44);
            prop_assert_ne!(&s, &sign(&format!("{base}x"), &secret, "t"));
            prop_assert_ne!(&s, &sign(&base, &secret, "u"));
        }
    }
}
