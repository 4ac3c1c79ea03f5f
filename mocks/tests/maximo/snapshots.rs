//! Reviewed snapshots of what a client sees: one member of every object structure (all
//! attributes and children, lean), a namespaced collection page, and an error body.

use crate::common::{Emulator, rest_id, start};

/// A member as the wire carries it, with the port-dependent base replaced.
async fn wire(emulator: &Emulator, path: &str) -> serde_json::Value {
    let answer = emulator.get(path).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    let text = answer
        .body
        .to_string()
        .replace(&emulator.running.base_url, "http://emulator");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn one_member_of_every_object_structure() {
    let emulator = start("tiny", 7).await;
    let vendor = emulator
        .get("/maximo/api/os/mxapivendor?lean=1&oslc.select=company&oslc.pageSize=1")
        .await
        .body["member"][0]["company"]
        .as_str()
        .expect("company")
        .to_owned();
    for (name, os, keys) in [
        ("work_order", "mxapiwodetail", String::from("BEDFORD/1000")),
        ("asset", "mxapiasset", String::from("1000/BEDFORD")),
        (
            "inventory",
            "mxapiinventory",
            String::from("0-0000/SET1/CENTRAL/BEDFORD"),
        ),
        ("purchase_order", "mxapipo", String::from("1000/0/BEDFORD")),
        ("vendor", "mxapivendor", format!("{vendor}/EAGLENA")),
    ] {
        let member = wire(
            &emulator,
            &format!("/maximo/api/os/{os}/{}?lean=1", rest_id(&keys)),
        )
        .await;
        insta::assert_json_snapshot!(name, member);
    }
}

#[tokio::test]
async fn namespaced_page_and_error_bodies() {
    let emulator = start("tiny", 7).await;
    let page = wire(
        &emulator,
        "/maximo/oslc/os/mxapiwodetail?oslc.select=wonum,status,woactivity%7Btaskid%7D&oslc.pageSize=2&pageno=2&collectioncount=1",
    )
    .await;
    insta::assert_json_snapshot!("namespaced_page", page);
    let error = emulator
        .get(&format!(
            "/maximo/api/os/mxapiwodetail/{}?lean=1",
            rest_id("BEDFORD/9999")
        ))
        .await;
    insta::assert_json_snapshot!("not_found_error", error.body);
}
