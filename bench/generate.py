"""Synthetic data at scale: `python bench/generate.py 100000 [--out DIR] [--seed N]`.

Writes a data/ folder of CSVs with the schema of the curated data and its
distributions, scaled to N release events. Every synthetic record copies a
real record of data/ (its template) and moves it in time, so the joint mix of
year, openness level, event type, gating, licence family and component states,
the number of release events per model, incident types, statuses, links and
steps, and text lengths all follow the curated data. Organisations and
licences grow more slowly than models (sqrt and fourth root of the scale), as
they do in real catalogues. Deterministic for a given seed and input data.
"""

import argparse
import csv
import datetime as dt
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import spec  # noqa: E402
from db.validate import split_list  # noqa: E402

SEED = 20261127
EARLIEST = dt.date(2015, 1, 1)


def read_table(data_dir: Path, name: str) -> list[dict]:
    """Rows of one curated CSV as dicts of strings."""
    with open(data_dir / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Writer:
    """One CSV per table, columns in contract order."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        self.files, self.writers, self.counts = {}, {}, defaultdict(int)
        for table in spec.TABLES:
            fh = open(out / table.file, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close())
            self.files[table.name] = fh
            self.writers[table.name] = csv.DictWriter(fh, fieldnames=table.columns, extrasaction="ignore")
            self.writers[table.name].writeheader()

    def row(self, table: str, row: dict) -> None:
        self.writers[table].writerow(row)
        self.counts[table] += 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def shift_date(date: str, precision: str, months: int, rng: random.Random, today: dt.date) -> str:
    """Move a date by whole months, keeping its precision (month: 1st, year: Jan 1st) and never past today."""
    day = dt.date.fromisoformat(date)
    if precision == "year":
        moved = dt.date(day.year + round(months / 12), 1, 1)
    else:
        index = day.year * 12 + day.month - 1 + months
        year, month = divmod(index, 12)
        moved = dt.date(year, month + 1, rng.randint(1, 28) if precision == "day" else 1)
    moved = max(moved, EARLIEST)
    if moved > today:
        moved = {"day": today, "month": today.replace(day=1), "year": today.replace(month=1, day=1)}[precision]
    return moved.isoformat()


def _zipf_pick(rng: random.Random, items: list, s: float = 1.1):
    """An item with rank-based Zipf weights (a few organisations or licences get most models)."""
    n = len(items)
    r = min(int(rng.paretovariate(s)) - 1, n - 1)
    return items[r]


def generate(n_releases: int, out: Path, data_dir: Path = ROOT / "data", seed: int = SEED) -> dict[str, int]:
    """Write a synthetic data folder with about n_releases release events; returns rows per table."""
    rng = random.Random(seed)
    today = dt.date.today()
    real = {t.name: read_table(data_dir, t.name) for t in spec.TABLES}
    scale = n_releases / max(1, len(real["releases"]))
    w = Writer(out)

    # Sources: a pool in the curated ratio to release events; every row cites templates' number of them.
    n_sources = max(len(real["sources"]), round(len(real["sources"]) * scale))
    src_ids = [f"src-{i:07d}" for i in range(n_sources)]
    for i, sid in enumerate(src_ids):
        t = real["sources"][i % len(real["sources"])]
        w.row(
            "sources",
            {**t, "source_id": sid, "url": f"{t['url'].rstrip('/')}#s{i}", "date_accessed": t["date_accessed"]},
        )

    def cite(template: dict) -> str:
        k = max(1, len(split_list(template["source_ids"])))
        return ";".join(dict.fromkeys(rng.choice(src_ids) for _ in range(k)))

    # Organisations: the real ones plus copies, sqrt of the scale.
    n_orgs = max(len(real["organizations"]), round(len(real["organizations"]) * scale**0.5))
    orgs_by_template: dict[str, list[str]] = defaultdict(list)
    for i in range(n_orgs):
        t = real["organizations"][i % len(real["organizations"])]
        oid = t["organization_id"] if i < len(real["organizations"]) else f"{t['organization_id']}-{i}"
        name = t["name"] if i < len(real["organizations"]) else f"{t['name']} {i}"
        w.row("organizations", {**t, "organization_id": oid, "name": name})
        orgs_by_template[t["organization_id"]].append(oid)
    all_orgs = [o for v in orgs_by_template.values() for o in v]

    # Licences: the real ones plus versions of them, fourth root of the scale; a template's licence maps to one of its versions.
    n_lic = max(len(real["licences"]), round(len(real["licences"]) * scale**0.25))
    lic_by_template: dict[str, list[str]] = defaultdict(list)
    for i in range(n_lic):
        t = real["licences"][i % len(real["licences"])]
        lid = t["licence_id"] if i < len(real["licences"]) else f"{t['licence_id']}-v{i}"
        w.row("licences", {**t, "licence_id": lid, "version": t["version"] or str(i), "source_ids": cite(t)})
        lic_by_template[t["licence_id"]].append(lid)

    # Models with their release events: copy a real model and its whole sequence of events, moved in time.
    rel_by_model: dict[str, list[dict]] = defaultdict(list)
    for r in real["releases"]:
        rel_by_model[r["model_id"]].append(r)
    model_templates = real["models"]
    model_ids: list[str] = []
    model_releases: dict[str, list[str]] = {}
    k = 0
    while w.counts["releases"] < n_releases:
        t = model_templates[k % len(model_templates)]
        mid = f"{t['model_id']}-s{k}"
        lead_pool = orgs_by_template.get(split_list(t["organization_ids"])[0]) or all_orgs
        orgs = [rng.choice(lead_pool)]
        for _ in split_list(t["organization_ids"])[1:]:
            orgs.append(_zipf_pick(rng, all_orgs))
        params = t["parameters"]
        if params:
            params = str(max(1, int(int(params) * rng.lognormvariate(0, 0.5))))
        base = ""
        if t["base_model_id"] and model_ids:
            base = rng.choice(model_ids[-200:])
        w.row(
            "models",
            {
                **t,
                "model_id": mid,
                "name": f"{t['name']} {k}",
                "organization_ids": ";".join(dict.fromkeys(orgs)),
                "parameters": params,
                "base_model_id": base,
                "source_ids": cite(t),
            },
        )
        months = rng.randint(-9, 9)
        ids = []
        for j, rt in enumerate(rel_by_model.get(t["model_id"], [])):
            date = shift_date(rt["date"], rt["date_precision"], months, rng, today)
            rid = f"{mid}-{date[:7]}-{rt['event_type']}-{j}"
            licence = rng.choice(lic_by_template[rt["licence_id"]]) if rt["licence_id"] else ""
            w.row(
                "releases",
                {**rt, "release_id": rid, "model_id": mid, "date": date, "licence_id": licence, "source_ids": cite(rt)},
            )
            ids.append(rid)
        model_ids.append(mid)
        model_releases[mid] = ids
        k += 1

    # Incidents with their links and dated steps, in the curated ratio to release events.
    links_by_inc: dict[str, list[dict]] = defaultdict(list)
    for lk in real["incident_links"]:
        links_by_inc[lk["incident_id"]].append(lk)
    steps_by_inc: dict[str, list[dict]] = defaultdict(list)
    for stp in real["incident_steps"]:
        steps_by_inc[stp["incident_id"]].append(stp)
    n_inc = max(1, round(len(real["incidents"]) * scale))
    for i in range(n_inc):
        t = real["incidents"][i % len(real["incidents"])]
        iid = f"{t['incident_id']}-s{i}"
        months = rng.randint(-9, 9)
        w.row(
            "incidents",
            {
                **t,
                "incident_id": iid,
                "title": f"{t['title']} ({i})",
                "date": shift_date(t["date"], t["date_precision"], months, rng, today),
                "source_ids": cite(t),
            },
        )
        linked = rng.sample(model_ids, min(len(model_ids), len(links_by_inc[t["incident_id"]])))
        for lt, mid in zip(links_by_inc[t["incident_id"]], linked, strict=False):
            rid = rng.choice(model_releases[mid]) if lt["release_id"] and model_releases[mid] else ""
            w.row(
                "incident_links", {**lt, "incident_id": iid, "model_id": mid, "release_id": rid, "source_ids": cite(lt)}
            )
        seen = set()
        for stp in steps_by_inc[t["incident_id"]]:
            date = shift_date(stp["date"], stp["date_precision"], months, rng, today)
            if (date, stp["status"]) in seen:
                continue
            seen.add((date, stp["status"]))
            w.row("incident_steps", {**stp, "incident_id": iid, "date": date, "source_ids": cite(stp)})

    n_ctx = max(1, round(len(real["context_events"]) * scale))
    for i in range(n_ctx):
        t = real["context_events"][i % len(real["context_events"])]
        w.row(
            "context_events",
            {
                **t,
                "event_id": f"{t['event_id']}-s{i}",
                "date": shift_date(t["date"], t["date_precision"], rng.randint(-9, 9), rng, today),
                "organization_ids": ";".join(
                    dict.fromkeys(rng.choice(all_orgs) for _ in split_list(t["organization_ids"]))
                ),
                "model_ids": ";".join(dict.fromkeys(rng.choice(model_ids) for _ in split_list(t["model_ids"]))),
                "source_ids": cite(t),
            },
        )
    w.close()
    return dict(w.counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/generate.py", description=__doc__.splitlines()[0])
    parser.add_argument("releases", type=int, help="number of release events (e.g. 10000, 100000, 1000000)")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/results/data-<N>)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--from", dest="source", type=Path, default=ROOT / "data", help="curated data to imitate")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "bench" / "results" / f"data-{args.releases}"
    counts = generate(args.releases, out, args.source, args.seed)
    print(f"Wrote {out}:")
    for name, n in counts.items():
        print(f"  {name:<16} {n:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
