"""Standard OAuth clients against the NetSuite emulator, unmodified.

Token-based authentication is signed by requests-oauthlib (OAuth 1.0a, HMAC-SHA256, realm = the
account id as NetSuite wants it, `1234567_SB1`), as NetSuite's own samples do; OAuth 2.0 client
credentials use a client assertion signed by PyJWT (ES256) with the manifest's key. Through both
it pages records by the server's own links, reads one with its sublists, filters with `q=` (which
the signature must cover), creates a vendor, runs SuiteQL, and checks NetSuite's refusals: a wrong
token secret, a replayed nonce, a stale timestamp, HMAC-SHA1, a read-only role's write, a bad
assertion, an unknown bearer token. Usage: netsuite_oauth.py MANIFEST.json
"""

import json
import sys
import time
import uuid

import jwt
import requests
from requests_oauthlib import OAuth1

RECORDS = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"
TOKEN = "/services/rest/auth/oauth2/v1/token"


def tba(creds, token="token_id", secret="token_secret", **spoil):
    fields = dict(
        client_key=creds["consumer_key"],
        client_secret=creds["consumer_secret"],
        resource_owner_key=creds[token],
        resource_owner_secret=creds[secret],
        signature_method="HMAC-SHA256",
        realm=creds["account_id"],
    )
    fields.update(spoil)
    return OAuth1(**fields)


def links(body):
    return {link["rel"]: link["href"] for link in body["links"]}


def expect(response, status, what, code=None):
    assert response.status_code == status, f"{what}: HTTP {response.status_code} {response.text[:300]}"
    if code:
        body = response.json()
        details = body.get("o:errorDetails") or [{}]
        assert body.get("status") == status and details[0].get("o:errorCode") == code, f"{what}: {body}"


def main(manifest_path):
    ns = next(s for s in json.load(open(manifest_path))["systems"] if s["system"] == "netsuite")
    base, creds = ns["base_url"], ns["credentials"]
    auth = tba(creds)

    page = requests.get(f"{base}{RECORDS}/purchaseOrder", params={"limit": 5}, auth=auth)
    expect(page, 200, "a page of purchase orders")
    body = page.json()
    assert len(body["items"]) == body["count"] == 5 and body["offset"] == 0, body
    assert body["hasMore"] and body["totalResults"] > 10, body
    assert set(links(body)) == {"self", "next", "last"}, body["links"]
    assert all(set(item) == {"id", "links"} for item in body["items"]), "collection items are stubs"
    second = requests.get(links(body)["next"], auth=auth)  # the server's link, signed as it is
    expect(second, 200, "the next page by its link")
    assert second.json()["offset"] == 5 and {"first", "previous"} <= set(links(second.json())), second.text
    first = second.json()["items"][0]["id"]
    order = requests.get(f"{base}{RECORDS}/purchaseOrder/{first}", params={"expandSubResources": "true"}, auth=auth)
    expect(order, 200, "one purchase order")
    lines = order.json()["item"]["items"]
    assert lines and lines[0]["item"]["id"], order.json()
    print(f"record API: {body['totalResults']} purchase orders, two pages by links, PO {first} has {len(lines)} lines")

    # Spaces, quotes, colons in the query: the signature covers it, as sent and as the server's
    # `next` link re-encodes it.
    since = "2026-01-01T00:00:00Z"
    q = f'lastModifiedDate ON_OR_AFTER "{since}"'
    recent = requests.get(f"{base}{RECORDS}/purchaseOrder", params={"q": q, "limit": 2}, auth=auth)
    expect(recent, 200, "a q= filter")
    assert 0 < recent.json()["totalResults"] < body["totalResults"], recent.text
    later = requests.get(links(recent.json())["next"], auth=auth)
    expect(later, 200, "the next filtered page by its link")
    sample = requests.get(later.json()["items"][0]["links"][0]["href"], auth=auth)
    expect(sample, 200, "a filtered record by its link")
    assert sample.json()["lastModifiedDate"] >= since, sample.json()["lastModifiedDate"]
    vendors = requests.get(f"{base}{RECORDS}/vendor", auth=auth,
                           params={"q": 'dateCreated ON_OR_AFTER "1/1/2020" AND isInactive IS false', "limit": 3})
    expect(vendors, 200, "a filter in the account's date format")
    print(f"q= filter: {recent.json()['totalResults']} purchase orders since {since}, "
          f"{vendors.json()['totalResults']} active vendors")

    fresh = {"companyName": "Third Party Check Co", "subsidiary": {"id": order.json()["subsidiary"]["id"]}}
    created = requests.post(f"{base}{RECORDS}/vendor", json=fresh, auth=auth)
    expect(created, 204, "a vendor create")
    vendor = requests.get(created.headers["Location"], auth=auth)
    expect(vendor, 200, "the created vendor by its Location")
    assert vendor.json()["companyName"] == "Third Party Check Co", vendor.text
    print(f"created vendor {vendor.json()['id']} (204 + Location)")

    rows = requests.post(
        f"{base}{SUITEQL}",
        params={"limit": 10},
        headers={"Prefer": "transient"},
        json={"q": "SELECT id, tranid, tranDate FROM transaction WHERE type = 'PurchOrd' ORDER BY id"},
        auth=auth,
    )
    expect(rows, 200, "a SuiteQL query")
    result = rows.json()
    items = result["items"]
    assert len(items) == result["count"] == 10 and result["offset"] == 0 and result["hasMore"], result
    assert set(items[0]) == {"id", "tranid", "trandate", "links"} and items[0]["links"] == [], items[0]
    assert all(isinstance(v, str) for row in items for k, v in row.items() if k != "links"), "values are strings"
    assert [int(row["id"]) for row in items] == sorted(int(row["id"]) for row in items), "ORDER BY id"
    print(f"SuiteQL: {result['totalResults']} rows, lower-case string columns, first {items[0]['tranid']}")

    wrong = requests.get(f"{base}{RECORDS}/vendor", params={"limit": 1}, auth=tba(creds, resource_owner_secret="nope"))
    expect(wrong, 401, "a wrong token secret", "INVALID_LOGIN")
    challenge = wrong.headers.get("WWW-Authenticate", "")
    assert challenge.startswith(f'OAuth realm="{creds["account_id"]}"') and "token_rejected" in challenge, challenge

    # The same signed request twice: its nonce is spent after the first.
    prepared = requests.Request("GET", f"{base}{RECORDS}/vendor?limit=1", auth=auth).prepare()
    with requests.Session() as session:
        expect(session.send(prepared), 200, "a signed request")
        expect(session.send(prepared), 401, "a replayed nonce", "INVALID_LOGIN")

    stale = tba(creds, timestamp=str(int(time.time()) - 3600))
    expect(requests.get(f"{base}{RECORDS}/vendor", auth=stale), 401, "an hour-old timestamp", "INVALID_LOGIN")
    sha1 = tba(creds, signature_method="HMAC-SHA1")
    expect(requests.get(f"{base}{RECORDS}/vendor", auth=sha1), 401, "HMAC-SHA1", "INVALID_LOGIN")

    readonly = tba(creds, token="readonly_token_id", secret="readonly_token_secret")
    expect(requests.get(f"{base}{RECORDS}/vendor", params={"limit": 1}, auth=readonly), 200, "a read-only role's read")
    write = requests.post(f"{base}{RECORDS}/vendor", json={"companyName": "Should Not Exist"}, auth=readonly)
    expect(write, 403, "a read-only role's create", "INSUFFICIENT_PERMISSION")
    print("refusals: wrong secret, replayed nonce, stale timestamp, HMAC-SHA1 (401 INVALID_LOGIN); "
          "read-only write (403 INSUFFICIENT_PERMISSION)")

    if "private_key" in creds:
        m2m(base, creds)


def m2m(base, creds):
    def assertion(**claims):
        now = int(time.time())
        payload = {"iss": creds["client_id"], "scope": ["rest_webservices"], "aud": f"{base}{TOKEN}",
                   "iat": now, "exp": now + 1800, "jti": str(uuid.uuid4())}
        payload.update(claims)
        return jwt.encode(payload, creds["private_key"], algorithm="ES256",
                          headers={"kid": creds["certificate_id"]})

    def token(signed):
        return requests.post(f"{base}{TOKEN}", data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": signed,
        })

    issued = token(assertion())
    expect(issued, 200, "an M2M token")
    access = issued.json()["access_token"]
    vendor = requests.get(f"{base}{RECORDS}/vendor", params={"limit": 1},
                          headers={"Authorization": f"Bearer {access}"})
    expect(vendor, 200, "a read with the bearer token")
    refused = token(assertion(aud="https://elsewhere.example/token"))
    expect(refused, 400, "an assertion for another audience")
    assert refused.json()["error"] == "invalid_grant", refused.text
    bad = requests.get(f"{base}{RECORDS}/vendor", headers={"Authorization": "Bearer nope"})
    expect(bad, 401, "an unknown bearer token")
    assert bad.headers.get("WWW-Authenticate", "").startswith("Bearer"), bad.headers
    print(f"OAuth 2.0 M2M: token for {issued.json()['expires_in']} s, reads; bad audience and token refused")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except AssertionError as failure:
        sys.exit(f"netsuite_oauth: FAILED: {failure}")
