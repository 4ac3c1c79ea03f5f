//! Token-based authentication: what a standard OAuth 1.0a client sends is accepted; every
//! deviation is NetSuite's 401 `INVALID_LOGIN` with the `token_rejected` challenge.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Answer, Ns, RECORDS, Token, nonce, oauth, read, real_now, start};

/// One signing of a request, with everything a case may spoil.
#[derive(Clone)]
struct Signed {
    sign_method: &'static str,
    sign_url: String,
    realm: String,
    consumer_key: String,
    consumer_secret: String,
    token: String,
    token_secret: String,
    nonce: String,
    timestamp: i64,
    signature_method: &'static str,
}

impl Signed {
    fn valid(ns: &Ns, url: &str) -> Signed {
        Signed {
            sign_method: "GET",
            sign_url: url.to_owned(),
            realm: ns.credential("account_id"),
            consumer_key: ns.credential("consumer_key"),
            consumer_secret: ns.credential("consumer_secret"),
            token: ns.credential("token_id"),
            token_secret: ns.credential("token_secret"),
            nonce: nonce(),
            timestamp: real_now(),
            signature_method: "HMAC-SHA256",
        }
    }

    fn header(&self) -> String {
        oauth::header(&oauth::Signing {
            method: self.sign_method,
            url: &self.sign_url,
            realm: &self.realm,
            consumer_key: &self.consumer_key,
            consumer_secret: &self.consumer_secret,
            token: &self.token,
            token_secret: &self.token_secret,
            nonce: &self.nonce,
            timestamp: self.timestamp,
            signature_method: self.signature_method,
        })
    }
}

async fn send(ns: &Ns, url: &str, authorization: Option<String>) -> Answer {
    let mut request = ns.client.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    read(request.send().await.expect("request")).await
}

/// Sends `url` signed as `spoil` leaves the valid signing and checks the status.
async fn check(ns: &Ns, name: &str, url: &str, spoil: fn(&mut Signed), expected: StatusCode) {
    let mut signed = Signed::valid(ns, url);
    spoil(&mut signed);
    let answer = send(ns, url, Some(signed.header())).await;
    assert_eq!(answer.status, expected, "{name}: {:?}", answer.body);
    if expected == StatusCode::UNAUTHORIZED {
        assert_eq!(answer.code(), "INVALID_LOGIN", "{name}");
        let challenge = answer.header("www-authenticate").expect("challenge");
        assert!(
            challenge.starts_with(&format!("OAuth realm=\"{}\"", ns.credential("account_id")))
                && challenge.contains("error=\"token_rejected\""),
            "{name}: {challenge}"
        );
        assert_eq!(
            answer.header("content-type"),
            Some("application/vnd.oracle.resource+json; type=error")
        );
    }
}

#[tokio::test]
async fn signatures_are_verified_exactly() {
    let ns = start("tiny", 7).await;
    let plain = ns.url(&format!("{RECORDS}/vendor/100001"));
    // Query parameters are part of the signature, with spaces, quotes and commas in them.
    let with_query = ns.url(&format!(
        "{RECORDS}/purchaseOrder?limit=5&q=lastModifiedDate%20ON_OR_AFTER%20%221%2F1%2F2026%22"
    ));
    type Case<'a> = (&'a str, &'a str, fn(&mut Signed), StatusCode);
    let cases: Vec<Case<'_>> = vec![
        ("a standard signature", &plain, |_| {}, StatusCode::OK),
        (
            "query parameters signed",
            &with_query,
            |_| {},
            StatusCode::OK,
        ),
        (
            "four minutes old",
            &plain,
            |s| s.timestamp -= 240,
            StatusCode::OK,
        ),
        (
            "wrong token secret",
            &plain,
            |s| s.token_secret.push('x'),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "wrong consumer secret",
            &plain,
            |s| s.consumer_secret = String::from("nope"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "unknown consumer key",
            &plain,
            |s| s.consumer_key = String::from("abc"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "unknown token",
            &plain,
            |s| s.token = String::from("abc"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "host form of the realm",
            &plain,
            |s| s.realm = s.realm.replace("_SB1", "-sb1"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "HMAC-SHA1",
            &plain,
            |s| s.signature_method = "HMAC-SHA1",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "ten minutes old",
            &plain,
            |s| s.timestamp -= 600,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "ten minutes ahead",
            &plain,
            |s| s.timestamp += 600,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "signed for another method",
            &plain,
            |s| s.sign_method = "POST",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "query left out of the signature",
            &with_query,
            |s| {
                s.sign_url = s.sign_url.split('?').next().unwrap_or_default().to_owned();
            },
            StatusCode::UNAUTHORIZED,
        ),
        (
            "short nonce",
            &plain,
            |s| s.nonce = String::from("abc"),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (name, url, spoil, expected) in cases {
        check(&ns, name, url, spoil, expected).await;
    }
    for (name, header) in [
        ("no header", None),
        ("a bearer token", Some(String::from("Bearer abc"))),
        ("garbage", Some(String::from("OAuth realm"))),
    ] {
        let answer = send(&ns, &plain, header).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(answer.code(), "INVALID_LOGIN", "{name}");
    }
}

#[tokio::test]
async fn a_nonce_is_used_once_and_the_virtual_clock_does_not_matter() {
    let ns = start("tiny", 7).await;
    let url = ns.url(&format!("{RECORDS}/vendor/100001"));
    let header = Signed::valid(&ns, &url).header();
    assert_eq!(
        send(&ns, &url, Some(header.clone())).await.status,
        StatusCode::OK
    );
    let replay = send(&ns, &url, Some(header)).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(replay.code(), "INVALID_LOGIN");
    // A forged request does not use up the nonce of the real one.
    let mut forged = Signed::valid(&ns, &url);
    let real = forged.clone();
    forged.token_secret.push('x');
    assert_eq!(
        send(&ns, &url, Some(forged.header())).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&ns, &url, Some(real.header())).await.status,
        StatusCode::OK
    );
    // Days of virtual time later, a request signed with the real clock still passes.
    let (status, _) = ns
        .admin_post("/clock", json!({"advance_seconds": 5 * 86_400}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = ns.get(&format!("{RECORDS}/vendor/100001")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("date"), Some("Sat, 07 Mar 2026 08:00:00 GMT"));
}

#[tokio::test]
async fn read_only_tokens_read_but_may_not_write_and_revoked_tokens_fail() {
    let ns = start("tiny", 7).await;
    let read = ns
        .send(
            Method::GET,
            &format!("{RECORDS}/vendor/100001"),
            None,
            Token::ReadOnly,
            &[],
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let query = ns
        .send(
            Method::POST,
            "/services/rest/query/v1/suiteql",
            Some(&json!({"q": "SELECT id FROM vendor WHERE id = 100001"})),
            Token::ReadOnly,
            &[],
        )
        .await;
    assert_eq!(query.status, StatusCode::OK, "SuiteQL is a read");
    let body = json!({"companyName": "Never Ltd", "subsidiary": {"id": "1"}});
    for (method, path) in [
        (Method::POST, format!("{RECORDS}/vendor")),
        (Method::PATCH, format!("{RECORDS}/vendor/100001")),
        (Method::DELETE, format!("{RECORDS}/purchaseOrder/1000001")),
        (Method::PUT, format!("{RECORDS}/vendor/eid:NEVER-1")),
    ] {
        let answer = ns
            .send(method.clone(), &path, Some(&body), Token::ReadOnly, &[])
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(answer.code(), "INSUFFICIENT_PERMISSION");
    }
    assert_eq!(
        ns.admin_get("/truth/vendors").await["count"],
        40,
        "nothing was written"
    );

    let (status, revoked) = ns.admin_post("/credentials/revoke", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // The main token and the M2M mapping.
    assert_eq!(revoked["revoked"].as_array().map(Vec::len), Some(2));
    let refused = ns.get(&format!("{RECORDS}/vendor/100001")).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "INVALID_LOGIN");
    let (_, restored) = ns.admin_post("/credentials/restore", json!({})).await;
    assert_eq!(restored["restored"], revoked["revoked"]);
    assert_eq!(
        ns.get(&format!("{RECORDS}/vendor/100001")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn manifest_credentials_have_the_conventional_names() {
    let ns = start("tiny", 7).await;
    let entry = ns.running.manifest_entry();
    assert_eq!(entry["system"], "netsuite");
    let account = ns.credential("account_id");
    assert!(
        account.ends_with("_SB1") && account.len() == 11,
        "{account}"
    );
    for key in [
        "consumer_key",
        "consumer_secret",
        "token_id",
        "token_secret",
    ] {
        let value = ns.credential(key);
        assert_eq!(value.len(), 64, "{key}");
        assert!(value.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    }
    for key in ["client_id", "certificate_id", "private_key"] {
        assert!(!ns.credential(key).is_empty(), "{key}");
    }
    // Everything but the M2M key pair (made fresh at start: ring derives no key from a seed)
    // follows the seed.
    let without_key = |mut c: serde_json::Value| {
        c.as_object_mut().map(|o| o.remove("private_key"));
        c
    };
    let again = start("tiny", 7).await;
    assert_eq!(
        without_key(again.credentials),
        without_key(ns.credentials.clone()),
        "credentials follow the seed"
    );
    assert_ne!(
        without_key(start("tiny", 8).await.credentials),
        without_key(ns.credentials.clone())
    );
}
