"""Plain HTTP (requests) against the Maximo emulator, as integration scripts call Maximo.

It pages a filtered, ordered work-order query by following `responseInfo.nextPage.href` (the
links the server writes, taken as they are), reads one record by its `href`, authenticates with
an API key, with `maxauth` on the OSLC route, and checks Maximo's refusals (a bad API key, a
read-only user's write) in Maximo's error shape.
Usage: maximo_requests.py MANIFEST.json
"""

import base64
import json
import sys

import requests


def reason(response):
    return (response.json().get("Error") or {}).get("reasonCode")


def expect(response, status, what):
    assert response.status_code == status, f"{what}: HTTP {response.status_code} {response.text[:300]}"


def main(manifest_path):
    mx = next(s for s in json.load(open(manifest_path))["systems"] if s["system"] == "maximo")
    base, creds = mx["base_url"], mx["credentials"]
    key = {"apikey": creds["apikey"]}

    query = {"lean": 1, "oslc.select": "wonum,status,siteid,changedate", "oslc.pageSize": 5,
             "oslc.where": 'status in ["WAPPR","APPR","WSCH"]', "oslc.orderBy": "+wonum",
             "collectioncount": 1}
    page = requests.get(f"{base}/maximo/api/os/mxapiwodetail", params=query, headers=key)
    expect(page, 200, "a filtered work-order page")
    first = page.json()
    members = first["member"]
    assert len(members) == 5 and all(m["status"] in ("WAPPR", "APPR", "WSCH") for m in members), members
    assert all("_rowstamp" in m and "href" in m for m in members), members[0]
    total = first["responseInfo"]["totalCount"]
    second = requests.get(first["responseInfo"]["nextPage"]["href"], headers=key)
    expect(second, 200, "the next page by its href")
    more = second.json()["member"]
    assert more and more[0]["wonum"] > members[-1]["wonum"], (members[-1], more[0])
    one = requests.get(members[0]["href"], params={"lean": 1}, headers=key)
    expect(one, 200, "a record by its href")
    assert one.json()["wonum"] == members[0]["wonum"], one.json()
    print(f"work orders: {total} match, two pages by nextPage, one by href")

    maxauth = base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()
    assets = requests.get(f"{base}/maximo/oslc/os/mxapiasset", params={"lean": 1, "oslc.pageSize": 2},
                          headers={"maxauth": maxauth})
    expect(assets, 200, "maxauth on the OSLC route")
    print(f"assets with maxauth: {len(assets.json()['member'])} on the first page")

    bad = requests.get(f"{base}/maximo/api/os/mxapiasset", params={"lean": 1}, headers={"apikey": "nope"})
    expect(bad, 401, "a bad API key")
    assert reason(bad) == "BMXAA9549E", bad.text
    readonly = requests.post(f"{base}/maximo/api/os/mxapiwodetail", params={"lean": 1},
                             headers={"apikey": creds["readonly_apikey"]},
                             json={"description": "Should not exist", "siteid": "BEDFORD"})
    expect(readonly, 403, "a read-only user's create")
    print(f"refusals: bad API key ({reason(bad)}), read-only write ({reason(readonly)})")


if __name__ == "__main__":
    main(sys.argv[1])
