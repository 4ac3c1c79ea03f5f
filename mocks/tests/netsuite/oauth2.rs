//! OAuth 2.0 client credentials (M2M): a client assertion signed with the manifest's key gets a
//! bearer token; the token reads until an hour of the virtual clock has passed; every bad
//! assertion gets OAuth's JSON refusal, every bad token NetSuite's 401 with a Bearer challenge.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Value, json};

use crate::common::{Ns, RECORDS, read, real_now, start};

const TOKEN_PATH: &str = "/services/rest/auth/oauth2/v1/token";

/// A client assertion with `claims` changed by `spoil`, signed with the manifest's key.
fn assertion(ns: &Ns, spoil: impl FnOnce(&mut Value, &mut Value)) -> String {
    let mut header = json!({"alg": "ES256", "typ": "JWT", "kid": ns.credential("certificate_id")});
    let now = real_now();
    let mut claims = json!({"iss": ns.credential("client_id"), "scope": ["rest_webservices"],
        "aud": ns.url(TOKEN_PATH), "iat": now, "exp": now + 1800});
    spoil(&mut header, &mut claims);
    let pem = ns.credential("private_key");
    let der = STANDARD
        .decode(
            pem.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .expect("PEM");
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng).expect("key");
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(&rng, input.as_bytes()).expect("sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

async fn token_request(ns: &Ns, assertion: &str) -> (StatusCode, Value) {
    let form = format!(
        "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
    );
    let answer = read(
        ns.client
            .post(ns.url(TOKEN_PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .expect("token request"),
    )
    .await;
    (answer.status, answer.body)
}

async fn read_with(ns: &Ns, token: &str) -> crate::common::Answer {
    read(
        ns.client
            .get(ns.url(&format!("{RECORDS}/vendor?limit=1")))
            .bearer_auth(token)
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn a_token_reads_for_an_hour_of_the_source_clock() {
    let ns = start("tiny", 7).await;
    let (status, answer) = token_request(&ns, &assertion(&ns, |_, _| {})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["token_type"], "bearer");
    assert_eq!(answer["expires_in"], "3600");
    let token = answer["access_token"].as_str().expect("token").to_owned();
    assert_eq!(read_with(&ns, &token).await.status, StatusCode::OK);
    let (advanced, _) = ns
        .admin_post("/clock", json!({"advance_seconds": 3601}))
        .await;
    assert_eq!(advanced, StatusCode::OK);
    let expired = read_with(&ns, &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.code(), "INVALID_LOGIN");
    assert!(
        expired
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer ") && h.contains("invalid_token")),
        "{:?}",
        expired.headers
    );
    assert_eq!(
        read_with(&ns, "made-up").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_assertions_get_oauth_refusals() {
    let ns = start("tiny", 7).await;
    type Spoil = fn(&mut Value, &mut Value);
    let cases: [(&str, Spoil, &str); 5] = [
        (
            "another audience",
            |_, c| c["aud"] = json!("https://elsewhere/token"),
            "invalid_grant",
        ),
        (
            "another issuer",
            |_, c| c["iss"] = json!("someone"),
            "invalid_grant",
        ),
        (
            "an unknown certificate",
            |h, _| h["kid"] = json!("nope"),
            "invalid_grant",
        ),
        (
            "no REST scope",
            |_, c| c["scope"] = json!("restlets"),
            "invalid_scope",
        ),
        (
            "an hour-long assertion",
            |_, c| c["exp"] = json!(c["iat"].as_i64().unwrap_or(0) + 3600),
            "invalid_grant",
        ),
    ];
    for (what, spoil, error) in cases {
        let (status, answer) = token_request(&ns, &assertion(&ns, spoil)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
        assert_eq!(answer["error"], error, "{what}");
    }
    let (status, answer) = token_request(&ns, "not.a.jwt").await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
}
