"""Plain HTTP (requests) against the Maximo emulator, as integration scripts call Maximo.

No maintained Python client for Maximo's REST (OSLC JSON) API exists on PyPI, so this is what
integrations write: `requests` with the `apikey` header. It pages a filtered, ordered work-order
query by following `responseInfo.nextPage.href` (the links the server writes, taken as they are),
reads one record by its `href`, creates a work order (201 + Location, `properties`, a
`transactionid`), finds it with `status="WAPPR"`, approves it with `wsmethod:changeStatus`,
authenticates with `maxauth` on the OSLC route, and checks Maximo's refusals (a bad API key, a bad
password, a repeated transaction id, a read-only user's write) in Maximo's error shape.
Usage: maximo_requests.py MANIFEST.json
"""

import base64
import json
import sys
import uuid

import requests

WORK_ORDERS = "/maximo/api/os/mxapiwodetail"


def expect(response, status, what, code=None):
    assert response.status_code == status, f"{what}: HTTP {response.status_code} {response.text[:300]}"
    if code:
        error = response.json().get("Error") or {}
        assert error.get("reasonCode") == code and error.get("statusCode") == str(status), f"{what}: {error}"
        assert error.get("message", "").startswith(f"{code} - "), f"{what}: {error}"


def main(manifest_path):
    mx = next(s for s in json.load(open(manifest_path))["systems"] if s["system"] == "maximo")
    base, creds = mx["base_url"], mx["credentials"]
    key = {"apikey": creds["apikey"]}

    query = {"lean": 1, "oslc.select": "wonum,status,siteid,changedate", "oslc.pageSize": 5,
             "oslc.where": 'status in ["WAPPR","APPR","WSCH"]', "oslc.orderBy": "+wonum",
             "collectioncount": 1}
    page = requests.get(f"{base}{WORK_ORDERS}", params=query, headers=key)
    expect(page, 200, "a filtered work-order page")
    first = page.json()
    members, info = first["member"], first["responseInfo"]
    assert len(members) == 5 and all(m["status"] in ("WAPPR", "APPR", "WSCH") for m in members), members
    assert all("_rowstamp" in m and "href" in m for m in members), members[0]
    assert info["pagenum"] == 1 and "previousPage" not in info and info["totalCount"] > 5, info
    second = requests.get(info["nextPage"]["href"], headers=key)
    expect(second, 200, "the next page by its href")
    more = second.json()["member"]
    assert more and more[0]["wonum"] > members[-1]["wonum"], (members[-1], more[0])
    assert second.json()["responseInfo"]["pagenum"] == 2 and "previousPage" in second.json()["responseInfo"]
    one = requests.get(members[0]["href"], params={"lean": 1}, headers=key)
    expect(one, 200, "a record by its href")
    assert one.json()["wonum"] == members[0]["wonum"], one.json()
    print(f"work orders: {info['totalCount']} match, two pages by nextPage, one by href")

    transaction = {**key, "transactionid": str(uuid.uuid4())}
    order = {"description": "Third-party check", "siteid": members[0]["siteid"], "worktype": "CM"}
    created = requests.post(f"{base}{WORK_ORDERS}", params={"lean": 1}, json=order,
                            headers={**transaction, "properties": "wonum,status,siteid"})
    expect(created, 201, "a work-order create")
    new = created.json()
    assert new["status"] == "WAPPR" and new["href"] == created.headers["Location"], (new, created.headers)
    waiting = requests.get(f"{base}{WORK_ORDERS}", headers=key, params={
        "lean": 1, "oslc.select": "wonum,status", "oslc.pageSize": 5, "oslc.where": 'status="WAPPR"',
        "oslc.orderBy": "-changedate"})
    expect(waiting, 200, 'oslc.where=status="WAPPR"')
    assert new["wonum"] in [m["wonum"] for m in waiting.json()["member"]], waiting.text
    expect(requests.post(f"{base}{WORK_ORDERS}", params={"lean": 1}, json=order, headers=transaction),
           409, "a repeated transactionid", "BMXAA9524E")
    approve = requests.post(new["href"], params={"lean": 1, "action": "wsmethod:changeStatus"},
                            headers={**key, "x-method-override": "PATCH"}, json={"status": "APPR", "memo": "ok"})
    expect(approve, 204, "changeStatus to APPR")
    after = requests.get(new["href"], params={"lean": 1, "oslc.select": "status,wostatus{status}"}, headers=key)
    assert after.json()["status"] == "APPR" and len(after.json()["wostatus"]) == 2, after.text
    print(f"work order {new['wonum']}: created WAPPR (201 + Location), found by status=\"WAPPR\", approved")

    maxauth = base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()
    assets = requests.get(f"{base}/maximo/oslc/os/mxapiasset", params={"lean": 1, "oslc.pageSize": 2},
                          headers={"maxauth": maxauth})
    expect(assets, 200, "maxauth on the OSLC route")
    print(f"assets with maxauth: {len(assets.json()['member'])} on the first page")

    bad = requests.get(f"{base}/maximo/api/os/mxapiasset", params={"lean": 1}, headers={"apikey": "nope"})
    expect(bad, 401, "a bad API key", "BMXAA9549E")
    wrong = base64.b64encode(f"{creds['username']}:wrong".encode()).decode()
    expect(requests.get(f"{base}/maximo/oslc/os/mxapiasset", params={"lean": 1}, headers={"maxauth": wrong}),
           401, "a wrong password", "BMXAA7901E")
    readonly = requests.post(f"{base}{WORK_ORDERS}", params={"lean": 1},
                             headers={"apikey": creds["readonly_apikey"]},
                             json={"description": "Should not exist", "siteid": order["siteid"]})
    expect(readonly, 403, "a read-only user's create", "BMXAA0024E")
    print("refusals: bad API key (BMXAA9549E), wrong password (BMXAA7901E), "
          "repeated transactionid (BMXAA9524E), read-only write (BMXAA0024E)")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except AssertionError as failure:
        sys.exit(f"maximo_requests: FAILED: {failure}")
