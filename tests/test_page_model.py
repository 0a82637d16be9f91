"""AppTest tests of the model profile page, on the fixture database and on the shipped data."""

import pytest

from tests.apptest_helpers import cells, facts, figure, headers, open_page, source_links, texts, values
from ui import widgets

PAGE = "pages/model.py"


def path(at) -> list[tuple[str, int, str]]:
    """(release id, openness level, event type) of each step of the openness path."""
    steps = trace(at, "release events")
    return [(c[0], int(c[2].split()[0]), c[3]) for c in steps["customdata"]]


def trace(at, name: str) -> dict:
    return next(t for t in figure(at)["data"] if t["name"] == name)


def test_default_profile_is_gpt_2(app_on_fixture):
    at = open_page(PAGE)
    assert not at.exception
    assert [t.value for t in at.title] == ["Model profile"]
    assert at.selectbox(key="url_model").value == "gpt-2"
    fig = figure(at)
    assert fig["layout"]["title"]["text"] == "GPT-2: openness after each release event"
    assert fig["data"][0]["line"]["shape"] == "hv"
    assert path(at) == [("gpt-2-2019-02", 1, "staged"), ("gpt-2-2019-11", 4, "weights")]
    assert values(trace(at, "linked incidents")["x"]) == ["2019-02-14"]
    # labelled points: event kind (and size, when the release names one) and the date as precisely as known
    assert trace(at, "release events")["text"] == ["staged · 2019-02-14", "weights · Nov 2019"]
    assert trace(at, "release events")["marker"]["symbol"] == ["circle", "circle-open"]
    assert trace(at, "linked incidents")["text"] == ["safety"]
    assert any(c.startswith("2 release events of this model shown of 2.") for c in texts(at, "caption"))
    shown = facts(at.dataframe[0])
    assert shown["Developers"] == "OpenAI"
    assert shown["Parameters"] == "1.5 billion (1,500,000,000)"
    assert shown["Training compute (FLOP)"] == "undisclosed"
    assert "Based on" not in shown  # not a derivative: no "based on: unknown"
    components = at.dataframe[3].value
    assert list(components["weights"]) == ["partial", "open"]
    assert list(at.dataframe[4].value["incident_id"]) == ["gpt-2-withholding"]
    # each source as a link with its title as text, and what it is cited for
    assert source_links(at) == [("Better language models", "https://openai.com/research/better-language-models")]
    assert any("cited for gpt-2; gpt-2-2019-02" in m.value.replace("\\", "") for m in at.markdown)


def test_deep_link_opens_llama_gated_release_then_the_leak(app_on_fixture):
    at = open_page(PAGE, {"model": "llama"})
    assert not at.exception
    assert [(r[0], r[2]) for r in path(at)] == [("llama-2023-02", "gated"), ("llama-2023-03-leak", "leak")]
    # five days apart: the leak is stepped above the gated release, so the two points do not merge
    ys = values(trace(at, "release events")["y"])
    assert ys[1] - ys[0] > 0.2
    # the leak names no licence: said once in words, not as an "unknown / unknown / unknown" row
    licences = at.dataframe[2].value
    assert list(licences["licence"]) == ["LLaMA research licence"]
    assert headers(at.dataframe[2]) == ["Licence", "Licence type", "Licence id"]
    assert "1 of 2 release events name no licence." in texts(at, "caption")
    assert at.query_params["model"] == "llama"


@pytest.mark.parametrize("model", ["gpt-2", "llama", "stable-diffusion-1"])
def test_profile_tables_read_as_labels_names_first_and_no_none(app_on_fixture, model):
    at = open_page(PAGE, {"model": model})
    assert not at.exception
    for table in at.dataframe:
        shown = headers(table)
        assert all(h[:1].isupper() and "_" not in h for h in shown), shown
        assert not shown[0].endswith(("id", "ids")), shown
        assert not {"None", "nan", "NaN", "<NA>"} & set(cells(table)), shown
        assert table.proto.placeholder == "—"
    components = next(t for t in at.dataframe if "Weights" in headers(t))
    assert headers(components)[:2] == ["Date", "Event"] and headers(components)[-1] == "Release event id"
    assert "Date precision" not in headers(components)  # the date is written in its precision instead


def test_undisclosed_parameters_are_shown_as_such(app_on_fixture):
    at = open_page(PAGE, {"model": "stable-diffusion-1"})
    shown = facts(at.dataframe[0])
    assert shown["Parameters"] == "undisclosed"
    assert shown["Developers"] == "Stability AI; Meta"


def test_changing_a_filter_narrows_the_models_and_changes_the_chart(app_on_fixture):
    at = open_page(PAGE)
    assert [r[0] for r in path(at)] == ["gpt-2-2019-02", "gpt-2-2019-11"]
    at.multiselect(key="f_levels").set_value([3]).run()
    assert not at.exception
    assert at.selectbox(key="url_model").options == ["GPT-3"]
    assert path(at) == [("gpt-3-2020-06", 3, "api")]
    assert any("GPT-2 does not match the sidebar filters" in i for i in texts(at, "info"))
    assert "model" not in at.query_params and at.query_params["level"] == "3"


def test_choosing_a_model_updates_the_url(app_on_fixture):
    at = open_page(PAGE)
    at.selectbox(key="url_model").set_value("gpt-3").run()
    assert path(at) == [("gpt-3-2020-06", 3, "api")]
    assert at.query_params["model"] == "gpt-3"
    assert "No incident is linked to this model. Incident records reflect attention, not true risk." in texts(
        at, "text"
    )


def test_unknown_model_gives_a_note_and_falls_back_to_the_default(app_on_fixture):
    at = open_page(PAGE, {"model": "gpt-9"})
    assert not at.exception
    assert any(i.startswith("Ignored model=gpt-9") for i in texts(at, "info"))
    assert at.selectbox(key="url_model").value == "gpt-2"
    assert [r[0] for r in path(at)] == ["gpt-2-2019-02", "gpt-2-2019-11"]


def test_shipped_data_shows_gpt_2_stages_and_the_llama_leak(app_on_shipped):
    at = open_page(PAGE)
    assert not at.exception
    stages = [r for r in path(at) if r[2] in ("staged", "weights")]
    assert [r[0] for r in stages][-4:] == [
        "gpt-2-2019-02-124m",
        "gpt-2-2019-05-355m",
        "gpt-2-2019-08-774m",
        "gpt-2-2019-11-1.5b",
    ]
    assert stages[-1][1] == 4
    at.selectbox(key="url_model").set_value("llama").run()
    assert [r[2] for r in path(at)] == ["gated", "leak"]


@pytest.fixture
def small_picker(app_on_fixture, monkeypatch):
    """The fixture's four models behave like a large catalogue: search box above 2 models, 2 listed."""
    monkeypatch.setattr(widgets, "PICKER_SEARCH_ABOVE", 2)
    monkeypatch.setattr(widgets, "PICKER_LISTED", 2)


def test_few_models_are_all_listed_without_a_search_box(app_on_fixture):
    at = open_page(PAGE)
    assert at.selectbox(key="url_model").options == ["GPT-2", "GPT-3", "LLaMA", "Stable Diffusion 1"]
    assert not at.text_input


def test_many_models_get_a_search_box_and_a_capped_list_with_a_note(small_picker):
    at = open_page(PAGE)
    assert not at.exception
    assert at.selectbox(key="url_model").options == ["GPT-2", "GPT-3"]
    assert (
        "2 of 4 models are listed (by name), plus the model on display; type in the search box to narrow the list."
        in texts(at, "caption")
    )
    at.text_input(key="url_q").input("diffusion").run()
    assert not at.exception
    assert at.selectbox(key="url_model").options == ["GPT-2", "Stable Diffusion 1"]
    assert at.query_params["q"] == "diffusion"
    assert not any("models are listed (by name)" in c for c in texts(at, "caption"))
    at.selectbox(key="url_model").set_value("stable-diffusion-1").run()
    assert path(at) == [("sd-2022-08", 4, "weights")]
    assert at.query_params["model"] == "stable-diffusion-1"
    again = open_page(PAGE, {k: at.query_params[k] for k in at.query_params})
    assert again.text_input(key="url_q").value == "diffusion"
    assert again.selectbox(key="url_model").options == ["GPT-2", "Stable Diffusion 1"]
    assert path(again) == [("sd-2022-08", 4, "weights")]


def test_deep_link_to_a_model_outside_the_capped_list_opens_it(small_picker):
    at = open_page(PAGE, {"model": "stable-diffusion-1"})
    assert not at.exception
    assert not texts(at, "info")
    assert at.selectbox(key="url_model").value == "stable-diffusion-1"
    assert at.selectbox(key="url_model").options == ["GPT-2", "GPT-3", "Stable Diffusion 1"]
    at = open_page(PAGE, {"q": "llama", "model": "llama"})
    assert at.text_input(key="url_q").value == "llama"
    assert at.selectbox(key="url_model").options == ["GPT-2", "LLaMA"]
    assert [r[2] for r in path(at)] == ["gated", "leak"]


def test_a_search_that_matches_nothing_keeps_the_model_on_display(small_picker):
    at = open_page(PAGE, {"q": "%_nothing"})
    assert not at.exception
    assert at.selectbox(key="url_model").options == ["GPT-2"]
    assert [r[0] for r in path(at)] == ["gpt-2-2019-02", "gpt-2-2019-11"]


def test_a_derivative_names_its_base_model_by_name(app_on_shipped):
    at = open_page(PAGE, {"model": "alpaca"})
    assert not at.exception
    assert facts(at.dataframe[0])["Based on"] == "LLaMA"


def test_an_item_that_is_not_this_models_is_named_and_dropped(app_on_fixture):
    from tests.apptest_helpers import open_page, texts

    at = open_page("pages/model.py", {"model": "gpt-2", "item": "<script>x</script>"})
    assert not at.exception
    assert any("Ignored item=" in t and "not an event or incident of this model" in t for t in texts(at, "info"))
    assert "item" not in at.query_params
