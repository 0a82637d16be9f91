"""AppTest tests of the incidents page on the fixture database (4 incidents, one with two dated steps)."""

import json

import pandas as pd
import pytest

import charts.incidents
from tests.apptest_helpers import cells, facts, figure, headers, open_page, source_links, texts, values
from tests.conftest import FIXTURE_DATA

PAGE = "pages/incidents.py"
SOURCE_URLS = set(pd.read_csv(FIXTURE_DATA / "sources.csv")["url"])


def plotted(at) -> dict[str, str]:
    """incident id -> type lane of every point in the incident timeline."""
    out = {}
    for trace in figure(at)["data"]:
        if "customdata" not in trace:
            continue  # legend-only entries
        for custom, lane in zip(trace["customdata"], values(trace["y"]), strict=True):
            out[custom[0]] = lane
    return out


def test_default_view_lists_and_charts_every_incident_with_the_caveat(app_on_fixture):
    at = open_page(PAGE)
    assert not at.exception
    assert [t.value for t in at.title] == ["Incidents"]
    assert any("reflect media and legal attention, not the true rate of harm" in i for i in texts(at, "info"))
    assert plotted(at) == {
        "gpt-2-withholding": "safety",
        "andersen-v-stability": "copyright",
        "llama-weights-leak": "leak",
        "eu-ai-act-in-force": "policy",
    }
    legend = [t["name"] for t in figure(at)["data"] if t.get("legendgroup") == "statuses"]
    assert legend == ["confirmed", "resolved", "pending", "in-force"]
    assert len(at.dataframe[0].value) == 4
    assert any(c.startswith("4 incidents and policy events shown of 4.") for c in texts(at, "caption"))
    assert any(c.startswith("Of these, 3 are incidents and 1 policy events") for c in texts(at, "caption"))
    # severity beside the outcome, and what severity measures for a lawsuit
    assert headers(at.dataframe[0]) == [
        "Date",
        "Title",
        "Type",
        "Severity",
        "Status (outcome so far)",
        "Jurisdiction",
        "Models",
        "A source",
        "Incident id",
    ]
    link = json.loads(at.dataframe[0].proto.columns)["source"]["type_config"]
    assert link["type"] == "link" and set(at.dataframe[0].value["source"]) <= SOURCE_URLS
    assert any("For a lawsuit it rates the harm alleged, not the outcome" in c for c in texts(at, "caption"))
    # the newest incident is opened by default
    assert at.selectbox(key="url_item").value == "eu-ai-act-in-force"
    assert "No model is linked to this incident." in texts(at, "text")
    at.selectbox(key="url_item").set_value("llama-weights-leak").run()
    assert "LLaMA weights leak" in texts(at, "text")
    assert at.query_params["item"] == "llama-weights-leak"


def test_deep_link_opens_search_status_and_item_with_links_steps_and_court(app_on_fixture):
    at = open_page(PAGE, {"q": "artists", "status": "pending", "item": "andersen-v-stability", "itype": "copyright"})
    assert not at.exception
    assert at.text_input(key="url_q").value == "artists"
    assert at.selectbox(key="url_status").value == "pending"
    assert at.multiselect(key="f_itypes").value == ["copyright"]
    assert plotted(at) == {"andersen-v-stability": "copyright"}
    assert "Andersen v. Stability AI" in texts(at, "text")
    shown = facts(at.dataframe[1])
    assert shown["Court"] == "N.D. Cal." and shown["Docket"] == "3:23-cv-00201"
    assert shown["Severity"] == "2 harm (harm alleged, not the outcome)"
    assert shown["Outcome (status)"] == shown["Status"]
    assert list(shown)[-1] == "Incident id"  # names and facts first, the id last
    links = at.dataframe[2].value
    assert headers(at.dataframe[2]) == [
        "Model",
        "How the model is involved",
        "Openness mattered",
        "Why",
        "Model id",
        "Release event id",
    ]
    assert "—" in cells(at.dataframe[2])  # the link names no release event: a dash, not None
    assert list(links["model"]) == ["Stable Diffusion 1"]
    assert list(links["pathway"]) == ["training-data"] and list(links["openness_mattered"]) == ["disputed"]
    assert list(links["reason"]) == ["The claims concern training data, not the release."]
    steps = at.dataframe[3].value
    assert list(zip(steps["date"], steps["status"], strict=True)) == [
        ("2023-01-13", "filed"),
        ("2023-10-30", "dismissed-in-part"),
    ]
    # the source as a link with its title as text, not a URL in a grid
    assert source_links(at) == [
        ("Stable Diffusion public release", "https://stability.ai/news/stable-diffusion-public-release")
    ]
    assert len(at.dataframe) == 4
    assert at.query_params["q"] == "artists" and at.query_params["status"] == "pending"


def test_changing_filters_search_and_status_changes_the_chart(app_on_fixture):
    at = open_page(PAGE)
    at.multiselect(key="f_itypes").set_value(["copyright", "leak"]).run()
    assert not at.exception
    assert set(plotted(at)) == {"andersen-v-stability", "llama-weights-leak"}
    at.text_input(key="url_q").set_value("weights").run()
    assert set(plotted(at)) == {"llama-weights-leak"}
    assert at.query_params["q"] == "weights"
    at.text_input(key="url_q").set_value("").run()
    at.selectbox(key="url_status").set_value("pending").run()
    assert set(plotted(at)) == {"andersen-v-stability"}
    assert at.selectbox(key="url_item").value == "andersen-v-stability"
    at.selectbox(key="url_status").set_value("ruled").run()
    assert not at.exception
    assert "No incident matches the search and filters." in texts(at, "caption")


def test_model_filter_drops_incidents_without_a_matching_model(app_on_fixture):
    at = open_page(PAGE, {"org": "stability-ai"})
    assert set(plotted(at)) == {"andersen-v-stability"}


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"status": "exploded"}, "Ignored status=exploded"),
        ({"item": "no-such-incident"}, "Ignored item=no-such-incident"),
        ({"bogus": "1"}, "Ignored unknown URL parameter 'bogus'"),
    ],
)
def test_invalid_page_params_give_a_visible_note(app_on_fixture, params, note):
    at = open_page(PAGE, params)
    assert not at.exception
    assert any(i.startswith(note) for i in texts(at, "info"))
    assert len(plotted(at)) == 4


def test_many_incidents_are_capped_to_the_newest_with_a_note(app_on_fixture, monkeypatch):
    monkeypatch.setattr(charts.incidents, "MAX_INCIDENTS", 2)
    monkeypatch.setattr(charts.incidents, "WEBGL_ABOVE", 1)
    at = open_page(PAGE)
    assert not at.exception
    assert any("Showing the newest 2 of 4 matching incidents" in w for w in texts(at, "warning"))
    assert set(plotted(at)) == {"eu-ai-act-in-force", "llama-weights-leak"}
    assert {t["type"] for t in figure(at)["data"] if "customdata" in t} == {"scattergl"}
    assert list(at.dataframe[0].value["incident_id"]) == ["eu-ai-act-in-force", "llama-weights-leak"]
    assert at.selectbox(key="url_item").options == [
        "2024-08-01  EU AI Act enters into force",
        "Mar 2023  LLaMA weights leak",  # dated to the month: the day is not shown as known
    ]
    assert any(c.startswith("2 incidents and policy events shown of 4.") for c in texts(at, "caption"))
    # the true total counts the search and status too; an older incident stays reachable by its link
    at = open_page(PAGE, {"q": "a", "item": "gpt-2-withholding"})
    assert any("of 4 matching" in w for w in texts(at, "warning"))
    assert at.selectbox(key="url_item").value == "gpt-2-withholding"
    assert "OpenAI withholds full GPT-2" in texts(at, "text")
    at = open_page(PAGE, {"status": "pending"})
    assert not at.warning and set(plotted(at)) == {"andersen-v-stability"}
