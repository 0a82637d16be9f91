"""Quotable downloads: provenance lines in CSV, a JSON envelope, pictures with a source line, a citation per view."""

import datetime as dt
import json

import plotly.graph_objects as go

from db import queries
from tests.apptest_helpers import open_page
from ui import export

PAGE = "pages/overview.py"


def _fixture_version(engine) -> tuple[str, str]:
    info = queries.build_info(engine)
    return info["data_hash"][:12], info["cutoff"]


def test_csv_and_json_downloads_say_what_they_hold_and_where_they_came_from(app_on_fixture, fixture_engine, downloads):
    at = open_page(PAGE, {"level": "4"})
    assert not at.exception
    version, cutoff = _fixture_version(fixture_engine)
    raw = downloads["overview_releases.csv"]()
    lines = raw.decode("utf-8").split("\r\n")
    head = [line for line in lines if line.startswith("# ")]
    assert lines[: len(head)] == head and f"{len(head)} lines starting with '# '" in head[0]
    text = "\n".join(head)
    assert "view: /?level=4" in text or "view: /overview?level=4" in text
    assert "openness: 4 downloadable" in text
    assert f"data version: {version}; data as of {cutoff}" in text
    assert "CC BY 4.0" in text
    rows = export.read_csv(raw)
    expected = queries.release_cohorts(fixture_engine, openness_levels=[4])
    assert len(rows) == len(expected) and f"rows: {len(expected)} " in text

    envelope = json.loads(downloads["overview_releases.json"]())
    assert envelope["about"]["data_version"] == version and envelope["about"]["data_as_of"] == cutoff
    assert envelope["about"]["licence"] == "CC BY 4.0" and "accessed" in envelope["about"]["citation"]
    assert len(envelope["rows"]) == len(expected)


def test_chart_pictures_carry_title_filters_n_and_the_source_line(app_on_fixture, fixture_engine, downloads):
    at = open_page(PAGE, {"level": "4"})
    assert not at.exception
    version, cutoff = _fixture_version(fixture_engine)
    svg = downloads["overview_releases.svg"]().decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    assert f"Openness Observatory, data as of {cutoff}, " in svg and "CC BY 4.0" in svg
    assert "openness: 4 downloadable" in svg and "n: " in svg
    png = downloads["overview_releases.png"]()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_each_view_offers_a_citation_with_its_url_access_date_and_data_version(app_on_fixture, fixture_engine):
    at = open_page("pages/licences.py", {"view": "families"})
    assert not at.exception
    version, cutoff = _fixture_version(fixture_engine)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert "Cite this view" in [e.label for e in at.expander]
    # closed, the box holds nothing: no citation built and no code block (the browser's highlighter) on a visit
    assert not [t for t in at.text if "accessed" in t.value] and not [c for c in at.code if "@misc" in c.value]
    at.session_state["cite_view"] = True  # what the expander's own state is once a reader opens it
    at.run()
    plain = next(t.value for t in at.text if "accessed" in t.value)
    assert "view=families" in plain and f"(accessed {today})" in plain and version in plain and cutoff in plain
    bib = next(c.value for c in at.code if c.value.startswith("@misc"))
    assert "url          = {" in bib and f"urldate      = {{{today}}}" in bib and version in bib


def test_hostile_text_in_a_picture_stays_text():
    about = export.About(
        title="<b>t</b>",
        url="/x?q=<script>",
        filters="Filters: <a href='javascript:x'>a</a>",
        rows="1 row",
        data_version="abc",
        data_as_of="2026-01-01",
        accessed="2026-01-02",
    )
    fig = export.quotable(go.Figure(go.Scatter(x=[1], y=[1])), about)
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "<a " not in texts and "<script>" not in texts and "&lt;script&gt;" in texts
    assert "\\_" not in export.About("a_b", "u", "f", "r", "v", "d", "2026-01-02").bibtex().split("title")[0]
    assert "a\\_b" in export.About("a_b", "u", "f", "r", "v", "d", "2026-01-02").bibtex()
