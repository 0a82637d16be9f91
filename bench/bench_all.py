"""What users wait for, against the floor of the stack: `python bench/bench_all.py [--runs 5] [--sizes 100000]`.

Starts the app and bench/floor_app.py (a bare Streamlit page drawing one Plotly chart, same Streamlit
version and config) on free loopback ports, then in headless Debian Chromium, interleaved run by run
and with a fresh browser context for every navigation, measures for every page and for the floor:

- navigation to the first drawn chart;
- a filter change (openness level 4 added, then removed) from the committing click to the redrawn chart;
- server CPU per page load and per change (utime + stime of the server process, from /proc);
- websocket bytes the browser received per load and per change;
- the server's peak resident memory (VmHWM) after every page has been opened.

Each figure is printed as a median and as a ratio to the floor measured in the same run, with the
targets of issue 13 marked met or missed. Results go to bench/results/all.json. Needs /usr/bin/chromium.
The machine should be quiet: the load average is printed with the table.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_browser import (  # noqa: E402
    CHART,
    IDLE_WITH_CHART,
    LAUNCH_ARGS,
    TWO_FRAMES,
    WATCH_RUNS,
    free_port,
    level_actions,
    start_server,
)

RESULTS = ROOT / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")
# Targets of issue 13, as ratios to the floor (None: an absolute target, checked separately).
TARGETS = {"shipped": {"nav": 1.2, "change": 1.5, "cpu": 1.5}, "large": {"nav": 1.2, "change": 2.0, "cpu": 1.5}}
RSS_TARGET_MB = 300


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Meter:
    """Websocket bytes received by one page, counted from frames as they arrive."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload):
        self.bytes += len(payload)


def settle(page, timeout_ms: int) -> None:
    page.wait_for_function(IDLE_WITH_CHART, timeout=timeout_ms)
    page.evaluate(TWO_FRAMES)


def measure(browser, url: str, pid: int, timeout_ms: int, changes: bool) -> dict:
    """One fresh visitor: navigate, wait for the chart, then (optionally) add and remove a level filter."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(WATCH_RUNS)
    page = context.new_page()
    meter = Meter(page)
    out: dict = {}
    try:
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        page.goto(url)
        page.locator(CHART).first.wait_for(timeout=timeout_ms)
        page.evaluate(TWO_FRAMES)
        out["nav_s"] = time.perf_counter() - t0
        settle(page, timeout_ms)
        time.sleep(0.3)  # let the run's last messages and the server's bookkeeping finish
        out["load_cpu_s"], out["load_bytes"] = cpu_seconds(pid) - cpu0, meter.bytes
        if changes:
            out["change_s"], out["change_cpu_s"], out["change_bytes"] = [], [], []
            for action in level_actions(page):
                before, cpu0 = meter.bytes, cpu_seconds(pid)
                page.evaluate("() => { window.__ran = false; }")
                t0 = time.perf_counter()
                action()
                settle(page, timeout_ms)
                out["change_s"].append(time.perf_counter() - t0)
                time.sleep(0.3)
                out["change_cpu_s"].append(cpu_seconds(pid) - cpu0)
                out["change_bytes"].append(meter.bytes - before)
    finally:
        context.close()
    return out


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(samples: list[dict]) -> dict:
    """Medians over runs, leaving out the first (cold caches), unless it is the only one."""
    warm = samples[1:] or samples

    def pick(key):
        vals = []
        for s in warm:
            v = s.get(key)
            vals += v if isinstance(v, list) else ([] if v is None else [v])
        return median(vals)

    return {
        "first_nav_ms": round(samples[0]["nav_s"] * 1000) if samples else None,
        "nav_ms": round(pick("nav_s") * 1000),
        "change_ms": round(pick("change_s") * 1000) if pick("change_s") is not None else None,
        "load_cpu_ms": round(pick("load_cpu_s") * 1000),
        "change_cpu_ms": round(pick("change_cpu_s") * 1000) if pick("change_cpu_s") is not None else None,
        "load_kb": round(pick("load_bytes") / 1024, 1),
        "change_kb": round(pick("change_bytes") / 1024, 1) if pick("change_bytes") is not None else None,
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


def run_size(size: str, runs: int, chromium: str, timeout_ms: int) -> dict:
    from playwright.sync_api import sync_playwright

    from ui.pages import PAGES

    env, kind = data_env(size)
    app_port, floor_port = free_port(), free_port()
    app = start_server(app_port, env)
    floor = start_server(floor_port, env, "bench/floor_app.py")
    targets = [("floor", f"http://127.0.0.1:{floor_port}/", floor.pid)]
    targets += [
        (spec.url_path, f"http://127.0.0.1:{app_port}/{'' if i == 0 else spec.url_path}", app.pid)
        for i, spec in enumerate(PAGES)
    ]
    samples: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
            for r in range(runs):
                for name, url, pid in targets:  # interleaved: every target once per round
                    print(f"{size} run {r + 1}/{runs}: {name}", file=sys.stderr, flush=True)
                    try:
                        samples[name].append(measure(browser, url, pid, timeout_ms, changes=True))
                    except Exception as exc:  # a page that times out is reported, not fatal
                        print(f"  {name}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
            browser.close()
        rss = {"app_mb": round(peak_rss_mb(app.pid)), "floor_mb": round(peak_rss_mb(floor.pid))}
    finally:
        for proc in (app, floor):
            proc.terminate()
            proc.wait(timeout=15)
    table = {name: summarise(s) for name, s in samples.items() if s}
    return {"size": size, "kind": kind, "pages": table, "rss": rss}


def ratio(value, floor) -> float | None:
    return round(value / floor, 2) if value is not None and floor else None


def report(result: dict) -> list[str]:
    """The table for one size: medians, ratios to the floor and met/missed per target."""
    pages, goals = result["pages"], TARGETS[result["kind"]]
    floor = pages.get("floor", {})
    lines = [
        f"\n## {result['size']} ({'shipped data' if result['kind'] == 'shipped' else 'synthetic release events'})",
        "",
        "| page | nav ms | x floor | change ms | x floor | CPU/load ms | x floor | CPU/change ms | KB/load | KB/change |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for name, p in pages.items():
        cells = []
        for key, goal in (("nav_ms", "nav"), ("change_ms", "change"), ("load_cpu_ms", "cpu")):
            x = ratio(p[key], floor.get(key)) if name != "floor" else None
            mark = "" if x is None else (" met" if x <= goals[goal] else " MISSED")
            if mark == " MISSED":
                misses.append(f"{name} {goal} {x}x > {goals[goal]}x")
            cells += [str(p[key]), f"{x}{mark}" if x is not None else "-"]
        lines.append(
            f"| {name} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} | {cells[5]} "
            f"| {p['change_cpu_ms']} | {p['load_kb']} | {p['change_kb']} |"
        )
    rss = result["rss"]
    rss_goal = "" if result["kind"] == "shipped" else (" met" if rss["app_mb"] <= RSS_TARGET_MB else " MISSED")
    lines.append(f"\nServer peak RSS (VmHWM): app {rss['app_mb']} MB{rss_goal}, floor {rss['floor_mb']} MB.")
    lines.append(f"Targets missed: {len(misses)}" + (": " + "; ".join(misses) if misses else "."))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bench_all.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds; every target is visited once per round")
    parser.add_argument("--sizes", nargs="*", default=[], help="synthetic sizes after the shipped data, e.g. 100000")
    parser.add_argument("--no-shipped", action="store_true")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--timeout-ms", type=int, default=60_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "all.json")
    args = parser.parse_args(argv)
    sizes = ([] if args.no_shipped else ["shipped"]) + list(args.sizes)
    load0 = os.getloadavg()[0]
    results = [run_size(size, args.runs, args.chromium, args.timeout_ms) for size in sizes]
    lines = [
        f"# bench_all: {args.runs} rounds, medians of warm runs (first visit left out), fresh browser context each",
        f"Load average (1 min) {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end, on {os.cpu_count()} CPUs.",
    ]
    for result in results:
        lines += report(result)
    print("\n".join(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": args.runs, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
