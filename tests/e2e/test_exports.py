"""Quotable downloads in a real browser: the chart as SVG and PNG drawn on the server, with the view's own URL."""

import re

from playwright.sync_api import Page

from db import queries
from db.engine import make_engine
from tests.e2e.test_pages import settle


def _download(page: Page, label: str, index: int = 0) -> bytes:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label).nth(index)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    return info.value.path().read_bytes()


def test_chart_downloads_carry_the_source_line_with_this_views_url(page: Page, app_url, app_db, problems):
    page.goto(f"{app_url}/overview?level=4,5&start=2020")
    settle(page)
    cutoff = queries.build_info(make_engine(app_db[0], readonly=True))["cutoff"]
    svg = _download(page, "Download SVG").decode("utf-8")
    # SVG text is XML-escaped: & in the URL arrives as &amp;
    source = re.search(r"Openness Observatory, data as of ([0-9-]+), (\S+), CC BY 4\.0", svg.replace("&amp;", "&"))
    assert source, "the SVG has no source line"
    assert source[1] == cutoff
    assert source[2] == f"{app_url}/overview?level=4,5&start=2020"
    assert "openness: 4 downloadable, 5 fully open" in svg
    png = _download(page, "Download PNG")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    page.get_by_text("Cite this view").click()  # opening reruns the page, which fills the box
    bibtex = page.get_by_text(re.compile(r"urldate\s+= \{\d{4}-\d\d-\d\d\}"))
    bibtex.wait_for()
    assert bibtex.count() == 1
    assert not problems
