"""Server capacity without browsers: `python bench/throughput.py [--sessions 1 10 50] [--loads 100]`.

Each simulated visitor opens Streamlit's websocket (/_stcore/stream), sends the `rerun_script` message a browser
sends on its first load (captured from headless Chromium: a page name and the context info, no widget state) and
reads until `script_finished`, then closes, as a new reader following a shared link would. The server's CPU is
read from /proc/PID/stat around each measure. Used by bench/bench_all.py; runnable on its own against the shipped
data and the floor app.
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.browser import cpu_seconds  # noqa: E402

TIMEOUT_S = 120


def rerun_message(port: int, page: str) -> bytes:
    """The BackMsg a browser sends to run a page on its first load."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    info = msg.rerun_script.context_info
    info.timezone, info.locale, info.color_scheme = "UTC", "en-US", "light"
    info.url = f"http://127.0.0.1:{port}/{page}"
    return msg.SerializeToString()


async def load(port: int, page: str) -> tuple[float, int]:
    """One visitor's page load: seconds to the finished run and websocket bytes received."""
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    t0 = time.perf_counter()
    received = 0
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT_S) as ws:
        await ws.send(rerun_message(port, page))
        while True:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT_S)
            received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "script_finished":
                return time.perf_counter() - t0, received


async def _per_page(port: int, page: str, runs: int) -> list[tuple[float, int]]:
    return [await load(port, page) for _ in range(runs)]


def per_page(port: int, pid: int, page: str, runs: int = 10) -> dict:
    """One page loaded `runs` times in a row after one untimed load: median seconds, CPU ms per load, KB."""
    asyncio.run(_per_page(port, page, 1))
    cpu0 = cpu_seconds(pid)
    samples = asyncio.run(_per_page(port, page, runs))
    cpu = cpu_seconds(pid) - cpu0
    return {
        "run_ms": round(statistics.median(s for s, _ in samples) * 1000),
        "cpu_ms": round(cpu / runs * 1000),
        "kb": round(statistics.median(b for _, b in samples) / 1024, 1),
    }


async def _crowd(port: int, pages: list[str], sessions: int, loads: int) -> tuple[list[float], float]:
    queue = [pages[i % len(pages)] for i in range(loads)]
    times: list[float] = []

    async def visitor() -> None:
        while queue:
            seconds, _ = await load(port, queue.pop())
            times.append(seconds)

    t0 = time.perf_counter()
    await asyncio.gather(*(visitor() for _ in range(sessions)))
    return times, time.perf_counter() - t0


def crowd(port: int, pid: int, pages: list[str], sessions: int, loads: int) -> dict:
    """`sessions` visitors at once sharing `loads` page loads over `pages`: loads a second, waits, CPU per load."""
    cpu0 = cpu_seconds(pid)
    times, wall = asyncio.run(_crowd(port, pages, sessions, loads))
    cpu = cpu_seconds(pid) - cpu0
    times.sort()
    return {
        "sessions": sessions,
        "loads": loads,
        "per_s": round(loads / wall, 1),
        "median_s": round(statistics.median(times), 2),
        "p90_s": round(times[int(0.9 * (len(times) - 1))], 2),
        "cpu_ms": round(cpu / loads * 1000),
    }


def main(argv: list[str] | None = None) -> int:
    import os

    from bench.browser import free_port, start_server
    from ui.pages import PAGES

    parser = argparse.ArgumentParser(prog="python bench/throughput.py", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[1, 10, 50])
    parser.add_argument("--loads", type=int, default=100, help="page loads shared by the visitors, per measure")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OBSERVATORY_DATA_DIR")}
    ports = {"floor": free_port(), "app": free_port()}
    servers = {"floor": start_server(ports["floor"], env, "bench/floor_app.py"), "app": start_server(ports["app"], env)}
    pages = {"floor": [""], "app": ["" if i == 0 else p.url_path for i, p in enumerate(PAGES)]}
    try:
        print("| server | sessions | loads/s | median s (p90) | CPU ms/load |\n|---|---|---|---|---|")
        for name in ("floor", "app"):
            for page in pages[name]:  # every page once first, so the crowd meets warm caches
                asyncio.run(_per_page(ports[name], page, 1))
            for n in args.sessions:
                c = crowd(ports[name], servers[name].pid, pages[name], n, max(args.loads, 2 * n))
                print(f"| {name} | {n} | {c['per_s']} | {c['median_s']} ({c['p90_s']}) | {c['cpu_ms']} |")
    finally:
        for proc in servers.values():
            proc.terminate()
            proc.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
