"""The Licences page through app.py on the fixture database, and the answers it rests on."""

import pytest
from streamlit.testing.v1 import AppTest

from charts.licences import MATRIX_TERMS, group_label
from charts.palettes import CLASS_COLOURS
from db import queries
from db.queries.analysis import answer_questions
from tests.apptest_helpers import figure, open_page, texts, values


@pytest.fixture
def page(app_on_fixture):
    """Open pages/licences.py through app.py with these query parameters."""
    return lambda params=None: open_page("pages/licences.py", params)


def answers(at: AppTest) -> dict[str, str]:
    """Answer badges in page order, keyed by the question subheader."""
    badges = [m.value.split("[")[1].rstrip("]") for m in at.markdown if "-badge[" in m.value]
    return dict(zip([s.value for s in at.subheader], badges, strict=True))


def answer_texts(at: AppTest) -> dict[str, tuple[str, str]]:
    """(explanation, clause) under each question, in page order."""
    shown = [t.value for t in at.text]
    return {q.value: (shown[2 * i], shown[2 * i + 1]) for i, q in enumerate(at.subheader)}


def licence_rows(fig: dict) -> list[str]:
    """The matrix's row labels without the bold family labels that head each group."""
    return [y for y in fig["data"][0]["y"] if not y.startswith("<b>")]


def row_cells(fig: dict, label: str, key: str = "text") -> list:
    """One matrix row across its columns (one bar trace per column): cell words, or colours with key='color'."""
    columns = fig["data"][: len(MATRIX_TERMS)]
    i = columns[0]["y"].index(label)
    return [c["marker"]["color"][i] if key == "color" else c[key][i] for c in columns]


OUTPUTS = "Can I train another model on its outputs?"
THRESHOLD = "Can I use it commercially above a user or revenue threshold?"


def test_default_view_is_the_term_matrix_of_every_licence(page):
    at = page()
    assert not at.exception
    fig = figure(at)
    assert fig["data"][0]["type"] == "bar"
    assert len(licence_rows(fig)) == 4
    assert fig["data"][0]["y"][0] == group_label("permissive", 1)
    assert fig["layout"]["xaxis"]["ticktext"][0] == "commercial use"
    assert fig["layout"]["xaxis"]["ticktext"][-1] == "OSI approved"
    assert row_cells(fig, "LLaMA research licence (2023)")[0] == "no"
    assert any("4 licences shown of 4" in c.value for c in at.caption)


def test_licence_type_filter_narrows_the_matrix(page):
    at = page()
    at.multiselect(key="f_families").set_value(["permissive"]).run()
    assert not at.exception
    fig = figure(at)
    assert fig["data"][0]["y"] == [group_label("permissive", 1), "MIT License"]
    # permissive everywhere, except 'binds derivatives' (not applicable) and attribution (a condition).
    assert row_cells(fig, "MIT License") == ["yes", "none", "none", "n/a", "yes", "yes", "yes", "none", "terms", "yes"]
    meanings = ["permissive"] * 3 + ["not applicable"] + ["permissive"] * 4 + ["conditional", "permissive"]
    assert row_cells(fig, "MIT License", "color") == [CLASS_COLOURS[m] for m in meanings]
    assert at.query_params["family"] == "permissive"


def test_families_over_time_follow_the_filters(page):
    at = page({"view": "families"})
    assert not at.exception
    fig = figure(at)
    assert sum(sum(values(t["y"])) for t in fig["data"]) == 6
    assert "unknown" in {t["name"] for t in fig["data"]}
    at.multiselect(key="f_families").set_value(["permissive"]).run()
    fig = figure(at)
    assert [t["name"] for t in fig["data"]] == ["permissive"]
    assert sum(values(fig["data"][0]["y"])) == 2


def test_deep_link_to_a_can_i_question(page):
    at = page({"view": "ask", "q": "LicenseRef-CreativeML-OpenRAIL-M"})
    assert not at.exception
    assert not at.info
    assert at.selectbox(key="url_q").value == "LicenseRef-CreativeML-OpenRAIL-M"
    got = answers(at)
    assert got["Can I use it commercially?"] == "yes"
    # Redistribution is conditional and the use restrictions bind derivatives.
    assert got["Can I redistribute a fine-tune?"] == "conditional"
    assert any("bind derivatives" in t.value for t in at.text)
    assert at.query_params["q"] == "LicenseRef-CreativeML-OpenRAIL-M"


def test_deep_link_compares_two_licences_by_name_and_marks_only_differing_values(page):
    at = page({"view": "compare", "a": "MIT", "b": "LicenseRef-LLaMA-1", "family": "permissive"})
    assert not at.exception
    table = at.dataframe[0].value
    diff = set(table.loc[table["differs"], "term"])
    assert {"commercial use", "redistribution", "licence type", "OSI approved"} <= diff
    assert "attribution" not in diff
    assert any(t.value.startswith(f"{len(diff)} of 11 terms differ") for t in at.text)
    assert "MIT License" in table.columns and "LLaMA research licence (2023)" in table.columns
    assert not any(c.startswith(("A: ", "B: ")) for c in table.columns)
    assert (at.query_params["a"], at.query_params["b"]) == ("MIT", "LicenseRef-LLaMA-1")


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"view": "ask", "q": "GPL-9"}, "Ignored q=GPL-9"),
        ({"view": "compare", "a": "nope"}, "Ignored a=nope"),
        ({"view": "everything"}, "Ignored view=everything"),
    ],
)
def test_invalid_page_params_give_a_visible_note(page, params, note):
    at = page(params)
    assert not at.exception
    assert any(note in i for i in texts(at, "info"))


def test_answers_from_stored_terms(fixture_engine):
    mit = queries.licence_answers(fixture_engine, "MIT").set_index("question_id")["answer"].to_dict()
    assert mit == {"commercial": "yes", "threshold": "yes", "outputs": "yes", "fine_tune": "yes"}
    llama = queries.licence_answers(fixture_engine, "LicenseRef-LLaMA-1").set_index("question_id")["answer"]
    # output_training is not recorded for this licence: unknown, whatever output_restriction says
    assert llama.to_dict() == {"commercial": "no", "threshold": "no", "outputs": "unknown", "fine_tune": "no"}
    terms = queries.licence_answers(fixture_engine, "LicenseRef-OpenAI-Terms").set_index("question_id")["answer"]
    assert terms["outputs"] == "unknown" and terms["fine_tune"] == "no"
    assert queries.licence_answers(fixture_engine, "no-such-licence").empty


def test_user_threshold_answer_names_the_number_and_quotes_the_clause():
    lic = {
        "commercial_use": "conditional",
        "scale_threshold_kind": "users",
        "scale_threshold_value": 700_000_000.0,
        "scale_threshold_clause": "Section 2: above 700 million monthly active users, request a licence.",
        "output_restriction": None,
        "modification": "allowed",
        "redistribution": None,
    }
    got = answer_questions(lic).set_index("question_id")
    assert got.loc["threshold", "answer"] == "conditional"
    assert "700,000,000 monthly active users" in got.loc["threshold", "explanation"]
    assert "how it is counted is not recorded" in got.loc["threshold", "explanation"]
    counted = answer_questions({**lic, "scale_threshold_counted": "any-time"}).set_index("question_id")
    assert "counted at any time" in counted.loc["threshold", "explanation"]
    assert got.loc["threshold", "clause"].startswith("Section 2")
    assert got.loc["outputs", "answer"] == "unknown"
    assert got.loc["fine_tune", "answer"] == "unknown"
    assert got.loc["commercial", "clause"] == "No clause recorded."


@pytest.mark.parametrize(
    ("training", "answer"),
    [("allowed", "yes"), ("conditional", "conditional"), ("prohibited", "no"), (None, "unknown")],
)
def test_the_outputs_answer_rests_on_output_training_alone(training, answer):
    lic = {"output_training": training, "output_training_clause": "Section 9: a clause.", "output_restriction": "no"}
    got = answer_questions(lic).set_index("question_id").loc["outputs"]
    assert got["answer"] == answer
    assert got["clause"] == "Section 9: a clause."


def test_comparison_flags_wording_apart_from_values(fixture_engine):
    same = queries.licence_comparison(fixture_engine, "MIT", "MIT")
    assert not same["differs"].any() and not same["clause_differs"].any()
    assert queries.licence_comparison(fixture_engine, "MIT", "nope").empty


@pytest.mark.parametrize("view", ["catalogue", "ask", "families", "compare"])
def test_shipped_data_renders_every_view(app_on_shipped, shipped_engine, view):
    at = open_page("pages/licences.py", {"view": view})
    assert not at.exception
    assert not at.info
    if view == "catalogue":
        fig = figure(at)
        shipped = queries.licences(shipped_engine)
        rows = fig["data"][0]["y"]
        assert len(licence_rows(fig)) == len(shipped)
        assert len(rows) - len(licence_rows(fig)) == shipped["family"].nunique()
        # unique labels: a category axis draws equal labels on one row and shifts every row below
        assert len(set(rows)) == len(rows)
        assert [c["name"] for c in fig["data"][: len(MATRIX_TERMS)]] == [label for _, label, _ in MATRIX_TERMS]
        outputs = [label for _, label, _ in MATRIX_TERMS].index("train on outputs")
        assert row_cells(fig, "Llama 2 Communit\u2026 (2023-07-18)")[outputs] == "no"
        assert row_cells(fig, "Llama 3.1 Commun\u2026 (2024-07-23)")[outputs] == "terms"
    if view == "ask":
        assert len(answers(at)) == 4


@pytest.mark.parametrize(
    ("licence_id", "answer", "explains", "section", "names"),
    [
        ("LicenseRef-Llama-2", "no", "prohibited", "1.b.v", "large language model"),  # forbidden outright
        ("LicenseRef-Llama-3.1", "conditional", "conditions", "1.b.i", "Llama"),  # allowed on conditions
    ],
    ids=["llama-2", "llama-3.1"],
)
def test_training_on_outputs_is_answered_from_the_terms_with_its_clause(
    app_on_shipped, licence_id, answer, explains, section, names
):
    at = open_page("pages/licences.py", {"view": "ask", "q": licence_id})
    assert not at.exception
    assert answers(at)[OUTPUTS] == answer
    explanation, clause = answer_texts(at)[OUTPUTS]
    assert explains in explanation
    assert clause.startswith(f"Clause: Section {section}") and names in clause


def test_the_700m_answer_says_users_are_counted_in_the_month_before_release(app_on_shipped):
    at = open_page("pages/licences.py", {"view": "ask", "q": "LicenseRef-Llama-2"})
    assert answers(at)[THRESHOLD] == "conditional"
    explanation, clause = answer_texts(at)[THRESHOLD]
    assert "700,000,000 monthly active users" in explanation
    assert "calendar month before this licence version's release date" in explanation
    assert clause.startswith("Clause: Section 2")


def test_compare_llama_2_with_3_1_highlights_only_the_output_training_row(app_on_shipped):
    at = open_page("pages/licences.py", {"view": "compare", "a": "LicenseRef-Llama-2", "b": "LicenseRef-Llama-3.1"})
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.loc[table["differs"], "term"]) == ["training on outputs"]
    assert {
        "Llama 2 Community License Agreement (2023-07-18)",
        "clause in Llama 2 Community License Agreement (2023-07-18)",
    } <= set(table.columns)
    assert any(t.value.startswith("1 of 11 terms differ") for t in at.text)
