"""Capability and compute: the lag rule on a hand-made case, the queries on real SQLite, the figures' traces,
and the page through app.py."""

import pandas as pd
import pytest

from charts.capability import compute_frontier, developers_chart, gap, shares_chart
from db import queries
from db.queries.capability import (
    CLOSED,
    OPEN,
    concentration,
    developers_above,
    frontier_steps,
    lag_summary,
    lags,
    months_between,
    yearly_largest,
)
from tests.apptest_helpers import figure, open_page, texts, values


def point(model, access, day, score, role="independent"):
    return {
        "benchmark_id": "toy",
        "model_as_evaluated": model,
        "access": access,
        "available": day,
        "score": score,
        "reporter_role": role,
    }


# A closed model sets 50 in January 2023 and 60 in July 2023; open weights reach 50 in July 2023 (six months
# later), 55 in January 2024 (no step: the closed frontier was already higher) and never 60; a closed 40 in
# 2022 was already beaten by an open 45 the year before (open weights were first: a negative lag).
HAND_MADE = pd.DataFrame(
    [
        point("open-a", OPEN, "2021-01-01", 45),
        point("closed-a", CLOSED, "2022-01-01", 40),
        point("closed-b", CLOSED, "2023-01-01", 50),
        point("closed-b-again", CLOSED, "2023-03-01", 50),  # a tie: not a new step
        point("closed-c", CLOSED, "2023-07-01", 60),
        point("open-b", OPEN, "2023-07-02", 50),
        point("open-c", OPEN, "2024-01-01", 55),
    ]
)


def test_frontier_steps_are_new_bests_within_each_group():
    steps = frontier_steps(HAND_MADE)
    closed = steps[steps["access"] == CLOSED]["model_as_evaluated"].tolist()
    opened = steps[steps["access"] == OPEN]["model_as_evaluated"].tolist()
    assert closed == ["closed-a", "closed-b", "closed-c"]
    assert opened == ["open-a", "open-b", "open-c"]


def test_the_lag_of_each_closed_step_on_a_case_whose_answer_is_known():
    rows = lags(HAND_MADE, as_of="2024-07-01").set_index("closed_model")
    # open-a (2021) already scored 45 >= 40: open weights led by 12 months
    assert rows.loc["closed-a", "matched_on"] == "2021-01-01"
    assert rows.loc["closed-a", "lag_months"] == months_between("2022-01-01", "2021-01-01") == -12.0
    # 50 set on 2023-01-01, matched by open-b on 2023-07-02: 182 days
    assert rows.loc["closed-b", "open_match"] == "open-b"
    assert rows.loc["closed-b", "lag_months"] == round(182 / 30.4375, 1) == 6.0
    # 60 is never reached: not yet, 366 days so far
    assert rows.loc["closed-c", "status"] == "not yet"
    assert rows.loc["closed-c", "months_so_far"] == round(366 / 30.4375, 1)
    summary = lag_summary(rows.reset_index())
    assert summary == {"median_months": -3.0, "matched": 2, "not_yet": 1, "steps": 3}


def test_no_result_means_no_step_and_no_median():
    empty = HAND_MADE.iloc[0:0]
    assert lags(empty, "2024-01-01").empty
    assert lag_summary(lags(empty, "2024-01-01"))["median_months"] is None


def test_fixture_results_count_for_the_openness_and_date_of_their_variant(fixture_engine):
    rows = queries.evaluation_points(fixture_engine, benchmark_id="toy-qa").set_index("evaluation_id")
    assert len(rows) == 4
    # GPT-3's later variant: same API release (level 3), but available from its own date
    assert rows.loc["toy-gpt-3-v2", "available"] == "2021-06-01"
    assert rows.loc["toy-gpt-3-v2", "access"] == CLOSED
    assert rows.loc["toy-gpt-2", "available"] == "2019-11-01"  # month precision kept as the first of the month
    assert rows.loc["toy-gpt-2", "access"] == OPEN
    only_vendor = queries.evaluation_points(fixture_engine, benchmark_id="toy-qa", reporters=["developer"])
    assert set(only_vendor["evaluation_id"]) == {"toy-gpt-3", "toy-gpt-3-v2", "toy-llama"}
    assert queries.evaluation_points(fixture_engine, reporters=["not-a-role"]).empty
    dated = queries.evaluation_points(fixture_engine, start="2021-01-01", end="2022-12-31")
    assert dated["evaluation_id"].tolist() == ["toy-gpt-3-v2"]
    lag = lags(queries.evaluation_points(fixture_engine, benchmark_id="toy-qa"), "2023-12-31").set_index("closed_model")
    # GPT-3's 40 (2020-06-11) is first reached by LLaMA's 45 on 2023-02-24: 988 days
    assert lag.loc["GPT-3 davinci", "lag_months"] == round(988 / 30.4375, 1)
    assert lag.loc["GPT-3 davinci v2", "status"] == "not yet"


def test_compute_points_place_each_model_once_at_its_first_release(fixture_engine):
    rows = queries.compute_points(fixture_engine)
    assert rows["model_id"].is_unique and len(rows) == 4
    gpt2 = rows.set_index("model_id").loc["gpt-2"]
    assert gpt2["date"] == "2019-02-14" and gpt2["access"] == CLOSED  # staged first: level 1 that day
    estimates = queries.compute_estimates(fixture_engine, model_ids=["gpt-3"])
    assert set(estimates["basis"]) == {"disclosed", "estimated"}


def shipped_points(shipped_engine):
    return queries.compute_points(shipped_engine)


def test_concentration_counts_only_models_with_a_figure(shipped_engine):
    points = shipped_points(shipped_engine)
    devs = developers_above(points).set_index(["year", "threshold"])
    year = points[points["year"] == 2024].dropna(subset=["training_compute_flop"])
    above = year[year["training_compute_flop"] >= 1e25]
    assert devs.loc[(2024, 1e25), "developers"] == above["developer"].nunique() > 0
    assert devs.loc[(2024, 1e25), "models_with_compute"] == len(year)
    shares = concentration(points, by="country")
    part = shares[(shares["year"] == 2024) & (shares["threshold"] == 1e23)]
    assert part["share"].sum() == pytest.approx(1.0)
    assert part["models"].sum() == part["models_above"].iloc[0]


def test_gap_figure_draws_both_frontiers_and_every_lag(fixture_engine):
    points = queries.evaluation_points(fixture_engine, benchmark_id="toy-qa")
    lag_rows = lags(points, "2023-12-31")
    fig = gap(points, lag_rows, "Toy QA", "% correct", "2023-12-31").to_plotly_json()
    names = [t.get("name") for t in fig["data"]]
    assert f"best {CLOSED} so far" in names and f"best {OPEN} so far" in names
    closed_line = next(t for t in fig["data"] if t.get("name") == f"best {CLOSED} so far")
    assert values(closed_line["y"]) == [40, 50, 50] and closed_line["line"]["shape"] == "hv"
    assert sum(1 for n in names if n == "lag") == len(lag_rows) == 2
    vendor = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "diamond" and t.get("x") is not None]
    assert sum(len(values(t["y"])) for t in vendor if values(t["y"]) != [None]) == 3
    assert "4 results" in fig["layout"]["title"]["text"]
    hover = " ".join(str(t.get("customdata")) for t in fig["data"])
    assert "<script>" not in hover


def test_compute_frontier_marks_estimates_and_counts_the_undisclosed(shipped_engine):
    points = shipped_points(shipped_engine)
    fig = compute_frontier(points, yearly_largest(points)).to_plotly_json()
    hollow = [t for t in fig["data"] if t.get("marker", {}).get("symbol") == "circle-open" and t["type"] == "scatter"]
    assert hollow and all("estimated" in t["name"] for t in hollow if "largest" not in t["name"])
    placed = sum(len(values(t["y"])) for t in fig["data"] if t["type"] == "scatter" and t.get("mode") == "markers")
    assert placed == points["training_compute_flop"].notna().sum()
    bars = sum(sum(values(t["y"])) for t in fig["data"] if t["type"] == "bar")
    assert bars == points["training_compute_flop"].isna().sum()
    assert f"{placed} of {len(points)} models" in fig["layout"]["title"]["text"]
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_concentration_figures(shipped_engine):
    points = shipped_points(shipped_engine)
    devs = developers_above(points)
    fig = developers_chart(devs).to_plotly_json()
    total = next(t for t in fig["data"] if t["name"].startswith("≥ 10²⁵") and "all" in t["name"])
    assert values(total["y"]) == devs[devs["threshold"] == 1e25]["developers"].tolist()
    shares = shares_chart(concentration(points), "developer", 1e25).to_plotly_json()
    stacked = sum(sum(values(t["y"])) for t in shares["data"] if t["type"] == "bar")
    assert stacked == ((points["training_compute_flop"] >= 1e25).sum())


def test_page_gap_view_through_the_app(app_on_shipped):
    at = open_page("pages/capability.py")
    assert not at.exception
    assert "Capability and compute" in texts(at, "title")
    assert any("Median lag" in m.label for m in at.metric)
    fig = figure(at, 0)
    assert "GPQA Diamond" in fig["layout"]["title"]["text"]
    assert any("results shown of" in c for c in texts(at, "caption"))


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"view": "gap", "bench": "mmlu", "who": "independent"}, "MMLU"),
        ({"view": "compute"}, "Training compute at first release"),
        ({"view": "concentration", "by": "country", "threshold": "1e+25"}, "Developers releasing a model"),
        ({"view": "gap", "bench": "<script>", "who": "nobody"}, "GPQA Diamond"),
    ],
)
def test_page_views_from_their_urls(app_on_shipped, params, expect):
    at = open_page("pages/capability.py", params)
    assert not at.exception
    assert expect in figure(at, 0)["layout"]["title"]["text"]
    if "<script>" in params.get("bench", ""):
        assert any("Ignored bench=" in i.value for i in at.info)


def test_epoch_export_rows_match_by_reviewed_patterns_only(tmp_path, fixture_data):
    from db.importers.epoch_benchmarks import rows

    head = (
        "Model version,mean_score,Best score (across scorers),Release date,Organization,Country,stderr,Started at,id\n"
    )
    (tmp_path / "gpqa_diamond.csv").write_text(
        head + "LLaMA-65B,0.301,0.301,2023-02-24,Meta,US,0.02,2024-05-01T10:00:00Z,a\n"
        "some-unknown-model,0.9,0.9,2024-01-01,X,US,0.02,2024-05-01T10:00:00Z,b\n",
        encoding="utf-8",
    )
    (tmp_path / "math_level_5.csv").write_text(head, encoding="utf-8")
    (tmp_path / "mmlu_external.csv").write_text(
        "Model version,EM,Release date,Organization,Country,Name,Shots,Source,Source link,Notes,id\n"
        "text-davinci-001,0.439,2020-06-11,OpenAI,US,GPT-3 175B,5,LLaMA: Open and Efficient Foundation Language Models,"
        "https://arxiv.org/abs/2302.13971,,c\n"
        "LLaMA-65B,0.634,2023-02-24,Meta,US,LLaMA 65B,5,LLaMA: Open and Efficient Foundation Language Models,"
        "https://arxiv.org/abs/2302.13971,,d\n",
        encoding="utf-8",
    )
    found, unmatched = rows(tmp_path, fixture_data)
    by = {(r["benchmark_id"], r["model_id"]): r for r in found}
    assert unmatched == ["gpqa_diamond.csv: some-unknown-model"]
    gpqa = by[("gpqa-diamond", "llama")]
    assert gpqa["score"] == "30.1" and gpqa["reporter_role"] == "independent" and gpqa["reported_date"] == "2024-05-01"
    assert gpqa["release_id"] == "llama-2023-02"  # the gated release of that day, not the leak a week later
    assert by[("mmlu", "gpt-3")]["reporter_role"] == "other-developer"  # Meta's paper reporting OpenAI's model
    assert by[("mmlu", "llama")]["reporter_role"] == "developer"
    assert by[("mmlu", "gpt-3")]["release_id"] == "gpt-3-2020-06"
