"""Browser tests: a real `streamlit run` server on a free loopback port, driven by Playwright in Debian's chromium.

Locally, a missing /usr/bin/chromium skips these tests with the reason; in CI
(CI=true) it is a failure, so the browser tests can never silently not run.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from db.build import build
from tests.conftest import FIXTURE_DATA, ROOT, SHIPPED_DATA

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
VIEWPORT = {"width": 1400, "height": 2200}
SERVER_START_S = 60


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)"
        if in_ci():
            pytest.fail(f"CI=true and {reason}: the browser tests must run in CI")
        pytest.skip(f"browser tests need Debian's chromium: {reason}")
    return CHROMIUM


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str | None:
    """pytest-playwright's base_url, read the same way (--base-url, then the ini value).

    Without pytest-base-url, pytest-playwright 0.10 supplies this fixture as an instance method of a plugin
    object, which pytest 9 deprecates with a PytestRemovedIn10Warning on every browser test run; this one
    takes its place.
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, _chromium):
    return {
        **browser_type_launch_args,
        "executable_path": str(_chromium),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # tall, because the app scrolls inside its own container and screenshots capture only the viewport
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


def _data_dir() -> Path:
    """The shipped data once it has its tables, else the fixture dataset."""
    return SHIPPED_DATA if (SHIPPED_DATA / "releases.csv").exists() else FIXTURE_DATA


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base_url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit was not healthy within {SERVER_START_S} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def app_db(tmp_path_factory, _chromium) -> tuple[str, Path]:
    """URL of a temporary SQLite database built by the real build, and the data folder it came from."""
    data_dir = _data_dir()
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'observatory.db'}"
    build(data_dir, url)
    return url, data_dir


@contextmanager
def streamlit_server(db_url: str, data_dir: Path, log: Path, *flags: str) -> Iterator[str]:
    """Run `streamlit run app.py` (plus any config flags) on a free loopback port; yields its base URL once healthy."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "OBSERVATORY_DATA_DIR": str(data_dir)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        *flags,
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def start_server(app_db, tmp_path_factory):
    """A factory for servers on the test database (for tests that need a fresh one)."""
    url, data_dir = app_db
    return lambda: streamlit_server(url, data_dir, tmp_path_factory.mktemp("e2e-server") / "streamlit.log")


@pytest.fixture(scope="session")
def app_url(start_server) -> Iterator[str]:
    """Base URL of a running `streamlit run app.py` on the test database, shared by the session."""
    with start_server() as base:
        yield base


def watch(page, seen: list[str]) -> None:
    """Record JavaScript errors and browser dialogs (dismissed) on a page."""
    page.on("pageerror", lambda exc: seen.append(f"JavaScript error on {page.url}: {exc}"))

    def on_dialog(dialog):
        seen.append(f"{dialog.type} dialog on {page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


@pytest.fixture
def problems(page) -> list[str]:
    """JavaScript errors and dialogs seen on the test's page; tests assert it stays empty."""
    seen: list[str] = []
    watch(page, seen)
    return seen
