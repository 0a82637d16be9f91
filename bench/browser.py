"""What the browser benchmark needs: servers on free ports, Chromium flags, and in-page timing of Plotly draws.

Timing follows ../shared/TOOLING.md ("Measuring as a user waits"): a first chart counts as drawn when a trace is in
its SVG or a WebGL canvas is in its container; a redraw ends at the last `plotly_afterplot` after the committing
click. Script states are not waited for (a fast rerun can skip "running"); the end of a run is the websocket's
`script_finished` message, read from the frames the page receives.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64decode
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
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
# Installed in every document before Streamlit's own scripts: the last click, each Plotly draw, the first chart.
WATCH = """
window.__bench = {click: -1, draws: [], first: null, table: null};
document.addEventListener('click', () => { window.__bench.click = performance.now(); }, true);
const DRAWN = '.js-plotly-plot .main-svg g.trace, .js-plotly-plot .gl-container canvas';
const TABLE = '[data-testid="stDataFrame"] canvas';  // a drawn st.dataframe: what a page without a chart shows first
const hook = (gd) => {
  if (gd.__benchHooked || typeof gd.on !== 'function') return;
  gd.__benchHooked = true;
  gd.on('plotly_afterplot', () => window.__bench.draws.push(performance.now()));
};
new MutationObserver(() => {
  document.querySelectorAll('.js-plotly-plot').forEach(hook);
  if (window.__bench.first === null && document.querySelector(DRAWN)) window.__bench.first = performance.now();
  if (window.__bench.table === null && document.querySelector(TABLE)) window.__bench.table = performance.now();
}).observe(document, {subtree: true, childList: true});
"""
# The page is idle (nothing running or stale) and no chart has been drawn for QUIET_MS: returns the draws since the
# last click (page clock), or null while it is still busy. `ranLongAgo` (the run finished NO_DRAW_S ago) lets a
# page whose charts did not change settle without a draw.
QUIET_MS = 300
NO_DRAW_S = 3.0
SETTLED = f"""(ranLongAgo) => {{
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') === 'running') return null;
  if (document.querySelector('[data-stale="true"]')) return null;
  const b = window.__bench, now = performance.now();
  const after = b.draws.filter(t => t > b.click);
  if (after.length && now - after[after.length - 1] < {QUIET_MS}) return null;
  if (!after.length && !ranLongAgo) return null;
  return {{click: b.click, draws: after, first: b.first, table: b.table}};
}}"""


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
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("streamlit did not become healthy within 120 s")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's own resident high-water mark (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def level_actions(page):
    """Add openness level 4 in the sidebar filter, and remove it again (each ends with its committing click)."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Openness level")

    def add():
        box.click()
        page.get_by_role("option", name="4 downloadable").click()

    def remove():
        page.keyboard.press("Escape")
        box.get_by_role("button", name="Remove 4 downloadable").click()

    return add, remove


def trace_points(trace: dict) -> int:
    """How many points (or heatmap cells) a Plotly trace of a figure's JSON draws."""
    for key in ("z", "x", "y", "values", "lat"):
        arr = trace.get(key)
        if arr is None:
            continue
        if isinstance(arr, dict):  # a typed array: {"dtype": "f8", "bdata": base64, "shape"?: "rows, cols"}
            if "shape" in arr:
                n = 1
                for d in str(arr["shape"]).split(","):
                    n *= int(d)
                return n
            itemsize = int("".join(ch for ch in arr["dtype"] if ch.isdigit()) or 8)
            return len(b64decode(arr["bdata"])) // itemsize
        if key == "z" and arr and isinstance(arr[0], list):
            return sum(len(row) for row in arr)
        return len(arr)
    return 0


class Wire:
    """What one page receives on its websocket: bytes, finished runs, and each chart sent in full or by reference."""

    def __init__(self, page):
        self.bytes = 0
        self.finished = 0
        self.charts: list[dict] = []  # one entry per plotly_chart element received, in order
        self.refs = 0  # elements sent as a reference to a message the browser already holds
        self._last: dict[tuple, str] = {}
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        raw = payload if isinstance(payload, bytes) else payload.encode("latin1")
        self.bytes += len(raw)
        msg = ForwardMsg()
        try:
            msg.ParseFromString(raw)
        except Exception:  # not a ForwardMsg (never seen; counted in bytes only)
            return
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            self.finished += 1
        elif kind == "ref_hash":
            self.refs += 1
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "plotly_chart":
                spec = element.plotly_chart.spec
                fig = json.loads(spec) if spec else {}
                data = fig.get("data", [])
                path = tuple(msg.metadata.delta_path)
                self.charts.append(
                    {
                        "bytes": len(raw),
                        "data_bytes": len(json.dumps(data, separators=(",", ":"))),
                        "points": sum(trace_points(t) for t in data),
                        "unchanged": self._last.get(path) == spec,
                    }
                )
                self._last[path] = spec


def settle(page, wire: Wire, runs_before: int, timeout_s: float) -> dict:
    """Wait for a run to finish after `runs_before`, then for the page to be idle with its charts quiet."""
    deadline = time.monotonic() + timeout_s
    finished_at = None
    while time.monotonic() < deadline:
        if wire.finished > runs_before:
            finished_at = finished_at or time.monotonic()
            state = page.evaluate(SETTLED, time.monotonic() - finished_at > NO_DRAW_S)
            if state is not None:
                return state
        page.wait_for_timeout(50)  # lets Playwright deliver the websocket events (time.sleep would not)
    raise TimeoutError(f"no finished, settled run within {timeout_s:.0f} s")
