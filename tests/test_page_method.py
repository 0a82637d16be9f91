"""The Data and method page through app.py on the fixture database, and the docs module it renders."""

import json

import pandas as pd
import pytest

from db import docs, queries, spec, vocab
from db.queries import analysis
from tests.apptest_helpers import figure, open_page, texts, values
from ui import export

FIXTURE_COUNTS = {"licences": 4, "models": 4, "releases": 6, "incidents": 4, "incident_links": 3, "sources": 4}


@pytest.fixture
def page(app_on_fixture):
    """Open pages/method.py through app.py with these query parameters."""
    return lambda params=None: open_page("pages/method.py", params)


def _row_counts(at) -> dict[str, int]:
    return next(d.value for d in at.dataframe if list(d.value.columns) == ["table", "rows"]).set_index("table")["rows"]


def _dictionary(at) -> pd.DataFrame:
    """The data dictionary as shown: the Markdown table under the table picker, read back into rows."""
    table = next(m.value for m in at.markdown if m.value.startswith("| column | kind |"))
    lines = [line.strip("|").split(" | ") for line in table.splitlines()]
    return pd.DataFrame([[c.strip() for c in cells] for cells in lines[2:]], columns=[c.strip() for c in lines[0]])


def test_default_view_shows_build_counts_dictionary_and_citation(page):
    at = page()
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Scales and rubric",
        "Sources and coverage",
        "Data dictionary",
        "Colours",
        "Cite",
    ]
    assert at.session_state["section"] == "Scales and rubric"
    built = at.metric[1].value
    assert built[:4].isdigit()
    severity = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    assert list(severity["name"]) == [vocab.SEVERITY[k] for k in (3, 2, 1, 0)]
    # only the open section is run: the others send nothing until a reader opens them
    assert not at.code and not [m for m in at.markdown if m.value.startswith("| column | kind |")]
    assert not [d for d in at.dataframe if list(d.value.columns) == ["table", "rows"]]

    at = page({"section": "Sources and coverage"})
    assert any("attention, not the true rate of harm" in w.value for w in at.warning)
    at = page({"section": "Data dictionary"})
    counts = _row_counts(at).to_dict()
    assert {k: counts[k] for k in FIXTURE_COUNTS} == FIXTURE_COUNTS
    dictionary = _dictionary(at)
    assert list(dictionary["column"][: len(spec.MODELS.cols)]) == [f"`{c}`" for c in spec.MODELS.columns]
    assert any("4 rows of models shown of 4" in c.value for c in at.caption)
    at = page({"section": "Cite"})
    bib = at.code[0].value
    assert bib.startswith("@misc{openness_observatory_") and f"Database built {built[:10]}" in bib


def test_deep_link_opens_one_table_for_download(page):
    at = page({"table": "incident_links", "itype": "policy"})
    assert not at.exception
    assert not at.info
    assert at.selectbox(key="url_table").value == "incident_links"
    assert at.session_state["section"] == "Data dictionary"  # a link to a table opens its dictionary
    dictionary = _dictionary(at)
    assert "`pathway`" in set(dictionary["column"])
    preview = next(d.value for d in at.dataframe if "pathway" in d.value.columns and "reason" in d.value.columns)
    assert len(preview) == 3
    assert at.query_params["table"] == "incident_links"


def test_downloads_hold_the_whole_table_whatever_the_sidebar_filters(page):
    at = page({"table": "releases"})
    at.multiselect(key="f_families").set_value(["permissive"]).run()
    assert not at.exception
    assert at.query_params["family"] == "permissive"
    assert any("6 rows of releases shown of 6. Filters: none (all records)" in c for c in texts(at, "caption"))
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Download CSV", "Download JSON"} <= set(labels)


def test_preview_reads_a_limited_query_and_the_download_reads_the_whole_table_on_click(
    page, fixture_engine, monkeypatch, downloads
):
    registered = downloads
    monkeypatch.setattr(analysis, "table", lambda *a, **k: pytest.fail("the whole table was read on a rerun"))
    at = page({"table": "releases", "level": "4"})
    assert not at.exception
    assert "The first 6 rows are previewed; the downloads hold the whole table." in texts(at, "caption")
    monkeypatch.undo()
    whole = export.read_csv(registered["observatory_releases.csv"]())
    assert len(whole) == FIXTURE_COUNTS["releases"] and set(whole["openness_level"]) == {1, 3, 4}
    records = pd.DataFrame(json.loads(registered["observatory_releases.json"]())["rows"])
    assert sorted(records["release_id"]) == sorted(whole["release_id"])


def test_table_rows_limit_returns_the_first_rows_of_the_whole_table(fixture_engine):
    whole = queries.table_rows(fixture_engine, table_name="releases")
    first = queries.table_rows(fixture_engine, table_name="releases", limit=2)
    pd.testing.assert_frame_equal(first, whole.head(2))
    with pytest.raises(ValueError):
        queries.table_rows(fixture_engine, table_name="sqlite_master", limit=2)


def test_invalid_table_param_gives_a_visible_note(page):
    at = page({"table": "passwords"})
    assert not at.exception
    assert any("Ignored table=passwords" in i for i in texts(at, "info"))
    assert at.selectbox(key="url_table").value == "models"


def test_data_dictionary_covers_every_column_of_the_contract():
    d = docs.data_dictionary()
    for table in spec.TABLES:
        listed = list(d.loc[d["table"] == table.name, "column"])
        assert listed == [*table.columns, *table.derived]
    assert not d["meaning"].str.startswith("(not documented").any()
    levels = d[(d["table"] == "releases") & (d["column"] == "openness_level")].iloc[0]
    assert "4 downloadable" in levels["allowed values"]


def test_docs_parse_the_readme_sections_the_page_shows():
    for heading in ("How the scales are applied", "Known limits", "Provenance", "introduction"):
        assert docs.section(heading)
    assert len(docs.severity_rubric()) == len(vocab.SEVERITY)
    events = docs.event_types()
    assert list(events["event_type"]) == list(vocab.EVENT_TYPES)
    assert not (events["meaning"] == "(not documented)").any()


def test_column_meanings_read_multi_column_rows():
    text = "# t\n\n## things.csv\n| column | meaning |\n|---|---|\n| date, date_precision | when |\n| x | an x |\n"
    assert docs.column_meanings(text) == {
        ("things", "date"): "when",
        ("things", "date_precision"): "when",
        ("things", "x"): "an x",
    }


def test_bibtex_uses_the_build_date():
    bib = docs.bibtex({"built_at": "2026-03-04T05:06:07+00:00", "data_hash": "abcdef0123456789"})
    assert "year         = {2026}" in bib and "built 2026-03-04" in bib and "abcdef012345}" in bib


def test_shipped_data_renders(app_on_shipped):
    at = open_page("pages/method.py", {"table": "licences"})
    assert not at.exception
    assert not at.info
    counts = _row_counts(at)
    assert counts["licences"] > 4 and counts["models"] > 4


def test_precision_chart_counts_every_dated_record(page):
    at = page({"section": "Sources and coverage"})
    assert not at.exception
    fig = figure(at, 1)
    assert fig["layout"]["title"]["text"] == "How precisely each record is dated"
    assert sum(sum(values(t["y"])) for t in fig["data"]) == 10
    assert any("10 dated records shown of 10" in c for c in texts(at, "caption"))


def test_coverage_counts_models_by_first_public_release_and_events_by_year(fixture_db):
    from db.engine import make_engine

    rows = queries.coverage_by_year_level(make_engine(fixture_db, readonly=True))
    got = {(r.unit, r.year, r.openness_level): r.records for r in rows.itertuples()}
    assert got == {
        # GPT-2's first public release is the staged one of Feb 2019, not its full release of Nov 2019
        ("models", 2019, 1): 1,
        ("models", 2020, 3): 1,
        ("models", 2022, 4): 1,
        ("models", 2023, 4): 1,
        ("release events", 2019, 1): 1,
        ("release events", 2019, 4): 1,
        ("release events", 2020, 3): 1,
        ("release events", 2022, 4): 1,
        ("release events", 2023, 4): 2,
    }


def test_models_count_under_each_of_their_inclusion_clauses(fixture_db):
    from db.engine import make_engine

    rows = queries.models_by_clause_year(make_engine(fixture_db, readonly=True))
    assert rows["models"].sum() == 4
    assert set(rows["clause"]) <= set(vocab.INCLUSION_CLAUSES)


def test_page_shows_the_cutoff_and_the_coverage_chart(page):
    at = page({"section": "Sources and coverage"})
    assert not at.exception
    assert at.metric[0].label == "Data as of" and at.metric[0].value == "2026-11-30"
    fig = next(
        f
        for f in (figure(at, i) for i in range(len(at.get("plotly_chart"))))
        if "census" in f["layout"]["title"]["text"]
    )
    assert "data as of 2026-11-30" in fig["layout"]["title"]["text"]
    totals = [t for t in fig["data"] if t.get("mode") == "text"]
    assert [list(t["text"]) for t in totals] == [["1", "1", "1", "1"], ["2", "1", "1", "2"]]
    assert any("The dataset is a census under a declared rule" in m.value for m in at.markdown)


def test_the_dictionary_renders_the_readmes_markdown_and_no_table_shows_raw_backticks(page):
    at = page({"table": "releases"})
    assert not at.exception
    dictionary = _dictionary(at)
    event_type = dictionary.set_index("column").loc["`event_type`", "meaning"]
    assert "`leak` (unauthorised publication of weights)" in event_type  # a code span, rendered as code
    for shown in at.dataframe:
        cells = shown.value.astype(str)
        assert not cells.apply(lambda col: col.str.contains("`")).any().any(), shown.value.columns


def test_sections_open_from_the_url_and_an_unknown_section_is_named(page):
    at = page({"section": "Cite"})
    assert not at.exception
    assert at.session_state["section"] == "Cite"
    assert at.code[0].value.startswith("@misc{")
    at = page({"section": "secrets"})
    assert not at.exception
    assert at.session_state["section"] == "Scales and rubric"
    assert any("Ignored section=secrets" in i for i in texts(at, "info"))
