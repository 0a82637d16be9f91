"""Openness against risk and against scale: incident links by openness level, lag to first incident, model size."""

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import LEVEL_LABELS, LEVEL_ORDER, UNKNOWN_COLOUR, base_layout, empty_figure, level_colour
from db import vocab

UNKNOWN_LEVEL = "unknown level"
LEVEL_AXIS = [*(LEVEL_LABELS[lv] for lv in LEVEL_ORDER), UNKNOWN_LEVEL]

# Paul Tol's muted scheme for pathways; his high-contrast scheme for yes / no / disputed.
PATHWAY_COLOURS: dict[str, str] = {
    "training-data": "#332288",
    "downloaded-weights": "#44AA99",
    "api-or-hosted": "#88CCEE",
    "leak": "#CC6677",
    "output-harm": "#DDCC77",
    "other": "#AA4499",
}
MATTERED_COLOURS: dict[str, str] = {"yes": "#BB5566", "no": "#004488", "disputed": "#DDAA33"}
WEIGHTS = {"count": "incident links (count)", "severity": "incident links weighted by severity (0-3)"}
MEASURES = {"parameters": "Parameters", "training_compute_flop": "Training compute (FLOP)"}


def plain(text) -> str:
    """Data text made safe for Plotly's HTML-like labels (Plotly decodes &amp; &lt; &gt; but not &quot;)."""
    return html.escape(str(text), quote=False)


def level_label(level) -> str:
    """'4 downloadable' for a level, 'unknown level' when missing."""
    if level is None or pd.isna(level):
        return UNKNOWN_LEVEL
    return LEVEL_LABELS.get(int(level), UNKNOWN_LEVEL)


def risk_table(links: pd.DataFrame, weight: str = "count") -> pd.DataFrame:
    """Incident links per openness level, split two ways: by pathway and by whether openness mattered.

    Columns: level, split ('pathway' or 'openness_mattered'), category, links, value (count or severity sum).
    """
    cols = ["level", "split", "category", "links", "value"]
    if links.empty:
        return pd.DataFrame(columns=cols)
    df = links.assign(
        level=links["openness_level"].map(level_label),
        w=1 if weight == "count" else links["severity"].fillna(0).astype(int),
    )
    parts = []
    for split in ("pathway", "openness_mattered"):
        g = df.assign(category=df[split].fillna(vocab.UNKNOWN)).groupby(["level", "category"], as_index=False)
        agg = g.agg(links=("w", "size"), value=("w", "sum")).assign(split=split)
        parts.append(agg)
    return pd.concat(parts, ignore_index=True)[cols]


def models_per_level(models: pd.DataFrame) -> dict[str, int]:
    """How many models sit at each openness level (their highest level among the filtered releases)."""
    if models.empty:
        return {}
    return models["openness_level"].map(level_label).value_counts().to_dict()


def incidents_by_level(links: pd.DataFrame, models: pd.DataFrame, weight: str = "count", year: int | None = None):
    """Two panels of stacked bars per openness level: incident links by pathway, and by whether openness mattered."""
    upto = f" up to {year}" if year else ""
    title = f"Models by openness level against their linked incidents{upto}: {WEIGHTS[weight]}"
    table = risk_table(links, weight)
    if table.empty:
        return empty_figure(title, "No incident links match these filters.")
    n_models = models_per_level(models)
    present = set(table["level"]) | set(n_models)
    axis = [lv for lv in LEVEL_AXIS if lv in present or lv != UNKNOWN_LEVEL]
    ticks = [f"{lv}<br>({n_models.get(lv, 0)} models)" for lv in axis]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=("By pathway", "Did openness plausibly matter?"),
    )
    specs = (
        ("pathway", vocab.PATHWAYS, PATHWAY_COLOURS, 1, "Pathway"),
        ("openness_mattered", vocab.OPENNESS_MATTERED, MATTERED_COLOURS, 2, "Openness mattered"),
    )
    for split, order, colours, row, group in specs:
        part = table[table["split"] == split]
        extra = sorted(set(part["category"]) - set(order))
        for cat in [*order, *extra]:
            rows = part[part["category"] == cat].set_index("level").reindex(axis)
            if rows["links"].isna().all():
                continue
            fig.add_trace(
                go.Bar(
                    x=ticks,
                    y=rows["value"].fillna(0).tolist(),
                    name=cat,
                    marker_color=colours.get(cat, UNKNOWN_COLOUR),
                    customdata=rows["links"].fillna(0).astype(int).tolist(),
                    hovertemplate="%{x}<br>%{y} (%{customdata} links)<extra>" + plain(cat) + "</extra>",
                    legendgroup=split,
                    legendgrouptitle_text=group,
                ),
                row=row,
                col=1,
            )
    fig.update_layout(barmode="stack", bargap=0.2)
    fig.update_yaxes(title_text=weight)
    base_layout(fig, title, height=640)
    fig.update_layout(legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"})
    return fig


def lag_by_level(lag: pd.DataFrame) -> go.Figure:
    """Years from each model's first release to its first linked incident, one box per openness level."""
    title = "Lag from a model's first release to its first linked incident"
    if lag.empty:
        return empty_figure(title, "No model has a linked incident after its first release under these filters.")
    df = lag.assign(level=lag["openness_level"].map(level_label), years=lag["lag_days"] / 365.25)
    fig = go.Figure()
    for lv in LEVEL_AXIS:
        part = df[df["level"] == lv]
        if part.empty:
            continue
        colour = UNKNOWN_COLOUR if lv == UNKNOWN_LEVEL else level_colour(part["openness_level"].iloc[0])
        fig.add_trace(
            go.Box(
                x=[lv] * len(part),
                y=part["years"].tolist(),
                name=lv,
                marker_color=colour,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                customdata=np.stack(
                    [part["model"].map(plain), part["first_release"], part["first_incident"], part["lag_days"]],
                    axis=-1,
                ),
                hovertemplate="%{customdata[0]}<br>released %{customdata[1]}, first incident %{customdata[2]}"
                "<br>%{customdata[3]} days<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="years to first linked incident", rangemode="tozero")
    fig.update_xaxes(categoryorder="array", categoryarray=LEVEL_AXIS)
    base_layout(fig, title, height=420)
    fig.update_layout(showlegend=False)
    return fig


def scale_split(models: pd.DataFrame, measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Models with the measure disclosed, and those without it."""
    known = models[measure].notna()
    return models[known], models[~known]


def largest_by_level(models: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The largest disclosed model at each openness level, largest first."""
    known, _ = scale_split(models, measure)
    if known.empty:
        return pd.DataFrame(columns=["openness", "model", "organization", measure])
    top = known.sort_values(measure, ascending=False).drop_duplicates("openness_level")
    out = top.assign(openness=top["openness_level"].map(level_label))
    return out[["openness", "model", "organization", measure]].reset_index(drop=True)


def scale_over_time(models: pd.DataFrame, measure: str = "parameters") -> go.Figure:
    """Model size by first release date, log scale, coloured by openness level; undisclosed sizes in a strip below."""
    label = MEASURES[measure]
    if models.empty:
        return empty_figure(f"{label} by first release and openness level")
    known, missing = scale_split(models, measure)
    title = f"{label} by first release and openness level ({len(missing)} of {len(models)} models undisclosed)"
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.84, 0.16], vertical_spacing=0.04)
    levels = [*LEVEL_ORDER, None]
    for lv in levels:
        name = level_label(lv)
        pick = models["openness_level"].isna() if lv is None else models["openness_level"] == lv
        for part, row in ((known[pick[known.index]], 1), (missing[pick[missing.index]], 2)):
            if part.empty:
                continue
            y = part[measure].tolist() if row == 1 else _jitter(len(part))
            fig.add_trace(
                go.Scatter(
                    x=part["first_release"].tolist(),
                    y=y,
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1 or known[pick[known.index]].empty,
                    marker={
                        "color": level_colour(lv),
                        "size": 9,
                        "symbol": "circle" if row == 1 else "circle-open",
                        "line": {"width": 1.5 if row == 2 else 0.5, "color": level_colour(lv)},
                    },
                    customdata=np.stack([part["model"].map(plain), part["organization"].map(plain)], -1),
                    hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{x}<br>"
                    + ("%{y:.3s}" if row == 1 else "undisclosed")
                    + f"<extra>{name}</extra>",
                ),
                row=row,
                col=1,
            )
    fig.update_yaxes(type="log", title_text=label, row=1, col=1)
    fig.update_yaxes(
        range=[-0.5, 1.5], tickvals=[0.5], ticktext=[f"undisclosed ({len(missing)})"], showgrid=False, row=2, col=1
    )
    fig.update_xaxes(title_text="first release", row=2, col=1)
    base_layout(fig, title, height=560)
    fig.update_layout(legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"})
    return fig


def _jitter(n: int) -> list[float]:
    """Deterministic vertical spread so undisclosed points released close together stay visible."""
    return [(i % 5) / 4 for i in range(n)]
