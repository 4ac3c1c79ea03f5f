//! Reads: both roots, rest ids and unique ids, envelopes (lean and namespaced), paging links,
//! counts, projections, nulls and descriptions, child collections and 404s.

use serde_json::{Value, json};

use crate::common::{enc, reason, rest_id, start};

#[tokio::test]
async fn both_roots_serve_the_same_collection_and_hrefs_point_at_oslc() {
    let emulator = start("tiny", 7).await;
    let query = "?lean=1&oslc.select=wonum,status&oslc.pageSize=5";
    let api = emulator
        .get(&format!("/maximo/api/os/mxapiwodetail{query}"))
        .await;
    let oslc = emulator
        .get(&format!("/maximo/oslc/os/MXAPIWODETAIL{query}"))
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(
        api.body, oslc.body,
        "same servlet, case-insensitive OS names"
    );
    let base = &emulator.running.base_url;
    assert_eq!(
        api.body["href"],
        format!("{base}/maximo/oslc/os/mxapiwodetail")
    );
    let first = &api.body["member"][0];
    assert_eq!(
        first["href"],
        format!(
            "{base}/maximo/oslc/os/mxapiwodetail/{}",
            rest_id("BEDFORD/1000")
        )
    );
    // x-public-uri rewrites every href.
    let public = crate::common::Emulator::send(
        emulator
            .request(
                reqwest::Method::GET,
                &format!("/maximo/api/os/mxapiwodetail{query}"),
            )
            .header("x-public-uri", "https://plant.example.com/maximo/api"),
    )
    .await;
    assert_eq!(
        public.body["responseInfo"]["nextPage"]["href"],
        format!(
            "https://plant.example.com/maximo/api/os/mxapiwodetail?pageno=2&lean=1&oslc.select=wonum,status&oslc.pageSize=5"
        )
    );
}

#[tokio::test]
async fn members_by_rest_id_and_unique_id() {
    let emulator = start("tiny", 7).await;
    let by_rest = emulator
        .get(&format!(
            "/maximo/api/os/mxapiwodetail/{}?lean=1",
            rest_id("BEDFORD/1005")
        ))
        .await;
    assert_eq!(by_rest.status, 200, "{}", by_rest.body);
    assert_eq!(by_rest.body["wonum"], "1005");
    let rowstamp = by_rest.body["_rowstamp"].as_str().expect("rowstamp string");
    assert_eq!(
        by_rest.headers["etag"].to_str().expect("etag"),
        format!("\"{rowstamp}\"")
    );
    // A member GET without a select carries every attribute and every child.
    assert!(
        by_rest.body["wostatus"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty())
    );
    assert!(by_rest.body.get("woactivity").is_some());
    let id = by_rest.body["workorderid"].as_i64().expect("workorderid");
    let by_unique = emulator
        .get(&format!("/maximo/api/os/mxapiwodetail/{id}?lean=1"))
        .await;
    assert_eq!(by_unique.body, by_rest.body);
    for (os, keys) in [
        ("mxapiasset", "1000/BEDFORD"),
        ("mxapipo", "1000/0/BEDFORD"),
        ("mxapiinventory", "0-0000/SET1/CENTRAL/BEDFORD"),
    ] {
        let answer = emulator
            .get(&format!(
                "/maximo/api/os/{os}/{}?lean=1&oslc.select=*",
                rest_id(keys)
            ))
            .await;
        assert_eq!(answer.status, 200, "{os} {keys}: {}", answer.body);
    }
    // Vendor codes come from the data: read one and address it.
    let vendors = emulator
        .get("/maximo/api/os/mxapivendor?lean=1&oslc.select=company,orgid&oslc.pageSize=1")
        .await;
    let company = vendors.body["member"][0]["company"]
        .as_str()
        .expect("company");
    let vendor = emulator
        .get(&format!(
            "/maximo/api/os/mxapivendor/{}?lean=1",
            rest_id(&format!("{company}/EAGLENA"))
        ))
        .await;
    assert_eq!(vendor.body["company"], company);
    for missing in [
        format!(
            "/maximo/api/os/mxapiwodetail/{}?lean=1",
            rest_id("BEDFORD/9999")
        ),
        format!(
            "/maximo/api/os/mxapiwodetail/{}?lean=1",
            rest_id("NASHUA/1000")
        ),
        String::from("/maximo/api/os/mxapiwodetail/55?lean=1"),
        String::from("/maximo/api/os/mxapiwodetail/_notbase64!?lean=1"),
        String::from("/maximo/api/os/mxapinothing?lean=1"),
        String::from("/maximo/api/nowhere?lean=1"),
    ] {
        let answer = emulator.get(&missing).await;
        assert_eq!(
            reason(&answer),
            (404, String::from("BMXAA8727E")),
            "{missing}"
        );
        assert_eq!(answer.body["Error"]["statusCode"], "404");
    }
}

#[tokio::test]
async fn paging_links_counts_and_the_namespaced_form() {
    let emulator = start("tiny", 7).await;
    let first = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=150&collectioncount=1")
        .await;
    let info = &first.body["responseInfo"];
    assert_eq!(info["pagenum"], 1);
    assert_eq!(info["totalCount"], 400);
    assert_eq!(info["totalPages"], 3);
    assert!(info.get("previousPage").is_none());
    // Without a select, members carry their href alone.
    assert_eq!(
        first.body["member"][0].as_object().map(|m| m.len()),
        Some(1)
    );
    let third = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=150&pageno=3")
        .await;
    assert_eq!(third.body["member"].as_array().map(Vec::len), Some(100));
    assert!(third.body["responseInfo"].get("nextPage").is_none());
    assert!(third.body["responseInfo"].get("totalCount").is_none());
    assert!(
        third.body["responseInfo"]["previousPage"]["href"]
            .as_str()
            .is_some_and(|href| href.contains("pageno=2&"))
    );
    let beyond = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=150&pageno=9")
        .await;
    assert_eq!(beyond.body["member"], json!([]));
    // Without oslc.pageSize the profile's automatic page size applies (tiny: 100).
    let (members, pages) = emulator
        .all_pages("/maximo/api/os/mxapiwodetail?lean=1")
        .await;
    assert_eq!(members.len(), 400);
    assert_eq!(pages, vec![100, 100, 100, 100]);
    let count = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&count=1")
        .await;
    assert_eq!(count.body, json!({"totalCount": 400}));

    let namespaced = emulator
        .get("/maximo/oslc/os/mxapiwodetail?oslc.select=wonum,status&oslc.pageSize=2&collectioncount=1")
        .await;
    let body = &namespaced.body;
    assert!(body.get("member").is_none());
    let member = &body["rdfs:member"][0];
    assert_eq!(member["spi:wonum"], "1000");
    assert!(member["spi:status_description"].is_string());
    assert!(
        member["rdf:about"]
            .as_str()
            .is_some_and(|h| h.ends_with(&rest_id("BEDFORD/1000")))
    );
    assert!(body["oslc:responseInfo"]["oslc:nextPage"]["rdf:resource"].is_string());
    assert_eq!(body["oslc:responseInfo"]["oslc:totalCount"], 400);
    let error = emulator
        .get("/maximo/oslc/os/mxapiwodetail?oslc.orderBy=wonum")
        .await;
    assert_eq!(error.status, 400);
    assert_eq!(error.body["oslc:Error"]["spi:reasonCode"], "BMXAA8744E");
}

#[tokio::test]
async fn projections_nulls_descriptions_and_children() {
    let emulator = start("tiny", 7).await;
    let select = enc(
        "wonum,description--title,status,assetnum,actfinish,woactivity{taskid,status},location,location.description,asset.assettype",
    );
    let answer = emulator
        .get(&format!(
            "/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=400&oslc.select={select}"
        ))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let members = answer.body["member"].as_array().expect("members");
    let mut saw_null_asset = false;
    for member in members {
        assert!(member.get("description").is_none() && member["title"].is_string());
        assert!(member["status_description"].is_string(), "{member}");
        assert!(member["_rowstamp"].is_string());
        assert!(member["woactivity"].is_array());
        assert!(member["wostatus_collectionref"].is_string());
        assert!(member.get("woactivity_collectionref").is_none());
        // The attribute `location` and the relationship `location` clash: Maximo renames the
        // attribute.
        assert!(member["$alias_this_attr$location"].is_string(), "{member}");
        assert!(member["location"]["description"].is_string());
        if member.get("assetnum").is_none() {
            saw_null_asset = true;
            assert!(member.get("asset").is_none());
        } else {
            assert!(member["asset"]["assettype"].is_string());
        }
        for task in member["woactivity"].as_array().expect("tasks") {
            assert!(
                task["href"]
                    .as_str()
                    .is_some_and(|h| h.starts_with("http://childkey#"))
            );
            assert!(task["_rowstamp"].is_string());
        }
    }
    assert!(saw_null_asset, "nulls are left out");
    // _dropnulls=0 keeps them; ignorecollectionref=1 drops the links.
    let with_nulls = emulator
        .get("/maximo/api/os/mxapiwodetail?lean=1&oslc.pageSize=400&oslc.select=wonum,assetnum,actfinish&_dropnulls=0&ignorecollectionref=1")
        .await;
    let nulls = with_nulls.body["member"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["actfinish"] == Value::Null && m.get("actfinish").is_some())
        .count();
    assert!(nulls > 0);
    assert!(
        with_nulls.body["member"][0]
            .get("woactivity_collectionref")
            .is_none()
    );
    // A child collection is addressable through its collectionref.
    let statuses = emulator
        .get(&format!(
            "/maximo/api/os/mxapiwodetail/{}/wostatus?lean=1",
            rest_id("BEDFORD/1000")
        ))
        .await;
    assert_eq!(statuses.status, 200, "{}", statuses.body);
    let rows = statuses.body["member"].as_array().expect("rows");
    assert!(
        ["WAPPR", "WSCH"].contains(&rows[0]["status"].as_str().unwrap_or_default()),
        "history starts where the work order did"
    );
}
