"""What users wait for, against the floor of the stack: `python bench/bench_all.py [--runs 5] [--sizes 100000]`.

Starts the app and bench/floor_app.py (a bare Streamlit page drawing one Plotly chart of 600 points, with one
sidebar filter) on free loopback ports, with the same Streamlit and Plotly and the same .streamlit/config.toml.
Both are served by Streamlit's own Starlette server: `streamlit run app.py` finds app.py's `st.App` (which adds
the upload gate's middleware), the floor runs as a plain script. Then:

- in headless Debian Chromium, interleaved round by round, a fresh browser context for every visit:
  navigation to the first drawn chart (page clock), a filter change (openness level 4 added, then removed) from
  the committing click to the last chart redrawn (`plotly_afterplot`), the server's CPU per load and per change
  (utime + stime from /proc), websocket bytes per load and per change, elements sent as references to the
  browser's copy, charts resent in full although unchanged, and data bytes per point of the larger charts;
- without a browser (bench/throughput.py): each page loaded over the websocket ten times in a row (time to the
  finished run, CPU per load, bytes), then crowds of 1, 10 and 50 visitors at once;
- the server's own peak resident memory (VmHWM) after all of it.

Every figure is a median, printed beside the floor's from the same run with the issue 13 targets marked met or
missed. Results go to bench/results/all.json. Needs /usr/bin/chromium; the machine should be quiet (the load
average is printed with the table).
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import throughput  # noqa: E402
from bench.browser import (  # noqa: E402
    LAUNCH_ARGS,
    WATCH,
    Wire,
    cpu_seconds,  # noqa: E402
    free_port,
    level_actions,
    peak_rss_mb,
    settle,
    start_server,
)

RESULTS = ROOT / "bench" / "results"
# Targets of issue 13, as ratios to the floor measured in the same run.
TARGETS = {"shipped": {"nav": 1.2, "change": 1.5, "cpu": 1.5}, "large": {"nav": 1.2, "change": 2.0, "cpu": 1.5}}
RSS_TARGET_MB = 300
LOADS_PER_S_TARGET = 12
BYTES_PER_POINT_TARGET = 80
MIN_POINTS = 100  # bytes per point are judged on charts of at least this many points (below, layout dominates)
CROWDS = (1, 10, 50)


def measure(browser, url: str, pid: int, timeout_s: float) -> dict:
    """One fresh visitor: navigate, wait for the first chart and the finished run, then add and remove a level."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(WATCH)
    page = context.new_page()
    wire = Wire(page)
    out: dict = {"change_ms": [], "change_cpu_ms": [], "change_kb": [], "change_refs": [], "resent": 0, "charts": []}
    try:
        cpu0 = cpu_seconds(pid)
        page.goto(url)
        state = settle(page, wire, 0, timeout_s)
        out["nav_ms"] = state["first"]  # page clock: milliseconds since navigation started
        out["table_ms"] = state["table"]  # the first drawn table, for a page that shows no chart
        page.wait_for_timeout(300)  # the server's bookkeeping after the run
        out["load_cpu_ms"], out["load_kb"] = (cpu_seconds(pid) - cpu0) * 1000, wire.bytes / 1024
        out["charts"] += wire.charts
        for action in level_actions(page):
            bytes0, cpu0, runs0, charts0, refs0 = (
                wire.bytes,
                cpu_seconds(pid),
                wire.finished,
                len(wire.charts),
                wire.refs,
            )
            action()
            state = settle(page, wire, runs0, timeout_s)
            out["change_ms"].append(state["draws"][-1] - state["click"] if state["draws"] else None)
            page.wait_for_timeout(300)
            out["change_cpu_ms"].append((cpu_seconds(pid) - cpu0) * 1000)
            out["change_kb"].append((wire.bytes - bytes0) / 1024)
            out["change_refs"].append(wire.refs - refs0)
            sent = wire.charts[charts0:]
            out["resent"] += sum(c["unchanged"] for c in sent)
            out["charts"] += sent
    finally:
        context.close()
    return out


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(samples: list[dict]) -> dict:
    """Medians over rounds, leaving out the first visit (cold caches) unless it is the only one."""
    warm = samples[1:] or samples

    def pick(key):
        vals = []
        for s in warm:
            v = s.get(key)
            vals += v if isinstance(v, list) else [v]
        m = median(vals)
        return None if m is None else round(m, 1 if key.endswith("kb") else None)

    big = [c for s in samples for c in s["charts"] if c["points"] >= MIN_POINTS]
    return {
        "first_nav_ms": round(samples[0]["nav_ms"]) if samples and samples[0].get("nav_ms") else None,
        **{
            k: pick(k)
            for k in ("nav_ms", "change_ms", "load_cpu_ms", "change_cpu_ms", "load_kb", "change_kb", "change_refs")
        },
        "resent_unchanged": sum(s["resent"] for s in samples),
        "bytes_per_point": max((round(c["data_bytes"] / c["points"]) for c in big), default=None),
        "max_points": max((c["points"] for c in big), default=None),
        "table_ms": pick("table_ms"),
        "runs": len(samples),
    }


def data_env(size: str) -> tuple[dict, str]:
    """Environment pointing the app at the shipped data or a synthetic size (built with bench/generate.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OBSERVATORY_DATA_DIR")}
    if size == "shipped":
        return env, "shipped"
    from bench.bench_pages import ensure_built

    data_dir, url, _, _ = ensure_built(size)
    return {**env, "DATABASE_URL": url, "OBSERVATORY_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}, "large"


def run_size(size: str, runs: int, chromium: str, timeout_s: float, loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    from ui.pages import PAGES

    env, kind = data_env(size)
    app_port, floor_port = free_port(), free_port()
    app = start_server(app_port, env)
    floor = start_server(floor_port, env, "bench/floor_app.py")
    targets = [("floor", floor_port, "", floor.pid)]
    targets += [(spec.url_path, app_port, "" if i == 0 else spec.url_path, app.pid) for i, spec in enumerate(PAGES)]
    samples: dict[str, list[dict]] = {name: [] for name, *_ in targets}
    server: dict[str, dict] = {}
    crowds: dict[str, list[dict]] = {"floor": [], "app": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
            for r in range(runs):
                for name, port, path, pid in targets:  # interleaved: every target once per round
                    print(f"{size} round {r + 1}/{runs}: {name}", file=sys.stderr, flush=True)
                    try:
                        samples[name].append(measure(browser, f"http://127.0.0.1:{port}/{path}", pid, timeout_s))
                    except Exception as exc:  # a page that times out is reported, not fatal
                        print(f"  {name}: {type(exc).__name__}: {str(exc)[:160]}", file=sys.stderr)
            browser.close()
        for name, port, path, pid in targets:
            print(f"{size} websocket loads: {name}", file=sys.stderr, flush=True)
            server[name] = throughput.per_page(port, pid, path)
        for n in CROWDS:
            for who, port, pid, paths in (
                ("floor", floor_port, floor.pid, [""]),
                ("app", app_port, app.pid, [path for _, _, path, _ in targets[1:]]),
            ):
                print(f"{size} crowd of {n}: {who}", file=sys.stderr, flush=True)
                crowds[who].append(throughput.crowd(port, pid, paths, n, max(loads, 2 * n)))
        rss = {"app_mb": round(peak_rss_mb(app.pid)), "floor_mb": round(peak_rss_mb(floor.pid))}
    finally:
        for proc in (app, floor):
            proc.terminate()
            proc.wait(timeout=15)
    pages = {
        name: {**summarise(s), **{f"ws_{k}": v for k, v in server.get(name, {}).items()}}
        for name, s in samples.items()
        if s
    }
    return {"size": size, "kind": kind, "pages": pages, "crowds": crowds, "rss": rss}


def ratio(value, floor) -> float | None:
    return round(value / floor, 2) if value is not None and floor else None


def verdict(x: float | None, goal: float) -> str:
    return "-" if x is None else f"{x} {'met' if x <= goal else 'MISSED'}"


def report(result: dict) -> list[str]:
    """The tables for one size: medians, ratios to the floor and met/missed per target."""
    pages, goals, large = result["pages"], TARGETS[result["kind"]], result["kind"] == "large"
    floor = pages.get("floor", {})
    misses: list[str] = []
    lines = [
        f"\n## {result['size']} ({'shipped data' if not large else 'synthetic release events'})",
        "",
        "Browser (headless Chromium, page clock): navigation to the first drawn chart, and click to the last redrawn",
        "chart for a change of one openness level; websocket KB the page received; elements sent as references to the",
        "browser's copy (unchanged since the last run); charts resent in full although unchanged;",
        f"the largest data bytes per point among charts of at least {MIN_POINTS} points.",
        "",
        "| page | nav ms | x floor | change ms | x floor | KB/load | KB/change | refs/change | resent unchanged | B/point (points) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, p in pages.items():
        shown_first = p["nav_ms"] if p["nav_ms"] is not None else p.get("table_ms")  # a page without a chart: its table
        nav_x = ratio(shown_first, floor.get("nav_ms")) if name != "floor" else None
        change_x = ratio(p["change_ms"], floor.get("change_ms")) if name != "floor" else None
        if nav_x is not None and nav_x > goals["nav"]:
            misses.append(f"{name} navigation {nav_x}x > {goals['nav']}x")
        if change_x is not None and change_x > goals["change"]:
            misses.append(f"{name} filter change {change_x}x > {goals['change']}x")
        if p["resent_unchanged"]:
            misses.append(f"{name} resent {p['resent_unchanged']} unchanged chart(s)")
        bpp = p["bytes_per_point"]
        if bpp is not None and bpp > BYTES_PER_POINT_TARGET and name != "floor":
            misses.append(f"{name} {bpp} bytes per point > {BYTES_PER_POINT_TARGET}")
        change = "no redraw" if p["change_ms"] is None else p["change_ms"]
        nav = p["nav_ms"] if p["nav_ms"] is not None else (f"{p.get('table_ms')} (table)" if p.get("table_ms") else "-")
        points_note = f" ({p['max_points']:,})" if bpp is not None else ""
        lines.append(
            f"| {name} | {nav} | {verdict(nav_x, goals['nav'])} | {change} | {verdict(change_x, goals['change'])} "
            f"| {p['load_kb']} | {p['change_kb']} | {p['change_refs']} | {p['resent_unchanged']} | {bpp if bpp is not None else '-'}"
            f"{points_note} |"
        )
    lines += [
        "",
        "Server, without a browser (websocket sessions sending the browser's first-load message; 10 loads in a row",
        "after one untimed): median time to the finished run, server CPU per load (from /proc), KB sent.",
        "",
        "| page | run ms | CPU ms/load | x floor | KB/load |",
        "|---|---|---|---|---|",
    ]
    for name, p in pages.items():
        if "ws_cpu_ms" not in p:
            continue
        x = ratio(p["ws_cpu_ms"], floor.get("ws_cpu_ms")) if name != "floor" else None
        if x is not None and x > goals["cpu"]:
            misses.append(f"{name} server CPU per load {x}x > {goals['cpu']}x")
        lines.append(f"| {name} | {p['ws_run_ms']} | {p['ws_cpu_ms']} | {verdict(x, goals['cpu'])} | {p['ws_kb']} |")
    lines += [
        "",
        "Crowds of visitors at once (websocket only), the app's loads cycling through every page:",
        "",
        "| sessions | app loads/s | floor loads/s | app median s (p90) | floor median s (p90) | app CPU ms/load | floor CPU ms/load |",
        "|---|---|---|---|---|---|---|",
    ]
    for a, f in zip(result["crowds"]["app"], result["crowds"]["floor"], strict=True):
        lines.append(
            f"| {a['sessions']} | {a['per_s']} | {f['per_s']} | {a['median_s']} ({a['p90_s']}) "
            f"| {f['median_s']} ({f['p90_s']}) | {a['cpu_ms']} | {f['cpu_ms']} |"
        )
    best = max((a["per_s"] for a in result["crowds"]["app"]), default=0)
    if not large and best < LOADS_PER_S_TARGET:
        misses.append(f"at most {best} page loads a second < {LOADS_PER_S_TARGET}")
    rss = result["rss"]
    rss_goal = "" if not large else (" met" if rss["app_mb"] <= RSS_TARGET_MB else " MISSED")
    if large and rss["app_mb"] > RSS_TARGET_MB:
        misses.append(f"server RSS {rss['app_mb']} MB > {RSS_TARGET_MB} MB")
    lines.append(
        f"\nServer peak RSS (VmHWM) after every page: app {rss['app_mb']} MB{rss_goal}, floor {rss['floor_mb']} MB."
    )
    lines.append(f"Targets missed: {len(misses)}" + (": " + "; ".join(misses) + "." if misses else "."))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bench_all.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds; every target is visited once per round")
    parser.add_argument("--sizes", nargs="*", default=[], help="synthetic sizes after the shipped data, e.g. 100000")
    parser.add_argument("--no-shipped", action="store_true")
    parser.add_argument("--loads", type=int, default=60, help="page loads per crowd measure (at least 2 per visitor)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--timeout-s", type=float, default=90)
    parser.add_argument("--out", type=Path, default=RESULTS / "all.json")
    args = parser.parse_args(argv)
    sizes = ([] if args.no_shipped else ["shipped"]) + list(args.sizes)
    load0 = os.getloadavg()[0]
    results = [run_size(size, args.runs, args.chromium, args.timeout_s, args.loads) for size in sizes]
    lines = [
        f"# bench_all: {args.runs} rounds, medians of warm visits (the first left out), a fresh browser context each",
        f"Load average (1 min) {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end, on {os.cpu_count()} CPUs.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": args.runs, "results": results}, indent=1))  # before the report
    for result in results:
        lines += report(result)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
