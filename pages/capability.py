"""Capability and compute: how far behind open-weight models are, who trains at the frontier, how concentrated."""

import math

import pandas as pd
import streamlit as st

from charts.capability import compute_frontier, developers_chart, gap, shares_chart
from db.queries.capability import (
    THRESHOLDS,
    concentration,
    developers_above,
    lag_summary,
    lags,
    yearly_largest,
)
from ui import data, frame, widgets
from ui.figures import cached

frame.require()

VIEWS = {"gap": "The gap", "compute": "The compute frontier", "concentration": "Concentration"}
WHO = {
    "all": "Every reporter",
    "independent": "Independent evaluators only",
    "developer": "The model's developer only (vendor figures)",
}
BY = {"developer": "Developer", "country": "Country"}
QUANTITIES = {
    "training-cost-usd": "Training cost (US dollars)",
    "training-compute-flop": "Training compute (FLOP)",
    "hardware-count": "Chips used",
    "training-time-hours": "Training time (hours)",
    "gpu-hours": "Accelerator-hours",
}
THRESHOLD_LABELS = {str(t): f"10^{round(math.log10(t))} FLOP" for t in THRESHOLDS}

f = widgets.filters()
st.title("Capability and compute")
st.write(
    "Two questions of the open-versus-closed debate, on the same time axis as the rest of the Observatory: how far "
    "behind the best closed models are the best open-weight ones, and who can afford to train at the frontier. "
    "Closed means levels 0-3 (not released, staged, hosted, API); open weights means levels 4-5 (downloadable, "
    "fully open), each at the date the evaluated variant or the model became available."
)
st.caption(
    "The sidebar's developer, modality and date filters apply; its licence and level filters do not, because the "
    "split into closed and open weights is what these views compare."
)
view = widgets.url_choice("view", "View", list(VIEWS), "gap", format_func=VIEWS.get)

if view == "gap" and data.get("benchmarks").empty:
    st.info("This database holds no benchmark results (data/benchmarks.csv and data/evaluations.csv are empty).")

elif view == "gap":
    benches = data.get("benchmarks")
    names = dict(zip(benches["benchmark_id"], benches["name"], strict=True))
    left, right = st.columns(2)
    with left:
        default = "gpqa-diamond" if "gpqa-diamond" in names else next(iter(names))
        bench = widgets.url_choice("bench", "Benchmark", list(names), default, format_func=names.get, kind="select")
    with right:
        who = widgets.url_choice("who", "Results reported by", list(WHO), "all", format_func=WHO.get, kind="select")
    info = benches[benches["benchmark_id"] == bench].iloc[0]
    points = data.get("evaluation_points", f, benchmark_id=bench, reporters=None if who == "all" else [who])
    horizon = max([d for d in [*points["available"], *points["reported_date"].dropna()] if d] or ["2026-11-30"])
    lag_rows = data.derived(lags)(points, horizon)
    head = lag_summary(lag_rows)
    if head["matched"]:
        st.metric(
            f"Median lag, {info['name']}",
            f"{head['median_months']:.1f} months",
            help="Over the steps of the closed frontier that an open-weight result has matched.",
        )
        st.write(
            f"Over {head['matched']} steps of the closed frontier that open-weight models have matched, the median "
            f"wait was {head['median_months']:.1f} months; {head['not_yet']} of {head['steps']} steps are not matched "
            f"yet as of {horizon}, the latest result here, so the median understates the gap while they stay open."
        )
    else:
        st.write(f"No step of the closed frontier has been matched by an open-weight result ({head['steps']} steps).")
    widgets.chart(cached(gap)(points, lag_rows, info["name"], info["unit"], horizon), key="capability_gap")
    st.caption(
        f"{info['name']}: {info['version']}. Scores are in {info['unit']}; the dotted line under a step of the closed "
        "frontier runs to the day an open-weight result first scored as high. Marker shape says who published the "
        "number; a vendor's own figure is drawn as a diamond. "
        f"Caveats: {info['caveats']}"
    )
    widgets.footer(points, len(points), int(benches["results"].sum()), "results", f"capability_gap_{bench}_{who}")
    st.subheader("Each step of the closed frontier and when open weights matched it")
    widgets.table(
        lag_rows.drop(columns=["benchmark_id"]), "capability_lags", empty="No closed result under these filters."
    )
    widgets.footer(lag_rows, len(lag_rows), len(lag_rows), "frontier steps", f"capability_lags_{bench}_{who}")
    with st.expander("Why these benchmarks, and what can go wrong with each"):
        widgets.table(benches.drop(columns=["source_ids"]), "capability_benchmarks")

elif view == "compute":
    points = data.get("compute_points", f)
    largest = data.derived(yearly_largest)(points)
    widgets.chart(cached(compute_frontier)(points, largest), key="capability_compute")
    known = int(points["training_compute_flop"].notna().sum())
    st.caption(
        "Each model at its first release event and the openness level it reached that day. Hollow markers are "
        "estimates (mostly Epoch AI's), filled ones the developer's own figure; the lines join the largest closed "
        "and the largest open-weight model of each year. Models without any published figure are counted in the "
        "lower panel, never placed: the upper panel shows "
        f"{known} of {len(points)} models."
    )
    widgets.footer(points, len(points), data.total("models"), "models", "capability_compute")
    st.subheader("Training cost, hardware and time: every estimate side by side")
    figures = data.get("compute_estimates")
    ids = set(points["model_id"])
    figures = figures[figures["model_id"].isin(ids)]
    kinds = sorted(figures["quantity"].unique())
    kind = widgets.url_choice(
        "quantity",
        "Figure",
        kinds or ["training-cost-usd"],
        "training-cost-usd",
        kind="select",
        format_func=lambda q: QUANTITIES.get(q, q),
    )
    shown = figures[figures["quantity"] == kind]
    people = shown[["model", "value", "unit", "hardware", "basis", "estimated_by", "date", "notes", "source_ids"]]
    people = people.assign(value=people["value"].map(lambda v: f"{v:,.0f}" if v >= 1000 and v < 1e15 else f"{v:.3g}"))
    widgets.table(people, "capability_estimates", empty="No figure of this kind.")
    widgets.footer(shown, len(shown), data.total("compute_estimates"), "figures", f"capability_estimates_{kind}")
    costs = data.get("context_events")
    costs = costs[costs["kind"] == "cost-estimate"]
    if not costs.empty:
        st.caption("Cost estimates in the seed article's story (context events):")
        widgets.table(costs[["date", "date_precision", "title", "summary", "source_ids"]], "capability_cost_events")

else:
    points = data.get("compute_points", f)
    devs = data.derived(developers_above)(points)
    widgets.chart(cached(developers_chart)(devs), key="capability_developers")
    st.caption(
        "A developer counts in a year when it first released a model at or above the threshold that year (its lead "
        "organisation). Only models with a compute figure can be placed; the hover gives how many of the year's "
        "models have one, so a fall can be missing figures rather than fewer runs (2026 is thin)."
    )
    widgets.footer(devs, len(devs), len(devs), "year and threshold rows", "capability_developers")
    left, right = st.columns(2)
    with left:
        threshold = widgets.url_choice(
            "threshold", "Threshold", list(THRESHOLD_LABELS), str(THRESHOLDS[0]), format_func=THRESHOLD_LABELS.get
        )
    with right:
        by = widgets.url_choice("by", "Split by", list(BY), "developer", format_func=BY.get)
    shares = data.derived(concentration)(points, by=by)
    widgets.chart(cached(shares_chart)(shares, by, float(threshold)), key="capability_shares")
    chosen = shares[shares["threshold"] == float(threshold)]
    widgets.footer(chosen, int(chosen["models"].sum()), len(points), "models", f"capability_shares_{by}_{threshold}")
    summary = (
        devs.pivot_table(index="year", columns="threshold", values="developers", aggfunc="sum")
        .rename(columns=lambda t: f"developers ≥ {THRESHOLD_LABELS[str(t)]}")
        .reset_index()
    )
    st.subheader("Developers above each threshold, per year")
    widgets.table(pd.DataFrame(summary), "capability_developer_counts")
