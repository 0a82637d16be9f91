"""How tables are shown to people (db/columns.py, ui/tables.py), and that downloads keep the raw rows."""

import pandas as pd
import pytest

from db import columns, spec
from tests.apptest_helpers import headers, open_page
from ui import export, tables


def test_every_column_of_the_contract_has_a_label():
    missing = sorted({c.name for t in spec.TABLES for c in t.cols if c.name not in columns.LABELS})
    derived = sorted({d for t in spec.TABLES for d in t.derived if d not in columns.LABELS})
    assert missing == [] and derived == []
    assert all("_" not in text for text in columns.LABELS.values())


def test_names_come_first_ids_last_and_keys_are_hidden():
    order = columns.display_order(["link_id", "incident_id", "model_id", "date", "date_precision", "model", "reason"])
    assert order == ["model", "date", "reason", "incident_id", "model_id"]


def test_dates_are_written_in_their_precision_and_missing_facts_read_unknown():
    rows = pd.DataFrame(
        {
            "date": ["2019-02-14", "2019-11-01", "2022-01-01"],
            "date_precision": ["day", "month", "year"],
            "licence": ["MIT License", None, None],
            "notes": [None, "n", None],
        }
    )
    shown = tables.for_display(rows)
    assert list(shown["date"]) == ["2019-02-14", "Nov 2019", "2022"]
    assert list(shown["licence"]) == ["MIT License", "unknown", "unknown"]
    assert shown["notes"].isna().sum() == 2  # left to the grid's em dash placeholder
    assert list(rows["date"]) == ["2019-02-14", "2019-11-01", "2022-01-01"]  # the rows passed in are unchanged


def test_url_columns_become_links_that_read_as_their_site():
    config = tables.column_config(["title", "url", "claim_url", "their entry", "openness_mattered"])
    assert config["title"]["label"] == "Title"
    # the header's tooltip is the data dictionary's meaning, where the column means one thing in every table
    assert config["openness_mattered"]["help"].endswith("did the openness of the release plausibly matter?")
    assert config["title"].get("help") is None  # 'its title' or 'short title' depending on the table
    for col in ("url", "claim_url", "their entry"):
        link = config[col]["type_config"]
        assert link["type"] == "link" and link["display_text"] == tables.HOST


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        ("Better models", "https://openai.com/a", "[Better models](https://openai.com/a)"),
        ("A [x](javascript:alert(1))", "https://x.org/", r"[A \[x\]\(javascript\:alert\(1\)\)](https://x.org/)"),
        ("<img src=x onerror=alert(1)>", "https://x.org/", r"[\<img src=x onerror=alert\(1\)\>](https://x.org/)"),
        ("Wiki", "https://en.wikipedia.org/wiki/GPT_(model)", "[Wiki](https://en.wikipedia.org/wiki/GPT_%28model%29)"),
        ("Bad", "javascript:alert(1)", "Bad"),
        (None, "https://x.org/", r"[https\://x\.org/](https://x.org/)"),
    ],
)
def test_a_source_link_keeps_its_title_as_text_and_only_links_http(title, url, expected):
    assert tables.link(title, url) == expected


def test_downloads_keep_the_raw_columns_and_ids_the_table_hides(app_on_fixture, downloads):
    at = open_page("pages/model.py", {"model": "gpt-2"})
    assert not at.exception
    csv = export.read_csv(downloads["model_gpt-2_releases.csv"]())
    assert list(csv["release_id"]) == ["gpt-2-2019-02", "gpt-2-2019-11"]
    assert {"date_precision", "licence_id", "source_ids"} <= set(csv.columns)
    assert list(csv["date"]) == ["2019-02-14", "2019-11-01"]  # ISO, not the 'Nov 2019' the table shows
    components = next(t for t in at.dataframe if "Weights" in headers(t))
    assert list(components.value["date"]) == ["2019-02-14", "Nov 2019"]
