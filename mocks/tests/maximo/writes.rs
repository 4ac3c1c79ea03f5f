//! Writes: creates with autokeys, PATCH with and without MERGE, `properties`, the status
//! machine, balance adjustments, optimistic concurrency, `transactionid`, BULK and SYNC.

use serde_json::{Value, json};

use crate::common::{Answer, Emulator, reason, rest_id, seconds, start};

const WO: &str = "/maximo/api/os/mxapiwodetail";
const LEAN: &str = "?lean=1";
const PATCH: (&str, &str) = ("x-method-override", "PATCH");

fn member_path(location: &Answer) -> String {
    let location = location.headers["location"].to_str().expect("location");
    let path = location
        .split_once("/maximo/")
        .map(|(_, rest)| format!("/maximo/{rest}"))
        .expect("absolute href");
    path.replace("/maximo/oslc/", "/maximo/api/")
}

async fn read(emulator: &Emulator, path: &str) -> Value {
    let answer = emulator.get(&format!("{path}{LEAN}")).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.body
}

async fn count(emulator: &Emulator, os: &str) -> u64 {
    emulator
        .get(&format!("/maximo/api/os/{os}?lean=1&count=1"))
        .await
        .body["totalCount"]
        .as_u64()
        .expect("count")
}

/// An asset number of the tiny data at BEDFORD.
async fn some_asset(emulator: &Emulator) -> Value {
    emulator
        .get(
            "/maximo/api/os/mxapiasset?lean=1&oslc.select=assetnum,location,siteid&oslc.pageSize=1",
        )
        .await
        .body["member"][0]
        .clone()
}

#[tokio::test]
async fn work_order_create_update_tasks_and_properties() {
    let emulator = start("tiny", 7).await;
    let asset = some_asset(&emulator).await;
    let created = emulator
        .post(
            &format!("{WO}{LEAN}"),
            &[],
            &json!({"siteid": "BEDFORD", "description": "Replace pump seal", "worktype": "CM",
                    "assetnum": asset["assetnum"], "woactivity": [{"description": "Isolate"}, {"description": "Replace"}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body,
        Value::Null,
        "no body without a properties header"
    );
    let path = member_path(&created);
    assert!(
        path.ends_with(&rest_id("BEDFORD/1400")),
        "wonum from the autokey: {path}"
    );
    let order = read(&emulator, &path).await;
    assert_eq!(order["status"], "WAPPR");
    assert_eq!(order["status_description"], "Waiting on Approval");
    assert_eq!(order["location"], asset["location"], "the asset's location");
    assert_eq!(
        seconds(order["changedate"].as_str().expect("date")),
        seconds("2026-03-02T08:00:00Z")
    );
    assert_eq!(
        order["changedate"], "2026-03-02T03:00:00-05:00",
        "server offset"
    );
    assert_eq!(order["reportedby"], "MXINTADM");
    let tasks: Vec<i64> = order["woactivity"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["taskid"].as_i64().expect("taskid"))
        .collect();
    assert_eq!(tasks, vec![10, 20]);
    assert_eq!(order["wostatus"].as_array().map(Vec::len), Some(1));

    // With a properties header the new record comes back.
    let shown = emulator
        .post(
            &format!("{WO}{LEAN}"),
            &[("properties", "wonum,status")],
            &json!({"description": "Second"}),
        )
        .await;
    assert_eq!(shown.status, 201);
    assert_eq!(shown.body["wonum"], "1401");
    assert_eq!(shown.body["status"], "WAPPR");
    assert!(shown.body.get("description").is_none());

    emulator
        .admin_post("/clock", json!({"advance_seconds": 3600}))
        .await;
    let patched = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH],
            &json!({"description": "Replace pump seal (urgent)", "wopriority": 1}),
        )
        .await;
    assert_eq!(patched.status, 204, "{}", patched.body);
    let order2 = read(&emulator, &path).await;
    assert_eq!(order2["description"], "Replace pump seal (urgent)");
    assert_eq!(order2["changedate"], "2026-03-02T04:00:00-05:00");
    assert_ne!(order2["_rowstamp"], order["_rowstamp"]);
    assert_eq!(
        patched.headers["etag"].to_str().expect("etag"),
        format!("\"{}\"", order2["_rowstamp"].as_str().expect("rowstamp"))
    );

    // Without MERGE, children are replaced; with MERGE they are matched on taskid.
    let replaced = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH, ("properties", "woactivity{taskid,description}")],
            &json!({"woactivity": [{"taskid": 10, "description": "Isolate and lock out"}]}),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(
        replaced.body["woactivity"],
        json!([{"taskid": 10, "description": "Isolate and lock out",
        "href": replaced.body["woactivity"][0]["href"], "_rowstamp": replaced.body["woactivity"][0]["_rowstamp"]}])
    );
    let merged = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[
                PATCH,
                ("patchtype", "MERGE"),
                ("properties", "woactivity{taskid}"),
            ],
            &json!({"woactivity": [{"description": "Test run"}]}),
        )
        .await;
    let ids: Vec<i64> = merged.body["woactivity"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["taskid"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, vec![10, 20]);
    let deleted = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[
                PATCH,
                ("patchtype", "MERGE"),
                ("properties", "woactivity{taskid},haschildren"),
            ],
            &json!({"woactivity": [{"taskid": 10, "_action": "Delete"}]}),
        )
        .await;
    assert_eq!(deleted.body["woactivity"][0]["taskid"], 20);
    assert_eq!(deleted.body["woactivity"].as_array().map(Vec::len), Some(1));

    // The truth lists the new work orders at the instant they were written.
    let truth = emulator
        .admin_get("/truth/work-orders?changed_since=2026-03-02T08:00:00Z")
        .await;
    let ids: Vec<(&str, &str)> = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id"),
                r["changed_at"].as_str().expect("at"),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            ("BEDFORD/1400", "2026-03-02T09:00:00.000Z"),
            ("BEDFORD/1401", "2026-03-02T08:00:00.000Z")
        ]
    );
}

/// One status step: target, and `None` for success or the expected reason code.
type Step = (&'static str, Option<&'static str>);

async fn change(emulator: &Emulator, path: &str, status: &str, memo: Option<&str>) -> Answer {
    let mut body = json!({ "status": status });
    if let Some(memo) = memo {
        body["memo"] = json!(memo);
    }
    emulator
        .post(
            &format!("{path}?lean=1&action=wsmethod:changeStatus"),
            &[PATCH],
            &body,
        )
        .await
}

#[tokio::test]
async fn status_changes_follow_the_transition_table() {
    let emulator = start("tiny", 7).await;
    let run = |steps: Vec<Step>| steps;
    let scripts: Vec<Vec<Step>> = vec![
        run(vec![
            ("APPR", None),
            ("APPR", Some("BMXAA4590E")),
            ("INPRG", None),
            ("APPR", Some("BMXAA4679E")),
            ("CAN", Some("BMXAA4590E")),
            ("WMATL", None),
            ("INPRG", None),
            ("COMP", None),
            ("INPRG", Some("BMXAA4638E")),
            ("APPR", Some("BMXAA4679E")),
            ("WAPPR", Some("BMXAA4590E")),
            ("CLOSE", None),
            ("COMP", Some("BMXAA4590E")),
        ]),
        run(vec![
            ("CAN", None),
            ("WAPPR", Some("BMXAA4590E")),
            ("CLOSE", Some("BMXAA4590E")),
        ]),
        run(vec![
            ("DONE", Some("BMXAA4590E")),
            ("wpcond", None),
            ("WAPPR", None),
            ("CLOSE", None),
        ]),
        run(vec![("COMP", None), ("CLOSE", None)]),
    ];
    for script in scripts {
        let created = emulator
            .post(
                &format!("{WO}{LEAN}"),
                &[],
                &json!({"description": "Status test"}),
            )
            .await;
        let path = member_path(&created);
        let mut expected_status = String::from("WAPPR");
        let mut history = 1;
        for (target, outcome) in script {
            let before = read(&emulator, &path).await;
            let answer = change(&emulator, &path, target, Some("Step")).await;
            let after = read(&emulator, &path).await;
            match outcome {
                None => {
                    assert_eq!(
                        answer.status, 204,
                        "{expected_status} -> {target}: {}",
                        answer.body
                    );
                    expected_status = target.to_uppercase();
                    history += 1;
                    assert_ne!(after["_rowstamp"], before["_rowstamp"]);
                }
                Some(code) => {
                    assert_eq!(
                        reason(&answer),
                        (400, code.to_owned()),
                        "{expected_status} -> {target}: {}",
                        answer.body
                    );
                    assert_eq!(after, before, "a refused change changes nothing");
                }
            }
            assert_eq!(after["status"], expected_status.as_str());
            assert_eq!(after["wostatus"].as_array().map(Vec::len), Some(history));
            assert_eq!(
                after["historyflag"],
                json!(["CLOSE", "CAN"].contains(&expected_status.as_str()))
            );
        }
    }
    // The same status refers to BMXAA0032E inside the BMXAA4590E message.
    let created = emulator
        .post(&format!("{WO}{LEAN}"), &[], &json!({"description": "Same"}))
        .await;
    let path = member_path(&created);
    let same = change(&emulator, &path, "WAPPR", None).await;
    assert!(
        same.body["Error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("BMXAA0032E")),
        "{}",
        same.body
    );
    // A memo longer than the 50 characters of the column makes the whole change fail.
    let long = change(&emulator, &path, "APPR", Some(&"x".repeat(51))).await;
    assert_eq!(reason(&long), (400, String::from("BMXAA4590E")));
    assert!(
        long.body["Error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("BMXAA4049E"))
    );
    // A plain PATCH of the status is a status change with the same rules.
    let plain = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH],
            &json!({"status": "APPR"}),
        )
        .await;
    assert_eq!(plain.status, 204);
    let back = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH],
            &json!({"status": "CAN"}),
        )
        .await;
    assert_eq!(reason(&back), (400, String::from("BMXAA4590E")));
    // The action needs the method override; a missing status is a required field.
    let bare = emulator
        .post(
            &format!("{path}?lean=1&action=wsmethod:changeStatus"),
            &[],
            &json!({"status": "INPRG"}),
        )
        .await;
    assert_eq!(
        reason(&bare),
        (400, String::from("oslc#create_on_updateuri"))
    );
    let empty = emulator
        .post(
            &format!("{path}?lean=1&action=wsmethod:changeStatus"),
            &[PATCH],
            &json!({}),
        )
        .await;
    assert_eq!(reason(&empty), (400, String::from("BMXAA4195E")));
    let unknown = emulator
        .post(
            &format!("{path}?lean=1&action=wsmethod:explode"),
            &[PATCH],
            &json!({}),
        )
        .await;
    assert_eq!(reason(&unknown), (400, String::from("BMXAA0024E")));

    // Backdating with `date`: not into the future, not before the last change.
    let created = emulator
        .post(
            &format!("{WO}{LEAN}"),
            &[],
            &json!({"description": "Backdated"}),
        )
        .await;
    let path = member_path(&created);
    emulator
        .admin_post("/clock", json!({"advance_seconds": 7200}))
        .await;
    let action = format!("{path}?lean=1&action=wsmethod:changeStatus");
    for (date, expected) in [
        ("2026-03-02T06:00:00-05:00", 400),
        ("2026-03-02T02:00:00-05:00", 400),
        ("2026-03-02T04:00:00-05:00", 204),
    ] {
        let answer = emulator
            .post(&action, &[PATCH], &json!({"status": "APPR", "date": date}))
            .await;
        assert_eq!(answer.status.as_u16(), expected, "{date}: {}", answer.body);
    }
    let order = read(&emulator, &path).await;
    assert_eq!(order["statusdate"], "2026-03-02T04:00:00-05:00");
    assert_eq!(order["changedate"], "2026-03-02T05:00:00-05:00");
}

#[tokio::test]
async fn rowstamps_if_match_and_transaction_ids() {
    let emulator = start("tiny", 7).await;
    let path = format!("{WO}/{}", rest_id("BEDFORD/1390"));
    let order = read(&emulator, &path).await;
    let stamp = order["_rowstamp"].as_str().expect("rowstamp").to_owned();
    let ok = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH, ("if-match", &stamp)],
            &json!({"description": "Checked"}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    let stale = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH, ("if-match", &format!("\"{stamp}\""))],
            &json!({"description": "Lost"}),
        )
        .await;
    assert_eq!(reason(&stale), (412, String::from("BMXAA8229W")));
    let stale_body = emulator
        .post(
            &format!("{path}{LEAN}"),
            &[PATCH],
            &json!({"description": "Lost", "_rowstamp": stamp}),
        )
        .await;
    assert_eq!(reason(&stale_body), (400, String::from("BMXAA8229W")));
    assert_eq!(read(&emulator, &path).await["description"], "Checked");

    let before = count(&emulator, "mxapiwodetail").await;
    let body = json!({"description": "Once only"});
    let first = emulator
        .post(&format!("{WO}{LEAN}"), &[("transactionid", "tx-1")], &body)
        .await;
    assert_eq!(first.status, 201);
    let again = emulator
        .post(&format!("{WO}{LEAN}"), &[("transactionid", "tx-1")], &body)
        .await;
    assert_eq!(reason(&again), (409, String::from("BMXAA9524E")));
    assert_eq!(
        count(&emulator, "mxapiwodetail").await,
        before + 1,
        "applied once"
    );
    // A refused write does not use up its id.
    let refused = emulator
        .post(
            &format!("{WO}{LEAN}"),
            &[("transactionid", "tx-2")],
            &json!({"siteid": "NOWHERE"}),
        )
        .await;
    assert_eq!(reason(&refused), (400, String::from("BMXAA4153E")));
    let retried = emulator
        .post(&format!("{WO}{LEAN}"), &[("transactionid", "tx-2")], &body)
        .await;
    assert_eq!(retried.status, 201);
    // Ids are remembered for the profile's window (300 s), then forgotten.
    emulator
        .admin_post("/clock", json!({"advance_seconds": 301}))
        .await;
    let later = emulator
        .post(&format!("{WO}{LEAN}"), &[("transactionid", "tx-1")], &body)
        .await;
    assert_eq!(later.status, 201);
    assert_eq!(count(&emulator, "mxapiwodetail").await, before + 3);
}

#[tokio::test]
async fn inventory_balance_adjustments() {
    let emulator = start("tiny", 7).await;
    let path = format!(
        "/maximo/api/os/mxapiinventory/{}",
        rest_id("0-0000/SET1/CENTRAL/BEDFORD")
    );
    let before = read(&emulator, &path).await;
    let stamp = before["_rowstamp"].as_str().expect("rowstamp").to_owned();
    let action = format!("{path}?lean=1&action=wsmethod:adjustCurrentBalance");
    let adjusted = emulator
        .post(
            &action,
            &[PATCH, ("if-match", &stamp)],
            &json!({"newcurbal": 42.5}),
        )
        .await;
    assert_eq!(adjusted.status, 204, "{}", adjusted.body);
    let after = read(&emulator, &path).await;
    assert_eq!(after["curbal"], json!(42.5));
    assert_eq!(after["invbalances"][0]["curbal"], json!(42.5));
    assert_eq!(
        after["statusdate"], before["statusdate"],
        "the balance does not move the status date"
    );
    let stale = emulator
        .post(
            &action,
            &[PATCH, ("if-match", &stamp)],
            &json!({"newcurbal": 1}),
        )
        .await;
    assert_eq!(reason(&stale), (412, String::from("BMXAA8229W")));
    for (body, code) in [
        (json!({"newcurbal": -1}), "BMXAA4190E"),
        (json!({"newcurbal": "many"}), "BMXAA4190E"),
        (json!({}), "BMXAA4195E"),
    ] {
        let answer = emulator.post(&action, &[PATCH], &body).await;
        assert_eq!(reason(&answer), (400, code.to_owned()), "{body}");
    }
    let truth = emulator.admin_get("/truth/inventory").await;
    let record = truth["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["id"] == "0-0000/SET1/CENTRAL/BEDFORD")
        .expect("in the truth")
        .clone();
    assert_eq!(record["changed_at"], Value::Null);
    assert_eq!(record["values"], json!({"curbal": "42.50"}));
}

#[tokio::test]
async fn assets_purchase_orders_and_vendors() {
    let emulator = start("tiny", 7).await;
    let asset = some_asset(&emulator).await;
    let location = asset["location"].as_str().expect("location");
    let assets = "/maximo/api/os/mxapiasset?lean=1";
    let new_asset = json!({"assetnum": "PUMP-9", "siteid": "BEDFORD", "location": location, "description": "Spare pump",
                           "assetmeter": [{"metername": "RUNHOURS", "measureunitid": "HOURS"}]});
    let created = emulator
        .post(assets, &[("properties", "*")], &new_asset)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["status"], "NOT READY");
    assert!(
        created.headers["location"]
            .to_str()
            .expect("location")
            .ends_with(&rest_id("PUMP-9/BEDFORD"))
    );
    let path = member_path(&created);
    let merged = emulator
        .post(&format!("{path}{LEAN}"), &[PATCH, ("patchtype", "MERGE"), ("properties", "assetmeter{metername},status")],
              &json!({"status": "OPERATING", "assetmeter": [{"metername": "TEMP-F", "measureunitid": "DEG F"}]}))
        .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(merged.body["status"], "OPERATING");
    assert_eq!(merged.body["assetmeter"].as_array().map(Vec::len), Some(2));
    let autokey = emulator
        .post(
            assets,
            &[("properties", "assetnum")],
            &json!({"siteid": "BEDFORD", "description": "Next"}),
        )
        .await;
    assert_eq!(autokey.body["assetnum"], "1080");

    let vendors = emulator
        .get("/maximo/api/os/mxapivendor?lean=1&oslc.select=company&oslc.pageSize=1")
        .await;
    let vendor = vendors.body["member"][0]["company"].clone();
    let items = emulator
        .get("/maximo/api/os/mxapiinventory?lean=1&oslc.select=itemnum&oslc.pageSize=1")
        .await;
    let item = items.body["member"][0]["itemnum"].clone();
    let po = emulator
        .post("/maximo/api/os/mxapipo?lean=1", &[("properties", "*,poline{*}")],
              &json!({"siteid": "BEDFORD", "vendor": vendor, "description": "Seals",
                      "poline": [{"itemnum": item, "orderqty": 3, "unitcost": 12.5},
                                 {"description": "Service call", "orderqty": 1, "unitcost": "250.00", "linetype": "SERVICE"}]}))
        .await;
    assert_eq!(po.status, 201, "{}", po.body);
    assert_eq!(po.body["status"], "WAPPR");
    assert_eq!(po.body["revisionnum"], 0);
    assert_eq!(po.body["totalcost"], json!(287.5));
    assert_eq!(po.body["poline"][0]["linecost"], json!(37.5));
    assert_eq!(po.body["poline"][1]["polinenum"], 2);
    let ponum = po.body["ponum"].as_str().expect("ponum");
    assert!(
        po.headers["location"]
            .to_str()
            .expect("loc")
            .ends_with(&rest_id(&format!("{ponum}/0/BEDFORD")))
    );

    let vendor_created = emulator
        .post(
            "/maximo/api/os/mxapivendor?lean=1",
            &[("properties", "company,orgid,type,currencycode")],
            &json!({"company": "acme", "name": "Acme Industrial"}),
        )
        .await;
    assert_eq!(vendor_created.status, 201, "{}", vendor_created.body);
    assert_eq!(
        vendor_created.body,
        json!({"company": "ACME", "orgid": "EAGLENA", "type": "V", "type_description": "Vendor",
        "currencycode": "USD", "href": vendor_created.body["href"], "_rowstamp": vendor_created.body["_rowstamp"]})
    );
    // A namespaced body must prefix its attributes with spi:, or they are ignored.
    let unprefixed = emulator
        .post(
            "/maximo/oslc/os/mxapivendor",
            &[],
            &json!({"company": "BETA"}),
        )
        .await;
    assert_eq!(unprefixed.status, 400);
    assert_eq!(
        unprefixed.body["oslc:Error"]["spi:reasonCode"],
        "BMXAA4195E"
    );
    let prefixed = emulator
        .post(
            "/maximo/oslc/os/mxapivendor",
            &[],
            &json!({"spi:company": "BETA", "spi:name": "Beta"}),
        )
        .await;
    assert_eq!(prefixed.status, 201);

    let refusals: Vec<(&str, Value, u16, &str)> = vec![
        (assets, new_asset.clone(), 400, "BMXAA4129E"),
        (
            assets,
            json!({"assetnum": "X1", "siteid": "NOWHERE"}),
            400,
            "BMXAA4153E",
        ),
        (
            assets,
            json!({"assetnum": "X1", "location": "NOWHERE1"}),
            400,
            "BMXAA2661E",
        ),
        (
            assets,
            json!({"assetnum": "X1", "status": "SHINY"}),
            400,
            "BMXAA4190E",
        ),
        (assets, json!({"assetnum": "A/B"}), 400, "BMXAA4190E"),
        (
            "/maximo/api/os/mxapiwodetail?lean=1",
            json!({"assetnum": "NOPE"}),
            400,
            "BMXAA0090E",
        ),
        (
            "/maximo/api/os/mxapiwodetail?lean=1",
            json!({"worktype": "ZZ"}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapiwodetail?lean=1",
            json!({"description": "x".repeat(101)}),
            400,
            "BMXAA4049E",
        ),
        (
            "/maximo/api/os/mxapiwodetail?lean=1",
            json!({"wopriority": "high"}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapiwodetail?lean=1",
            json!({"wonum": "1000"}),
            400,
            "BMXAA4129E",
        ),
        (
            "/maximo/api/os/mxapipo?lean=1",
            json!({"description": "no vendor"}),
            400,
            "BMXAA4195E",
        ),
        (
            "/maximo/api/os/mxapipo?lean=1",
            json!({"vendor": "NOSUCH"}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapipo?lean=1",
            json!({"vendor": vendor, "poline": [{"itemnum": "9-9999", "orderqty": 1}]}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapipo?lean=1",
            json!({"vendor": vendor, "poline": [{"description": "x", "orderqty": 0, "unitcost": 1}]}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapipo?lean=1",
            json!({"vendor": vendor, "poline": [{"description": "x", "orderqty": 1e20, "unitcost": 1e20}]}),
            400,
            "BMXAA4190E",
        ),
        (
            "/maximo/api/os/mxapivendor?lean=1",
            json!({"name": "No code"}),
            400,
            "BMXAA4195E",
        ),
        (
            "/maximo/api/os/mxapivendor?lean=1",
            json!({"company": "ACME"}),
            400,
            "BMXAA4129E",
        ),
    ];
    for (path, body, status, code) in refusals {
        let answer = emulator.post(path, &[], &body).await;
        assert_eq!(
            reason(&answer),
            (status, code.to_owned()),
            "{path} {body}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn bulk_sync_and_protocol_refusals() {
    let emulator = start("tiny", 7).await;
    let asset = some_asset(&emulator).await;
    let existing = format!(
        "{}/maximo/oslc/os/mxapiasset/{}",
        emulator.running.base_url,
        rest_id(&format!(
            "{}/BEDFORD",
            asset["assetnum"].as_str().expect("assetnum")
        ))
    );
    let bulk = emulator
        .post(
            "/maximo/api/os/mxapiasset?lean=1",
            &[("x-method-override", "BULK")],
            &json!([{"_action": "Add", "assetnum": "B1", "siteid": "BEDFORD"},
                      {"_action": "Add", "assetnum": "B1", "siteid": "BEDFORD"},
                      {"_action": "Update", "href": existing, "description": "Bulk renamed"},
                      {"_action": "Delete", "href": existing}]),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.body);
    let metas: Vec<&str> = bulk
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|item| item["_responsemeta"]["status"].as_str().expect("status"))
        .collect();
    assert_eq!(metas, vec!["201", "400", "204", "400"]);
    assert!(
        bulk.body[0]["_responsemeta"]["Location"]
            .as_str()
            .is_some_and(|l| l.ends_with(&rest_id("B1/BEDFORD")))
    );
    assert_eq!(
        bulk.body[1]["_responsedata"]["Error"]["reasonCode"],
        "BMXAA4129E"
    );
    let all_or_nothing = emulator
        .post("/maximo/api/os/mxapiasset?lean=1", &[("x-method-override", "BULK"), ("allornothing", "1")],
              &json!([{"assetnum": "B2", "siteid": "BEDFORD"}, {"assetnum": "B1", "siteid": "BEDFORD"}]))
        .await;
    assert_eq!(reason(&all_or_nothing), (400, String::from("BMXAA4129E")));
    let b2 = emulator
        .get(&format!(
            "/maximo/api/os/mxapiasset/{}?lean=1",
            rest_id("B2/BEDFORD")
        ))
        .await;
    assert_eq!(
        b2.status, 404,
        "nothing of a failed all-or-nothing request stays"
    );

    // Bulk status changes.
    let open = emulator
        .post(
            "/maximo/api/os/mxapiwodetail?lean=1",
            &[("properties", "wonum")],
            &json!({"description": "Bulk"}),
        )
        .await;
    let open_href = open.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let closed = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&oslc.where=status=%22CLOSE%22&oslc.pageSize=1")
        .await;
    let closed_href = closed.body["member"][0]["href"]
        .as_str()
        .expect("href")
        .to_owned();
    let statuses = emulator
        .post("/maximo/api/os/mxapiwodetail?lean=1&action=wsmethod:changeStatus", &[("x-method-override", "BULK")],
              &json!([{"href": open_href, "status": "APPR"}, {"href": closed_href, "status": "APPR"}]))
        .await;
    let metas: Vec<&str> = statuses
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|item| item["_responsemeta"]["status"].as_str().expect("status"))
        .collect();
    assert_eq!(metas, vec!["204", "400"]);

    // SYNC upserts by key.
    let sync = |body: Value| {
        let emulator = &emulator;
        async move {
            emulator
                .post(
                    "/maximo/api/os/mxapivendor?lean=1",
                    &[("x-method-override", "SYNC"), ("properties", "name")],
                    &body,
                )
                .await
        }
    };
    let inserted = sync(json!({"company": "SYNCCO", "name": "First"})).await;
    assert_eq!(inserted.status, 201);
    let updated = sync(json!({"company": "SYNCCO", "name": "Second"})).await;
    assert_eq!(
        (updated.status.as_u16(), updated.body["name"].clone()),
        (200, json!("Second"))
    );

    let member = format!("/maximo/api/os/mxapiwodetail/{}", rest_id("BEDFORD/1000"));
    type Case<'a> = (
        reqwest::Method,
        String,
        Vec<(&'a str, &'a str)>,
        &'a str,
        u16,
        &'a str,
    );
    let protocol: Vec<Case<'_>> = vec![
        (
            reqwest::Method::POST,
            format!("{member}?lean=1"),
            vec![],
            "{}",
            400,
            "oslc#create_on_updateuri",
        ),
        (
            reqwest::Method::POST,
            format!("{member}?lean=1"),
            vec![("x-http-method", "PATCH")],
            "{}",
            400,
            "oslc#create_on_updateuri",
        ),
        (
            reqwest::Method::DELETE,
            format!("{member}?lean=1"),
            vec![],
            "",
            400,
            "BMXAA0024E",
        ),
        (
            reqwest::Method::PUT,
            format!("{member}?lean=1"),
            vec![],
            "{}",
            405,
            "oslc#method_not_allowed",
        ),
        (
            reqwest::Method::POST,
            String::from("/maximo/api/os/mxapiwodetail?lean=1"),
            vec![],
            "{not json",
            400,
            "oslc#invalid_json",
        ),
        (
            reqwest::Method::POST,
            String::from("/maximo/api/os/mxapiwodetail?lean=1"),
            vec![],
            "[1]",
            400,
            "oslc#invalid_json",
        ),
        (
            reqwest::Method::POST,
            String::from("/maximo/api/os/mxapiwodetail?lean=1"),
            vec![("x-method-override", "BULK")],
            "{}",
            400,
            "oslc#invalid_json",
        ),
    ];
    for (method, path, headers, body, status, code) in protocol {
        let mut builder = emulator
            .request(method.clone(), &path)
            .body(body.to_owned());
        for (name, value) in &headers {
            builder = builder.header(*name, *value);
        }
        let answer = Emulator::send(builder).await;
        assert_eq!(
            reason(&answer),
            (status, code.to_owned()),
            "{method} {path} {headers:?}: {}",
            answer.body
        );
    }
}

/// A new purchase order at BEDFORD, for a vendor and an item of the tiny data; its member path.
async fn new_purchase_order(emulator: &Emulator) -> String {
    let vendor = emulator
        .get("/maximo/api/os/mxapivendor?lean=1&oslc.select=company&oslc.pageSize=1")
        .await
        .body["member"][0]["company"]
        .clone();
    let item = emulator
        .get("/maximo/api/os/mxapiinventory?lean=1&oslc.select=itemnum&oslc.pageSize=1")
        .await
        .body["member"][0]["itemnum"]
        .clone();
    let created = emulator
        .post(
            "/maximo/api/os/mxapipo?lean=1",
            &[],
            &json!({"siteid": "BEDFORD", "vendor": vendor, "description": "Status test",
                    "poline": [{"itemnum": item, "orderqty": 2, "unitcost": 5}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    member_path(&created)
}

#[tokio::test]
async fn purchase_orders_move_through_po_status_and_are_edited_only_before_approval() {
    let emulator = start("tiny", 7).await;
    let scripts: Vec<Vec<Step>> = vec![
        vec![
            ("APPR", None),
            ("WAPPR", Some("BMXAA4590E")),
            ("INPRG", None),
            ("CAN", Some("BMXAA4590E")),
            ("CLOSE", None),
            ("APPR", Some("BMXAA4590E")),
        ],
        vec![("CAN", None), ("APPR", Some("BMXAA4590E"))],
        vec![
            ("NOPE", Some("BMXAA4190E")),
            ("HOLD", None),
            ("WAPPR", None),
        ],
    ];
    for script in scripts {
        let path = new_purchase_order(&emulator).await;
        for (target, outcome) in script {
            let before = read(&emulator, &path).await;
            let answer = change(&emulator, &path, target, None).await;
            let after = read(&emulator, &path).await;
            match outcome {
                None => {
                    assert_eq!(answer.status, 204, "{target}: {}", answer.body);
                    assert_eq!(after["status"], target);
                    assert_ne!(after["_rowstamp"], before["_rowstamp"]);
                    assert_eq!(
                        after["historyflag"],
                        json!(matches!(target, "CLOSE" | "CAN"))
                    );
                }
                Some(code) => {
                    assert_eq!(reason(&answer), (400, code.to_owned()), "{target}");
                    assert_eq!(after, before, "{target}: a refusal changes nothing");
                }
            }
        }
    }
    // Edits: while waiting on approval, yes; once approved, Maximo wants a revision.
    let path = new_purchase_order(&emulator).await;
    let merge = [PATCH, ("patchtype", "MERGE")];
    let edited = emulator
        .post(
            &format!("{path}{LEAN}"),
            &merge,
            &json!({"paymentterms": "NET30", "poline": [{"polinenum": 1, "orderqty": 7}]}),
        )
        .await;
    assert_eq!(edited.status, 204, "{}", edited.body);
    let po = read(&emulator, &path).await;
    assert_eq!(po["paymentterms"], "NET30");
    assert_eq!(po["poline"][0]["orderqty"], 7.0);
    assert_eq!(po["totalcost"], 35.0);
    assert_eq!(change(&emulator, &path, "APPR", None).await.status, 204);
    let approved = read(&emulator, &path).await;
    let refused = emulator
        .post(
            &format!("{path}{LEAN}"),
            &merge,
            &json!({"description": "Too late"}),
        )
        .await;
    assert_eq!(reason(&refused), (400, String::from("BMXAA4590E")));
    assert_eq!(read(&emulator, &path).await, approved);
}

#[tokio::test]
async fn a_received_order_cannot_be_cancelled_and_assets_retire_for_good() {
    let emulator = start("tiny", 7).await;
    let received = emulator
        .get("/maximo/api/os/mxapipo?lean=1&oslc.select=ponum,revisionnum,siteid&oslc.where=receipts=\"PARTIAL\" and status in [\"APPR\",\"INPRG\"]&oslc.pageSize=1")
        .await
        .body["member"][0]
        .clone();
    let keys = format!(
        "{}/{}/{}",
        received["ponum"]
            .as_str()
            .expect("a received order in the tiny data"),
        received["revisionnum"],
        received["siteid"].as_str().expect("site")
    );
    let path = format!("/maximo/api/os/mxapipo/{}", rest_id(&keys));
    let before = read(&emulator, &path).await;
    let refused = change(&emulator, &path, "CAN", None).await;
    assert_eq!(reason(&refused), (400, String::from("BMXAA4590E")));
    assert_eq!(read(&emulator, &path).await, before);

    let asset = some_asset(&emulator).await;
    let keys = format!(
        "{}/{}",
        asset["assetnum"].as_str().expect("assetnum"),
        asset["siteid"].as_str().expect("siteid")
    );
    let path = format!("/maximo/api/os/mxapiasset/{}", rest_id(&keys));
    let retired = change(&emulator, &path, "DECOMMISSIONED", Some("Scrapped")).await;
    assert_eq!(retired.status, 204, "{}", retired.body);
    let after = read(&emulator, &path).await;
    assert_eq!(after["status"], "DECOMMISSIONED");
    let again = change(&emulator, &path, "OPERATING", None).await;
    assert_eq!(reason(&again), (400, String::from("BMXAA4590E")));
    assert_eq!(read(&emulator, &path).await, after);
    let unknown = change(&emulator, &path, "MELTED", None).await;
    assert_eq!(reason(&unknown).0, 400);
}
