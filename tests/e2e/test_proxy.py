"""The shipped nginx configuration (deploy/nginx/observatory.conf) in front of the app, in a real browser.

Every page is served through it: the security headers arrive, the policy blocks nothing the app needs (no
Content Security Policy report in the console, every chart drawn), another site cannot frame the app, and
nginx refuses a body over the app's upload limit before it reaches Streamlit.
"""

import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, in_ci
from tests.e2e.test_pages import OPENING_QUERY, assert_drawn, settle
from ui.pages import PAGES

CONF = ROOT / "deploy" / "nginx" / "observatory.conf"
HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        reason = "nginx is missing (apt-get install -y --no-install-recommends nginx)"
        if in_ci():
            pytest.fail(f"CI=true and {reason}: the proxy test must run in CI")
        pytest.skip(f"the proxy test needs nginx: {reason}")
    return found


@pytest.fixture(scope="module")
def proxy_url(app_url, tmp_path_factory) -> str:
    """nginx with the shipped server block, its upstream pointed at the test server, on a free port."""
    nginx = _nginx()
    folder = tmp_path_factory.mktemp("nginx")
    app_port = app_url.rsplit(":", 1)[1]
    port = _free_port()
    server_block = CONF.read_text()
    assert "server 127.0.0.1:8501;" in server_block and "listen 8080;" in server_block
    server_block = server_block.replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};")
    server_block = server_block.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    (folder / "observatory.conf").write_text(server_block)
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nevents {{}}\n"
        + f"http {{\naccess_log {folder / 'access.log'};\n{temp}include {folder / 'observatory.conf'};\n}}\n"
    )
    proc = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"nginx did not start: {(folder / 'error.log').read_text()}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_every_page_through_the_proxy_has_the_headers_and_nothing_blocked(page: Page, proxy_url):
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if re.search(r"Content.Security.Policy|Refused", m.text) else None
    )
    page.on("pageerror", lambda exc: blocked.append(f"JavaScript error: {exc}"))
    for spec in PAGES:
        response = page.goto(f"{proxy_url}/{spec.url_path}{OPENING_QUERY.get(spec.url_path, '')}")
        missing = [h for h in HEADERS if h not in response.headers]
        assert not missing, f"/{spec.url_path} arrived without {missing}"
        settle(page)
        assert_drawn(page, spec.url_path)
    assert not blocked, blocked
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_another_site_cannot_frame_the_app(page: Page, proxy_url):
    page.set_content(f'<iframe id="app" src="{proxy_url}/overview" width="800" height="600"></iframe>')
    page.wait_for_timeout(2000)
    framed = page.frame_locator("#app")
    assert framed.get_by_test_id("stApp").count() == 0


def test_nginx_refuses_a_body_over_the_upload_limit(proxy_url):
    request = urllib.request.Request(
        f"{proxy_url}/_stcore/upload_file/any-session/any-file", data=b"x" * (11 * 1_048_576), method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
