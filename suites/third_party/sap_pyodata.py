"""SAP's own Python OData client (pyodata) against the SAP emulator, unmodified.

It loads every service's $metadata, reads through the model it built (filter, select, expand,
order, top, inline count), creates a purchase order by deep insert with a CSRF token, and updates
it. Any mismatch between the emulator and the OData v2 protocol as SAP's client speaks it fails
here. Usage: sap_pyodata.py MANIFEST.json
"""

import json
import sys

import pyodata
import requests

SERVICES = [
    "API_PURCHASEORDER_PROCESS_SRV",
    "API_MAINTENANCEORDER;v=0002",
    "API_EQUIPMENT",
    "API_MATERIAL_STOCK_SRV",
    "API_BUSINESS_PARTNER",
    "API_MATERIAL_DOCUMENT_SRV",
]


def main(manifest_path):
    sap = next(s for s in json.load(open(manifest_path))["systems"] if s["system"] == "sap")
    base, creds = sap["base_url"], sap["credentials"]
    session = requests.Session()
    session.auth = (creds["username"], creds["password"])
    root = f"{base}/sap/opu/odata/sap"

    for service in SERVICES:
        client = pyodata.Client(f"{root}/{service}/", session)
        sets = [es.name for es in client.schema.entity_sets]
        assert sets, f"{service}: no entity sets in $metadata"
        first = getattr(client.entity_sets, sets[0]).get_entities().top(3).count(inline=True).execute()
        assert len(first) <= 3 and first.total_count >= len(first), service
        print(f"{service}: {len(sets)} entity sets, {sets[0]} holds {first.total_count}")

    po = pyodata.Client(f"{root}/API_PURCHASEORDER_PROCESS_SRV/", session)
    recent = (
        po.entity_sets.A_PurchaseOrder.get_entities()
        .filter("LastChangeDateTime gt datetimeoffset'2026-02-01T00:00:00Z'")
        .select("PurchaseOrder,Supplier,LastChangeDateTime")
        .expand("to_PurchaseOrderItem")
        .order_by("LastChangeDateTime desc")
        .top(5)
        .execute()
    )
    stamps = [e.LastChangeDateTime for e in recent]
    assert stamps == sorted(stamps, reverse=True) and stamps, "order by LastChangeDateTime desc"
    assert all(len(e.to_PurchaseOrderItem) > 0 for e in recent), "expanded items"

    sample = po.entity_sets.A_PurchaseOrder.get_entity(recent[0].PurchaseOrder).expand("to_PurchaseOrderItem").execute()
    item = sample.to_PurchaseOrderItem[0]
    fetched = session.get(f"{root}/API_PURCHASEORDER_PROCESS_SRV/", headers={"x-csrf-token": "fetch"})
    session.headers["x-csrf-token"] = fetched.headers["x-csrf-token"]
    create = po.entity_sets.A_PurchaseOrder.create_entity()
    create.set(
        PurchaseOrderType="NB",
        Supplier=sample.Supplier,
        CompanyCode=sample.CompanyCode,
        PurchasingOrganization=sample.PurchasingOrganization,
        PurchasingGroup=sample.PurchasingGroup,
        DocumentCurrency=sample.DocumentCurrency,
        to_PurchaseOrderItem=[
            dict(
                Material=item.Material,
                Plant=item.Plant,
                OrderQuantity=item.OrderQuantity,
                PurchaseOrderQuantityUnit=item.PurchaseOrderQuantityUnit,
                NetPriceAmount=item.NetPriceAmount,
            )
        ],
    )
    created = create.execute()
    update = po.entity_sets.A_PurchaseOrder.update_entity(PurchaseOrder=created.PurchaseOrder)
    update.set(PaymentTerms=sample.PaymentTerms)
    update.execute()
    again = po.entity_sets.A_PurchaseOrder.get_entity(created.PurchaseOrder).expand("to_PurchaseOrderItem").execute()
    assert again.Supplier == sample.Supplier and len(again.to_PurchaseOrderItem) == 1
    print(f"created and updated purchase order {created.PurchaseOrder} through pyodata")


if __name__ == "__main__":
    main(sys.argv[1])
