//! Authentication and authorisation: every way in, the refusals with their codes, the
//! read-only user, sessions, and revocation through the admin API.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde_json::json;

use crate::common::{Emulator, enc, reason, start};

const WHOAMI: &str = "/maximo/api/whoami";

#[tokio::test]
async fn every_way_in_and_every_refusal() {
    let emulator = start("tiny", 7).await;
    let key = emulator.credential("apikey");
    let user = emulator.credential("username");
    let password = emulator.credential("password");
    let maxauth = STANDARD.encode(format!("{user}:{password}"));
    let wrong = STANDARD.encode(format!("{user}:nope"));
    let client = &emulator.client;
    let url = |path: &str| emulator.url(path);
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "apikey header",
            client.get(url(WHOAMI)).header("apikey", &key),
            200,
            "",
        ),
        (
            "apikey query",
            client.get(url(&format!("{WHOAMI}?apikey={}", enc(&key)))),
            200,
            "",
        ),
        (
            "maxauth",
            client.get(url(WHOAMI)).header("maxauth", &maxauth),
            200,
            "",
        ),
        (
            "basic",
            client
                .get(url(WHOAMI))
                .header("authorization", format!("Basic {maxauth}")),
            200,
            "",
        ),
        (
            "lid/lpwd",
            client.get(url(&format!(
                "{WHOAMI}?_lid={user}&_lpwd={}",
                enc(&password)
            ))),
            200,
            "",
        ),
        ("nothing", client.get(url(WHOAMI)), 401, "BMXAA7901E"),
        (
            "bad key",
            client.get(url(WHOAMI)).header("apikey", "nope"),
            401,
            "BMXAA9549E",
        ),
        (
            "bad key query",
            client.get(url(&format!("{WHOAMI}?apikey=nope"))),
            401,
            "BMXAA9549E",
        ),
        (
            "bad maxauth",
            client.get(url(WHOAMI)).header("maxauth", &wrong),
            401,
            "BMXAA7901E",
        ),
        (
            "garbage maxauth",
            client.get(url(WHOAMI)).header("maxauth", "!!!"),
            401,
            "BMXAA7901E",
        ),
        (
            "bearer",
            client.get(url(WHOAMI)).header("authorization", "Bearer x"),
            401,
            "BMXAA7901E",
        ),
        (
            "unknown cookie",
            client.get(url(WHOAMI)).header("cookie", "JSESSIONID=123"),
            401,
            "BMXAA7901E",
        ),
        (
            "collection without auth",
            client.get(url("/maximo/oslc/os/mxapiasset?lean=1")),
            401,
            "BMXAA7901E",
        ),
    ];
    for (name, builder, status, code) in cases {
        let answer = Emulator::send(builder).await;
        assert_eq!(answer.status.as_u16(), status, "{name}: {}", answer.body);
        if status == 200 {
            assert_eq!(answer.body["personid"], "MXINTADM", "{name}");
        } else {
            assert_eq!(reason(&answer).1, code, "{name}");
        }
    }

    // Sessions: /oslc/login and the form login both hand out JSESSIONID.
    let login = Emulator::send(
        client
            .post(url("/maximo/oslc/login"))
            .header("maxauth", &maxauth),
    )
    .await;
    assert_eq!(login.status, 200);
    let cookie = login.headers["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    assert!(cookie.starts_with("JSESSIONID="));
    let by_cookie = Emulator::send(client.get(url(WHOAMI)).header("cookie", &cookie)).await;
    assert_eq!(by_cookie.status, 200);
    let form = Emulator::send(
        client
            .post(url("/maximo/j_security_check"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "j_username={}&j_password={}",
                user.to_lowercase(),
                enc(&password)
            )),
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(
        form.headers["set-cookie"]
            .to_str()
            .is_ok_and(|c| c.starts_with("JSESSIONID="))
    );
    let bad_form = Emulator::send(
        client
            .post(url("/maximo/j_security_check"))
            .body("j_username=x&j_password=y"),
    )
    .await;
    assert_eq!(reason(&bad_form), (401, String::from("BMXAA7901E")));
    let logout = Emulator::send(
        client
            .post(url("/maximo/oslc/logout"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(logout.status, 200);
    let after = Emulator::send(client.get(url(WHOAMI)).header("cookie", &cookie)).await;
    assert_eq!(after.status, 401, "the session ended");
}

#[tokio::test]
async fn the_read_only_user_reads_but_never_writes() {
    let emulator = start("tiny", 7).await;
    let key = emulator.credential("readonly_apikey");
    let reader = |method: Method, path: &str| {
        emulator
            .client
            .request(method, emulator.url(path))
            .header("apikey", &key)
    };
    let read = Emulator::send(reader(
        Method::GET,
        "/maximo/api/os/mxapiwodetail?lean=1&count=1",
    ))
    .await;
    assert_eq!(read.status, 200);
    let member = format!(
        "/maximo/api/os/mxapiwodetail/{}?lean=1",
        crate::common::rest_id("BEDFORD/1000")
    );
    let writes = vec![
        reader(Method::POST, "/maximo/api/os/mxapiwodetail?lean=1")
            .body(json!({"description": "x"}).to_string()),
        reader(Method::POST, &member)
            .header("x-method-override", "PATCH")
            .body("{}"),
        reader(
            Method::POST,
            &format!("{member}&action=wsmethod:changeStatus"),
        )
        .header("x-method-override", "PATCH")
        .body(json!({"status": "APPR"}).to_string()),
        reader(Method::POST, "/maximo/api/os/mxapiasset?lean=1")
            .header("x-method-override", "BULK")
            .body("[]"),
        reader(Method::DELETE, &member),
    ];
    for builder in writes {
        let answer = Emulator::send(builder).await;
        assert_eq!(
            reason(&answer),
            (403, String::from("BMXAA0024E")),
            "{}",
            answer.body
        );
    }
    assert_eq!(
        Emulator::send(reader(
            Method::GET,
            "/maximo/api/os/mxapiwodetail?lean=1&count=1"
        ))
        .await
        .body,
        read.body,
        "nothing was written"
    );
}

#[tokio::test]
async fn revoked_credentials_fail_until_restored() {
    let emulator = start("tiny", 7).await;
    let user = emulator.credential("username");
    let password = emulator.credential("password");
    let maxauth = STANDARD.encode(format!("{user}:{password}"));
    assert_eq!(emulator.get(WHOAMI).await.status, 200);
    let (status, revoked) = emulator.admin_post("/credentials/revoke", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(revoked["revoked"], json!(["MXINTADM", "MXINTADM API key"]));
    assert_eq!(
        reason(&emulator.get(WHOAMI).await),
        (401, String::from("BMXAA9549E"))
    );
    let by_password = Emulator::send(
        emulator
            .client
            .get(emulator.url(WHOAMI))
            .header("maxauth", &maxauth),
    )
    .await;
    assert_eq!(reason(&by_password), (401, String::from("BMXAA7901E")));
    let reader = Emulator::send(
        emulator
            .client
            .get(emulator.url(WHOAMI))
            .header("apikey", emulator.credential("readonly_apikey")),
    )
    .await;
    assert_eq!(reader.status, 200, "only the integration user is revoked");
    let (_, restored) = emulator.admin_post("/credentials/restore", json!({})).await;
    assert_eq!(
        restored["restored"],
        json!(["MXINTADM", "MXINTADM API key"])
    );
    assert_eq!(emulator.get(WHOAMI).await.status, 200);
}
