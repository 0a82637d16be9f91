"""Capability and compute: the gap between the best closed and best open-weight scores, the compute frontier,
and how concentrated the largest training runs are. Pure builders: rows in, figure out."""

import html
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import base_layout, empty_figure, legend_entry
from charts.palettes import ACCESS_COLOURS, THRESHOLD_COLOURS
from db.queries.capability import ACCESS_GROUPS, CLOSED, OPEN, frontier_steps

# Who published a result, as a marker shape: a vendor's own figure is never drawn like an independent one.
REPORTER_SYMBOLS = {
    "independent": "circle",
    "benchmark-maintainer": "square",
    "developer": "diamond",
    "other-developer": "triangle-up",
}
REPORTER_LABELS = {
    "independent": "independent evaluator",
    "benchmark-maintainer": "benchmark's authors",
    "developer": "the model's developer (vendor figure)",
    "other-developer": "another developer's report",
}
BASIS_SYMBOLS = {"disclosed": "circle", "estimated": "circle-open"}


def _plain(text) -> str:
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else html.escape(str(text), quote=False)


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.14, "xanchor": "left", "x": 0}


def _flop(value: float) -> str:
    return f"{value:.2g}".replace("e+", "e")


def power(value: float) -> str:
    """10²³ for 1e23: a power of ten as people write it."""
    return "10" + str(round(math.log10(value))).translate(SUPERSCRIPTS)


def _year_ticks(fig: go.Figure, coverage: pd.DataFrame) -> None:
    """Label each year with how many of its models have a compute figure, so a thin year reads as thin."""
    fig.update_xaxes(
        tickmode="array",
        tickvals=coverage["year"].tolist(),
        ticktext=[f"{y}<br>{k}/{n} with a figure" for y, k, n in coverage.itertuples(index=False)],
    )


def gap(points: pd.DataFrame, lag_rows: pd.DataFrame, benchmark: str, unit: str, as_of: str) -> go.Figure:
    """Every result as a point, the best closed and best open-weight score so far as step lines, and each lag.

    A dotted segment joins a step of the closed frontier to the day an open-weight result first matched it;
    a step never matched runs to `as_of` and is labelled 'not yet'.
    """
    title = f"{_plain(benchmark)}: best closed vs best open weights<br>({len(points)} results)"
    if points.empty:
        return empty_figure(title)
    fig = go.Figure()
    for group in ACCESS_GROUPS:
        rows = points[points["access"] == group]
        for role, symbol in REPORTER_SYMBOLS.items():
            part = rows[rows["reporter_role"] == role]
            if part.empty:
                continue
            custom = list(
                zip(
                    part["model_as_evaluated"].map(_plain),
                    part["openness"].map(_plain),
                    part["reported_by"].map(_plain),
                    part["setting"].map(_plain),
                    strict=True,
                )
            )
            fig.add_scatter(
                x=part["available"],
                y=part["score"],
                mode="markers",
                name=f"{group}, {REPORTER_LABELS[role]}",
                legendgroup=group,
                showlegend=False,
                marker={"color": ACCESS_COLOURS[group], "symbol": symbol, "size": 8, "opacity": 0.55},
                customdata=custom,
                hovertemplate=(
                    "%{customdata[0]}<br>%{y:.1f} " + _plain(unit) + "<br>available %{x|%Y-%m-%d} as %{customdata[1]}"
                    "<br>reported by %{customdata[2]}<br>%{customdata[3]}<extra></extra>"
                ),
            )
    steps = frontier_steps(points)
    for group in ACCESS_GROUPS:
        own = steps[steps["access"] == group] if not steps.empty else steps
        if own.empty:
            continue
        xs = [*own["available"], as_of]
        ys = [*own["score"], own["score"].iloc[-1]]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"shape": "hv", "color": ACCESS_COLOURS[group], "width": 3},
            name=f"best {group} so far",
            hoverinfo="skip",
        )
    for _, lag in lag_rows.iterrows():
        end = lag["matched_on"] if lag["status"] == "matched" else as_of
        label = f"{lag['lag_months']:g} months" if lag["status"] == "matched" else "not yet"
        fig.add_scatter(
            x=[lag["closed_on"], end],
            y=[lag["closed_score"], lag["closed_score"]],
            mode="lines",
            line={"color": "#555555", "width": 1, "dash": "dot"},
            showlegend=False,
            name="lag",
            hovertemplate=(
                f"{_plain(lag['closed_model'])} ({lag['closed_score']:.1f}) on {lag['closed_on']}<br>"
                f"open weights: {_plain(lag['open_match']) or 'not yet'}<br>lag: {label}<extra></extra>"
            ),
        )
    for role, symbol in REPORTER_SYMBOLS.items():
        if (points["reporter_role"] == role).any():
            fig.add_trace(legend_entry(REPORTER_LABELS[role], {"color": "#777777", "symbol": symbol, "size": 8}))
    fig.update_layout(xaxis_title="date the evaluated variant became available", yaxis_title=_plain(unit))
    base_layout(fig, title, height=560)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 120})
    return fig


def compute_frontier(points: pd.DataFrame, largest: pd.DataFrame, thresholds=(1e23, 1e25)) -> go.Figure:
    """Training compute of each model at its first release on a log axis, coloured closed or open weights.

    Disclosed figures are filled, estimates hollow; the largest model of each year per group is joined by
    a line; the lower panel counts the models with no compute figure, per year, so the gaps stay visible.
    """
    known = points.dropna(subset=["training_compute_flop"])
    title = (
        f"Training compute at first release: {len(known)} of {len(points)} models have a figure "
        "(log scale; hollow = estimated)"
    )
    if points.empty:
        return empty_figure(title)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.06)
    for group in ACCESS_GROUPS:
        for basis, symbol in BASIS_SYMBOLS.items():
            part = known[(known["access"] == group) & (known["compute_basis"] == basis)]
            if part.empty:
                continue
            by = part["compute_estimated_by"].fillna("the developer")
            custom = list(
                zip(
                    part["model"].map(_plain),
                    part["developer"].map(_plain),
                    part["openness"].map(_plain),
                    by.map(_plain),
                    part["training_compute_flop"].map(_flop),
                    strict=True,
                )
            )
            fig.add_scatter(
                x=part["date"],
                y=part["training_compute_flop"],
                mode="markers",
                name=f"{group}, {basis}",
                marker={"color": ACCESS_COLOURS[group], "symbol": symbol, "size": 8, "line": {"width": 1.5}},
                customdata=custom,
                hovertemplate=(
                    "%{customdata[0]} (%{customdata[1]})<br>%{customdata[4]} FLOP, " + basis + " by %{customdata[3]}"
                    "<br>first release %{x|%Y-%m-%d} as %{customdata[2]}<extra></extra>"
                ),
                row=1,
                col=1,
            )
        top = largest[largest["access"] == group] if not largest.empty else largest
        if not top.empty:
            fig.add_scatter(
                x=top["date"],
                y=top["training_compute_flop"],
                mode="lines",
                line={"color": ACCESS_COLOURS[group], "width": 1.5},
                name=f"largest {group} model each year",
                text=top["model"].map(_plain),
                hovertemplate="%{text}<extra>largest of its year</extra>",
                row=1,
                col=1,
            )
    span = [points["date"].min(), points["date"].max()]
    for threshold in thresholds:
        fig.add_scatter(
            x=span,
            y=[threshold, threshold],
            mode="lines",
            line={"color": THRESHOLD_COLOURS[threshold], "dash": "dash", "width": 1},
            name=f"{power(threshold)} FLOP threshold",
            hoverinfo="skip",
            row=1,
            col=1,
        )
    unknown = points[points["training_compute_flop"].isna()]
    for group in ACCESS_GROUPS:
        counts = unknown[unknown["access"] == group].groupby("year").size()
        fig.add_bar(
            x=[f"{y}-07-01" for y in counts.index],
            y=counts.values,
            name=f"{group}, no compute figure",
            marker={"color": ACCESS_COLOURS[group], "pattern": {"shape": "/"}, "opacity": 0.6},
            hovertemplate="%{y} models first released in %{x|%Y} with no compute figure<extra></extra>",
            row=2,
            col=1,
        )
    fig.update_yaxes(type="log", title_text="training compute (FLOP)", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text="no figure", row=2, col=1)
    fig.update_layout(barmode="stack")
    base_layout(fig, title, height=680)
    fig.update_layout(legend=LEGEND_BELOW, margin={"b": 130})
    return fig


def developers_chart(rows: pd.DataFrame) -> go.Figure:
    """How many developers released a model at or above each compute threshold, each year, and how many of
    them released it with open weights."""
    title = "Developers releasing a model above each compute threshold, per year"
    if rows.empty or not rows["developers"].any():
        return empty_figure(title, "No model with a compute figure crosses a threshold under these filters.")
    fig = go.Figure()
    for threshold, part in rows.groupby("threshold"):
        colour = THRESHOLD_COLOURS[threshold]
        fig.add_scatter(
            x=part["year"],
            y=part["developers"],
            mode="lines+markers",
            name=f"≥ {power(threshold)} FLOP, all developers",
            line={"color": colour, "width": 3},
            customdata=list(
                zip(part["models_above"], part["models_with_compute"], part["models_in_year"], strict=True)
            ),
            hovertemplate=(
                "%{x}: %{y} developers<br>%{customdata[0]} models above; %{customdata[1]} of %{customdata[2]} "
                "models of the year have a figure<extra></extra>"
            ),
        )
        fig.add_scatter(
            x=part["year"],
            y=part["open_developers"],
            mode="lines+markers",
            name=f"≥ {power(threshold)} FLOP, with open weights",
            line={"color": colour, "width": 1.5, "dash": "dot"},
            marker={"symbol": "circle-open"},
            hovertemplate="%{x}: %{y} developers released such a model with open weights<extra></extra>",
        )
    fig.update_layout(xaxis_title="year of first release", yaxis_title="developers")
    first = rows.drop_duplicates("year")[["year", "models_with_compute", "models_in_year"]]
    _year_ticks(fig, first)
    return base_layout(fig, title)


def shares_chart(rows: pd.DataFrame, by: str, threshold: float, top: int = 8) -> go.Figure:
    """Per year, the models above the threshold split by developer or country (the largest `top`, then others)."""
    label = "developer" if by == "developer" else "country"
    part = rows[rows["threshold"] == threshold] if not rows.empty else rows
    title = f"Models at or above {power(threshold)} FLOP, per year, by {label}"
    if part.empty:
        return empty_figure(title, "No model with a compute figure crosses this threshold under these filters.")
    leaders = part.groupby(by)["models"].sum().sort_values(ascending=False).index[:top]
    part = part.assign(**{by: part[by].where(part[by].isin(leaders), "others")})
    part = part.groupby(["year", by], as_index=False).agg(models=("models", "sum"), above=("models_above", "first"))
    fig = go.Figure()
    for name in [*leaders, "others"]:
        own = part[part[by] == name]
        if own.empty:
            continue
        fig.add_bar(
            x=own["year"],
            y=own["models"],
            name=_plain(name),
            customdata=own["above"],
            hovertemplate=f"{_plain(name)}: %{{y}} of %{{customdata}} models above the threshold<extra>%{{x}}</extra>",
        )
    totals = part.groupby("year")["models"].sum()
    fig.add_scatter(
        x=totals.index,
        y=totals.values,
        mode="text",
        text=[f"n={n}" for n in totals.values],
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_layout(barmode="stack", xaxis_title="year of first release", yaxis_title="models")
    years = rows[rows["threshold"] == threshold].drop_duplicates("year")
    _year_ticks(fig, years[["year", "models_with_compute", "models_in_year"]])
    return base_layout(fig, title)


__all__ = ["CLOSED", "OPEN", "compute_frontier", "developers_chart", "gap", "power", "shares_chart"]
