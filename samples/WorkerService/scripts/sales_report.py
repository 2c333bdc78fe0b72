"""Aggregates the sales shipped with the sample by region and writes a JSON report to /out.

In the Managed backend this folder is mounted read-only at /app and the output folder read-write at
/out (see PythonRuntime:FileSystem:Mounts in appsettings.json). The paths are taken relative to this
file, so the same script runs in the Native backend, where they are the host's folders beside it.
"""
import csv
import json
import os
from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "data", "sales.csv")
TARGET = os.path.normpath(os.path.join(HERE, "..", "out", "sales-report.json"))
CENT = Decimal("0.01")


def build_report(path):
    regions = defaultdict(lambda: {"orders": 0, "units": 0, "revenue": Decimal(0), "products": Counter()})
    with open(path, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            units = int(row["units"])
            revenue = Decimal(row["unit_price"]) * units
            region = regions[row["region"]]
            region["orders"] += 1
            region["units"] += units
            region["revenue"] += revenue
            region["products"][row["product"]] += units

    summary = [
        {
            "region": name,
            "orders": r["orders"],
            "units": r["units"],
            "revenue": float(r["revenue"].quantize(CENT)),
            "best_seller": r["products"].most_common(1)[0][0],
        }
        for name, r in regions.items()
    ]
    summary.sort(key=lambda r: r["revenue"], reverse=True)
    total = sum((r["revenue"] for r in regions.values()), Decimal(0))
    return {
        "source": path,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "total_revenue": float(total.quantize(CENT)),
        "regions": summary,
    }


def write_json(report, path):
    # Write beside the target, then rename: a reader never sees half a report.
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as target:
        json.dump(report, target, indent=2)
    os.replace(partial, path)


report = build_report(SOURCE)
write_json(report, TARGET)
for region in report["regions"]:
    print(f"{region['region']:<6} {region['orders']:>3} orders {region['revenue']:>10.2f}  best seller: {region['best_seller']}")
print(f"wrote {TARGET}: {len(report['regions'])} regions, total revenue {report['total_revenue']:.2f}")
