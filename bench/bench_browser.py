"""Browser benchmark: `python bench/bench_browser.py [--runs 5]`.

Starts `streamlit run app.py` on a free loopback port with the shipped data
and, in headless Debian Chromium driven by Playwright, measures per page the
time from navigation to a drawn chart and from a sidebar filter change
(openness level 4 added, then removed) to the redrawn chart. Prints medians and
writes bench/results/browser.json. Needs /usr/bin/chromium (see
../shared/TOOLING.md) or --chromium PATH.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
CHART = '[data-testid="stPlotlyChart"] .main-svg'
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The app is idle: the script has finished, nothing is stale, and a chart is drawn.
IDLE_WITH_CHART = f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__ran && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]') && !!document.querySelector('{CHART}');
}}"""
# Installed in every document: window.__ran turns true once the script has been seen running.
WATCH_RUNS = """
window.__ran = false;
window.__changed = performance.now();
new MutationObserver((records) => {
  window.__changed = performance.now();
  for (const r of records) {
    if (r.oldValue === 'running' || r.target.getAttribute('data-test-script-state') === 'running') window.__ran = true;
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
# A chart is drawn, or the script has run and nothing has changed for a while (a page without a chart).
CHART_OR_SETTLED = f"""() => {{
  if (document.querySelector('{CHART}')) return true;
  if (document.querySelector('[data-testid="stPlotlyChart"]')) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__ran && app && app.getAttribute('data-test-script-state') === 'notRunning'
    && performance.now() - window.__changed > 4000;
}}"""
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict, script: str = "app.py") -> subprocess.Popen:
    """`streamlit run SCRIPT` on 127.0.0.1:port; returns once /_stcore/health answers."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def time_navigation(page, url: str, timeout_ms: int) -> float | None:
    """Seconds from navigation to a drawn chart, or None when the page, once run, shows no chart."""
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(CHART_OR_SETTLED, timeout=timeout_ms)
    if page.locator(CHART).count() == 0:
        return None
    page.evaluate(TWO_FRAMES)
    return time.perf_counter() - t0


def time_filter_change(page, action, timeout_ms: int) -> float:
    """Seconds from a sidebar change to the app idle again with its chart redrawn."""
    page.evaluate("() => { window.__ran = false; }")
    t0 = time.perf_counter()
    action()
    page.wait_for_function(IDLE_WITH_CHART, timeout=timeout_ms)
    page.evaluate(TWO_FRAMES)
    return time.perf_counter() - t0


def level_actions(page):
    """Add openness level 4 in the sidebar filter, and remove it again."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Openness level")

    def add():
        box.click()
        page.get_by_role("option", name="4 downloadable").click()
        page.keyboard.press("Escape")

    def remove():
        box.get_by_role("button", name="Remove 4 downloadable").click()

    return add, remove


def median_ms(values: list[float]) -> float | None:
    return round(statistics.median(values) * 1000) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/bench_browser.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="navigations and filter changes per page")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=RESULTS / "browser.json")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from ui.pages import PAGES

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OBSERVATORY_DATA_DIR")}
    server = start_server(port, env)
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(WATCH_RUNS)
            page = context.new_page()
            page.set_default_timeout(60_000)
            for i, spec in enumerate(PAGES):
                # the default page, measured at the root where readers land
                url = f"http://127.0.0.1:{port}/{'' if i == 0 else spec.url_path}"
                print(f"{spec.url_path}...", file=sys.stderr, flush=True)
                first = time_navigation(page, url, 30_000)
                loads = [first] if first is not None else []
                changes: list[float] = []
                if first is not None:
                    for _ in range(args.runs - 1):
                        loads.append(time_navigation(page, url, 30_000))
                    add, remove = level_actions(page)
                    for _ in range(args.runs):
                        changes.append(time_filter_change(page, add, 30_000))
                        changes.append(time_filter_change(page, remove, 30_000))
                results.append(
                    {
                        "page": spec.url_path,
                        "first_load_ms": round(first * 1000) if first is not None else None,
                        "load_ms": median_ms(loads[1:] or loads),
                        "filter_change_ms": median_ms(changes),
                        "samples": {"loads": len(loads), "changes": len(changes)},
                    }
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"Load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"Browser: {args.chromium}, shipped data, {args.runs} runs per page (medians; first load includes cold caches)"
    )
    head = f"{'page':<10} {'first load ms':>14} {'load ms':>9} {'filter->chart ms':>17}"
    print(head)
    print("-" * len(head))
    for r in results:
        if r["load_ms"] is None:
            print(f"{r['page']:<10} {'no chart':>14}")
            continue
        print(f"{r['page']:<10} {r['first_load_ms']:>14} {r['load_ms']:>9} {r['filter_change_ms']:>17}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": args.runs, "pages": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
