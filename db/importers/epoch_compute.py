"""Epoch AI's training compute, hardware, time and cost figures for the models of the census.

    python -m db.importers.epoch_compute NOTABLE.csv LARGE.csv [--data data/] > compute_estimates.csv

Only models already mapped to an Epoch name in data/tracker_names.csv (the reviewed mapping) are
read; the first file that names a model wins. Each figure becomes one row of compute_estimates,
estimated by Epoch AI, beside any other estimate of the same quantity with its own source.
"""

import argparse
import csv
import sys
from pathlib import Path

SOURCES = ("epoch-notable-models-csv", "epoch-large-scale-models-csv")
# (Epoch column, our quantity, unit)
FIGURES = (
    ("Training compute (FLOP)", "training-compute-flop", "FLOP"),
    ("Training compute cost (2023 USD)", "training-cost-usd", "US dollars of 2023, cost of the final training run"),
    ("Training compute cost (cloud)", "training-cost-usd", "US dollars, price of renting the hardware in the cloud"),
    ("Hardware quantity", "hardware-count", "chips"),
    ("Training time (hours)", "training-time-hours", "wall-clock hours"),
)


def rows(files: list[Path], data: Path) -> list[dict]:
    mapped = {
        r["external_name"]: r["model_id"]
        for r in csv.DictReader((data / "tracker_names.csv").open(encoding="utf-8"))
        if r["tracker_id"] == "epoch-ai"
    }
    seen: dict[str, tuple[dict, str]] = {}
    for path, source in zip(files, SOURCES, strict=False):
        for rec in csv.DictReader(path.open(encoding="utf-8-sig")):
            name = rec.get("Model", "").strip()
            if name in mapped and name not in seen:
                seen[name] = (rec, source)
    out = []
    for name, (rec, source) in sorted(seen.items(), key=lambda kv: mapped[kv[0]]):
        model_id = mapped[name]
        confidence = rec.get("Confidence", "").strip()
        for column, quantity, unit in FIGURES:
            raw = rec.get(column, "").strip().replace(",", "")
            try:
                value = float(raw)
            except ValueError:
                continue
            if value <= 0:
                continue
            tag = {"Training compute cost (cloud)": "cloud-cost", "Training compute cost (2023 USD)": "cost"}.get(
                column, quantity
            )
            hardware = rec.get("Training hardware", "").strip() if quantity in ("hardware-count",) else ""
            notes = f"Epoch AI's figure for its entry '{name}'"
            if quantity == "training-compute-flop" and confidence:
                notes += f"; Epoch's confidence in the compute figure: {confidence}"
            out.append(
                {
                    "estimate_id": f"epoch-{model_id}-{tag}",
                    "model_id": model_id,
                    "quantity": quantity,
                    "value": f"{value:g}" if quantity != "training-cost-usd" else f"{round(value)}",
                    "unit": unit,
                    "hardware": hardware,
                    "basis": "estimated",
                    "estimated_by": "Epoch AI",
                    "date": "",
                    "date_precision": "",
                    "notes": notes + ".",
                    "source_ids": source,
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="Epoch's notable-models CSV, then its large-scale CSV")
    parser.add_argument("--data", type=Path, default=Path("data"))
    args = parser.parse_args(argv)
    found = rows(args.files, args.data)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(found[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(found)
    print(f"{len(found)} figures for {len({r['model_id'] for r in found})} models", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
