"""Page benchmark: `python bench/bench_pages.py [--sizes 10000,100000] [--warm 5]`.

For the shipped data and each synthetic size (bench/generate.py), builds the
database, then runs every page of ui.pages.PAGES in AppTest in its own
subprocess and measures: the cold script run (empty data caches), the median
warm rerun, the time of the page's queries alone (the db.queries calls the page
made, with the same arguments, run directly), the figure JSON sent to the
browser and the process's peak RSS. At 100k and more it also times importing
100k release rows through db.ingest. Prints one table and writes
bench/results/pages.json. `--sizes 1000000` adds the slow 1M run.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import peak_rss_mb  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PAYLOAD_LIMIT = 1_000_000
IMPORT_ROWS = 100_000


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _record_queries(calls: list) -> None:
    """Log every db.queries call made through ui.data, so the same calls can be timed alone."""
    from db import queries
    from ui import data

    for name in data.QUERIES:
        fn = getattr(queries, name, None)
        if fn is None or getattr(fn, "_bench_wrapped", False):
            continue

        def logged(engine, _fn=fn, _name=name, **kwargs):
            calls.append((_name, kwargs))
            return _fn(engine, **kwargs)

        logged._bench_wrapped = True
        setattr(queries, name, logged)


def _time_queries(calls: list, repeats: int = 3) -> float:
    """Median wall time of running the logged calls in order, after one untimed pass (warm SQLite cache)."""
    from db import queries
    from db.engine import make_engine

    engine = make_engine(readonly=True)
    totals = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        for name, kwargs in calls:
            getattr(queries, name)(engine, **kwargs)
        if i:
            totals.append(time.perf_counter() - t0)
    engine.dispose()
    return statistics.median(totals) if calls else 0.0


def worker(page_file: str, warm_runs: int) -> dict:
    """Measure one page in this process (run as a subprocess so peak memory is the page's own)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from db.engine import QueryTimeout
    from ui.pages import PAGES

    first = PAGES[0].file
    app = str(ROOT / "app.py")

    def open_page() -> AppTest:
        at = AppTest.from_file(app, default_timeout=600)
        at.run()
        if page_file != first:
            at.switch_page(page_file)
        return at

    # Warm-up: import every module the page needs, so "cold" means cold data caches, not cold imports.
    at = open_page()
    if page_file != first:
        at.run()
    rss_before = peak_rss_mb(os.getpid())
    calls: list = []
    _record_queries(calls)
    st.cache_data.clear()
    st.cache_resource.clear()
    if page_file == first:
        at = AppTest.from_file(app, default_timeout=600)
    else:
        at = open_page()
        st.cache_data.clear()
        st.cache_resource.clear()
    calls.clear()
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    logged = list(calls)
    errors = [str(e.value)[:200] for e in at.exception]
    warm = []
    for _ in range(warm_runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    charts = at.get("plotly_chart")
    payload = [len(c.proto.spec) for c in charts]
    notes = [str(w.value)[:160] for w in at.warning]
    try:
        queries_ms = _ms(_time_queries(logged))
    except QueryTimeout:
        queries_ms = None
        errors.append("a query alone ran past the 10 s limit")
    return {
        "page": page_file,
        "cold_ms": _ms(cold),
        "warm_ms": _ms(statistics.median(warm)),
        "queries_ms": queries_ms,
        "queries": sorted({name for name, _ in logged}),
        "charts": len(payload),
        "payload_bytes": sum(payload),
        "largest_chart_bytes": max(payload, default=0),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak_rss_mb(os.getpid()), 1),  # VmHWM: ru_maxrss would carry the parent's mark over exec
        "errors": errors,
        "warnings": notes,
    }


def ensure_built(size: str) -> tuple[Path, str, float | None, dict]:
    """The data folder and database of a size ('shipped' or a number), built if missing; build time if built."""
    from bench.generate import generate
    from db.build import build

    if size == "shipped":
        data_dir, db = ROOT / "data", RESULTS / "bench-shipped.db"
    else:
        data_dir, db = RESULTS / f"data-{size}", RESULTS / f"bench-{size}.db"
    gen_s = None
    if size != "shipped" and not (data_dir / "releases.csv").exists():
        t0 = time.perf_counter()
        generate(int(size), data_dir)
        gen_s = time.perf_counter() - t0
    db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db}"
    t0 = time.perf_counter()
    counts = build(data_dir, url)
    built = time.perf_counter() - t0 if counts is not None else None
    info = {"generate_s": gen_s and round(gen_s, 1), "build_s": built and round(built, 1)}
    return data_dir, url, built, info


def run_page(page_file: str, data_dir: Path, url: str, warm: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "OBSERVATORY_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", page_file, "--warm", str(warm)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        return {"page": page_file, "errors": [f"worker failed: {proc.stderr.strip().splitlines()[-1:]}"]}
    return json.loads(lines[-1])


def measure_import(data_dir: Path, url: str, rows: int = IMPORT_ROWS) -> dict:
    """Import `rows` new release events (copies of existing ones under new ids) into a copy of the database.

    The upload limits (db.ingest.MAX_BYTES, MAX_ROWS) are respected by splitting
    the rows into as many files as needed, as a curator would.
    """
    import csv
    import io

    from db import ingest
    from db.engine import sqlite_path
    from db.service import Actor

    with open(data_dir / "releases.csv", encoding="utf-8", newline="") as fh:
        source = list(csv.DictReader(fh))
    header = list(source[0])
    chunks, buf, count, size = [], io.StringIO(), 0, 0
    writer = csv.DictWriter(buf, fieldnames=header)
    writer.writeheader()
    for i in range(rows):
        row = dict(source[i % len(source)])
        row["release_id"] = f"{row['release_id']}-import-{i}"
        before = buf.tell()
        writer.writerow(row)
        count += 1
        size = buf.tell()
        if size > ingest.MAX_BYTES * 0.95 - (buf.tell() - before) or count >= ingest.MAX_ROWS:
            chunks.append(buf.getvalue().encode())
            buf, count = io.StringIO(), 0
            writer = csv.DictWriter(buf, fieldnames=header)
            writer.writeheader()
    if count:
        chunks.append(buf.getvalue().encode())
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "import.db"
        shutil.copy(sqlite_path(url), copy)
        actor = Actor("bench", "cli")
        t0 = time.perf_counter()
        for chunk in chunks:
            ingest.import_bytes(actor, "releases.csv", chunk, url=f"sqlite:///{copy}")
        took = time.perf_counter() - t0
    return {"rows": rows, "files": len(chunks), "import_s": round(took, 2)}


def machine() -> dict:
    mem_kb = next(int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal"))
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1m": round(os.getloadavg()[0], 1),  # other work on the machine inflates every figure
    }


def check_targets(size: str, rows: list[dict], imported: dict | None) -> list[str]:
    """Which of issue 6's targets this size meets: a list of 'met'/'MISSED' lines."""
    out = []
    for r in rows:
        if "warm_ms" not in r:
            out.append(f"MISSED {size} {r['page']}: did not run ({r['errors']})")
            continue
        name, problems = Path(r["page"]).stem, []
        scope = {"shipped": "warm < 150 ms", "100000": "warm, cold, payload"}.get(size, "renders")
        if r["errors"]:
            problems.append(f"exception: {r['errors'][0]}")
        if size == "shipped" and r["warm_ms"] >= 150:
            problems.append(f"warm {r['warm_ms']} ms >= 150")
        if size == "100000":
            if r["warm_ms"] >= 300:
                problems.append(f"warm {r['warm_ms']} ms >= 300")
            if r["queries_ms"] is not None and r["warm_ms"] > 3 * r["queries_ms"]:
                problems.append(f"warm {r['warm_ms']} ms > 3x queries {r['queries_ms']} ms")
            if r["cold_ms"] >= 2000:
                problems.append(f"cold {r['cold_ms']} ms >= 2000")
            if r["payload_bytes"] > PAYLOAD_LIMIT:
                problems.append(f"figure payload {r['payload_bytes']:,} B > 1 MB")
        out.append(
            f"{'MISSED' if problems else 'met   '} {size} {name} ({scope})"
            + (": " + "; ".join(problems) if problems else "")
        )
    if imported:
        ok = imported["import_s"] < 10
        out.append(
            f"{'met   ' if ok else 'MISSED'} {size} import of {imported['rows']:,} rows: {imported['import_s']} s"
        )
    return out


def table(results: dict) -> str:
    head = f"{'data':>8} {'page':<10} {'cold ms':>8} {'warm ms':>8} {'query ms':>9} {'warm/q':>7} {'fig KB':>8} {'peak MB':>8}  notes"
    lines = [head, "-" * len(head)]
    for size, res in results["sizes"].items():
        for r in res["pages"]:
            name = Path(r["page"]).stem
            if "warm_ms" not in r:
                lines.append(f"{size:>8} {name:<10} {'failed':>8}  {r['errors']}")
                continue
            ratio = f"{r['warm_ms'] / r['queries_ms']:.1f}" if r["queries_ms"] else "-"
            query = f"{r['queries_ms']:>9.1f}" if r["queries_ms"] is not None else f"{'timeout':>9}"
            note = "; ".join([*(f"ERROR {e}" for e in r["errors"]), *r["warnings"]])[:90]
            lines.append(
                f"{size:>8} {name:<10} {r['cold_ms']:>8.0f} {r['warm_ms']:>8.1f} {query} {ratio:>7} "
                f"{r['payload_bytes'] / 1024:>8.1f} {r['peak_rss_mb']:>8.0f}  {note}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bench_pages.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="release events per synthetic dataset, comma-separated")
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped data")
    parser.add_argument("--pages", default="", help="only these page files (comma-separated stems, e.g. timeline)")
    parser.add_argument("--warm", type=int, default=5, help="warm reruns per page (median reported)")
    parser.add_argument("--no-import", action="store_true", help="skip the import timing")
    parser.add_argument("--out", type=Path, default=RESULTS / "pages.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.warm)))
        return 0

    from ui.pages import PAGES

    wanted = {p.strip() for p in args.pages.split(",") if p.strip()}
    pages = [p.file for p in PAGES if not wanted or Path(p.file).stem in wanted]
    sizes = ([] if args.no_shipped else ["shipped"]) + [s.strip() for s in args.sizes.split(",") if s.strip()]
    results = {"machine": machine(), "warm_runs": args.warm, "sizes": {}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    targets: list[str] = []
    for size in sizes:
        print(f"[{size}] building...", file=sys.stderr, flush=True)
        data_dir, url, _, info = ensure_built(size)
        rows = []
        for page in pages:
            print(f"[{size}] {page}", file=sys.stderr, flush=True)
            rows.append(run_page(page, data_dir, url, args.warm))
        imported = None
        results["sizes"][size] = {**info, "pages": rows, "import": None}
        args.out.write_text(json.dumps(results, indent=1))
        if not args.no_import and size != "shipped" and int(size) >= IMPORT_ROWS:
            print(f"[{size}] importing {IMPORT_ROWS:,} rows", file=sys.stderr, flush=True)
            imported = measure_import(data_dir, url)
        results["sizes"][size] = {**info, "pages": rows, "import": imported}
        targets += check_targets(size, rows, imported)
        results["targets"] = targets
        args.out.write_text(json.dumps(results, indent=1))  # after every size, so a long run leaves partial results
    m = results["machine"]
    print(f"Machine: {m['nproc']} CPUs, {m['memory_gb']} GB, Python {m['python']}, {m['platform']}")
    print(f"Load average when the run started: {m['load_average_1m']}, now: {os.getloadavg()[0]:.1f}")
    for size, res in results["sizes"].items():
        extra = ", ".join(f"{k} {v} s" for k, v in res.items() if k.endswith("_s") and v)
        if res["import"]:
            imp = res["import"]
            extra += f"{', ' if extra else ''}import {imp['rows']:,} rows in {imp['files']} files: {imp['import_s']} s"
        if extra:
            print(f"  {size}: {extra}")
    print(table(results))
    print("\nTargets:")
    print("\n".join(targets))
    print(f"\nWrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
