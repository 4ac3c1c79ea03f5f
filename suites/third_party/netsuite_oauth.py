"""Standard OAuth clients against the NetSuite emulator, unmodified.

Token-based authentication is signed by requests-oauthlib (OAuth 1.0a, HMAC-SHA256, realm = the
account id), as NetSuite's own samples do; OAuth 2.0 client credentials use a client assertion
signed by PyJWT (ES256) with the manifest's key. Through both it reads records (with query
parameters that the signature must cover), runs SuiteQL, and checks NetSuite's refusals: a wrong
token secret, a replayed nonce, a read-only role's write, a bad assertion.
Usage: netsuite_oauth.py MANIFEST.json
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


def error_code(response):
    details = response.json().get("o:errorDetails") or [{}]
    return details[0].get("o:errorCode")


def expect(response, status, what):
    assert response.status_code == status, f"{what}: HTTP {response.status_code} {response.text[:300]}"


def main(manifest_path):
    ns = next(s for s in json.load(open(manifest_path))["systems"] if s["system"] == "netsuite")
    base, creds = ns["base_url"], ns["credentials"]
    auth = tba(creds)

    page = requests.get(f"{base}{RECORDS}/purchaseOrder", params={"limit": 5, "offset": 5}, auth=auth)
    expect(page, 200, "a page of purchase orders")
    body = page.json()
    assert len(body["items"]) == body["count"] == 5 and body["offset"] == 5, body
    assert body["hasMore"] and body["totalResults"] > 10, body
    first = body["items"][0]["id"]
    order = requests.get(f"{base}{RECORDS}/purchaseOrder/{first}", params={"expandSubResources": "true"}, auth=auth)
    expect(order, 200, "one purchase order")
    lines = order.json()["item"]["items"]
    assert lines and lines[0]["item"]["id"], order.json()
    print(f"record API: {body['totalResults']} purchase orders, PO {first} has {len(lines)} lines")

    # A filter with spaces, quotes and slashes (dates in the account's format, M/d/yyyy): the
    # signature covers the query as sent.
    q = 'lastModifiedDate ON_OR_AFTER "1/1/2020" AND isInactive IS false'
    vendors = requests.get(f"{base}{RECORDS}/vendor", params={"q": q, "limit": 3}, auth=auth)
    expect(vendors, 200, "a filtered vendor list")
    print(f"q= filter: {vendors.json()['totalResults']} vendors")

    rows = requests.post(
        f"{base}{SUITEQL}",
        params={"limit": 10},
        headers={"Prefer": "transient"},
        json={"q": "SELECT id, tranid FROM transaction WHERE type = 'PurchOrd' ORDER BY id"},
        auth=auth,
    )
    expect(rows, 200, "a SuiteQL query")
    items = rows.json()["items"]
    assert len(items) == 10 and set(items[0]) >= {"id", "tranid"}, items[:1]
    assert isinstance(items[0]["id"], str), "SuiteQL values are strings"
    print(f"SuiteQL: {rows.json()['totalResults']} rows, first {items[0]['tranid']}")

    wrong = requests.get(f"{base}{RECORDS}/vendor", params={"limit": 1}, auth=tba(creds, resource_owner_secret="nope"))
    expect(wrong, 401, "a wrong token secret")
    assert error_code(wrong) == "INVALID_LOGIN", wrong.text

    # The same signed request twice: its nonce is spent after the first.
    prepared = requests.Request("GET", f"{base}{RECORDS}/vendor?limit=1", auth=auth).prepare()
    with requests.Session() as session:
        expect(session.send(prepared), 200, "a signed request")
        replay = session.send(prepared)
    expect(replay, 401, "a replayed nonce")

    readonly = tba(creds, token="readonly_token_id", secret="readonly_token_secret")
    write = requests.post(f"{base}{RECORDS}/vendor", json={"companyName": "Should Not Exist"}, auth=readonly)
    expect(write, 403, "a read-only role's create")
    assert error_code(write) == "INSUFFICIENT_PERMISSION", write.text
    print("refusals: wrong secret, replayed nonce, read-only write")

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
    main(sys.argv[1])
