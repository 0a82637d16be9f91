"""Openness against risk and against scale: incident links by openness level, lag to first incident, model size."""

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import LEVEL_LABELS, LEVEL_ORDER, UNKNOWN_COLOUR, base_layout, empty_figure, level_colour
from charts.palettes import MATTERED_COLOURS, PATHWAY_COLOURS
from db import vocab

UNKNOWN_LEVEL = "unknown level"
LEVEL_AXIS = [*(LEVEL_LABELS[lv] for lv in LEVEL_ORDER), UNKNOWN_LEVEL]

WEIGHTS = {
    "rate": "incidents per model",
    "count": "incident links (count)",
    "severity": "severity-weighted incidents per model (0-3)",
}
# Below this many models a level gets points, not a box; below this many disclosed values a chart is not drawn.
MIN_N = 10
# Above these counts the lag chart draws boxes without points and the scale chart the largest models only.
LAG_POINTS = 2000
SCALE_POINTS = 2000
MEASURES = {"parameters": "Parameters", "training_compute_flop": "Training compute (FLOP)"}


def plain(text) -> str:
    """Data text made safe for Plotly's HTML-like labels (Plotly decodes &amp; &lt; &gt; but not &quot;)."""
    return html.escape(str(text), quote=False)


def level_label(level) -> str:
    """'4 downloadable' for a level, 'unknown level' when missing."""
    if level is None or pd.isna(level):
        return UNKNOWN_LEVEL
    return LEVEL_LABELS.get(int(level), UNKNOWN_LEVEL)


def risk_table(links: pd.DataFrame) -> pd.DataFrame:
    """Incident links per openness level, split by pathway and by whether openness mattered (in pandas).

    The same rows as `db.queries.risk_by_level` counts in SQL: openness_level, split ('pathway' or
    'openness_mattered'), category, links (count) and severity (sum, missing counted as 0).
    """
    cols = ["openness_level", "split", "category", "links", "severity"]
    if links.empty:
        return pd.DataFrame(columns=cols)
    df = links.assign(sev=links["severity"].fillna(0).astype(int))
    parts = []
    for split in ("pathway", "openness_mattered"):
        g = df.assign(category=df[split].fillna(vocab.UNKNOWN)).groupby(
            ["openness_level", "category"], as_index=False, dropna=False
        )
        parts.append(g.agg(links=("sev", "size"), severity=("sev", "sum")).assign(split=split))
    return pd.concat(parts, ignore_index=True)[cols]


def by_level_label(table: pd.DataFrame, weight: str = "rate", n_models: dict[str, int] | None = None) -> pd.DataFrame:
    """Counts per (level label, split, category): `links`, `severity`, and `value` as the chosen weight.

    'rate' divides the links by the models released at the level (`n_models`), 'severity' the severity sum.
    """
    cols = ["level", "split", "category", "links", "severity", "value"]
    if table.empty:
        return pd.DataFrame(columns=cols)
    df = table.assign(level=table["openness_level"].map(level_label))
    df = df.groupby(["level", "split", "category"], as_index=False)[["links", "severity"]].sum()
    if weight == "count":
        return df.assign(value=df["links"].astype(float))[cols]
    models = df["level"].map(n_models or {}).astype(float)
    per = df["links"] if weight == "rate" else df["severity"]
    # a level with no model released at it (an incident before any release) has no rate: not drawn as zero
    return df.assign(value=(per / models.where(models > 0)).round(3))[cols]


def models_per_level(counts: pd.DataFrame) -> dict[str, int]:
    """Models per level label, from rows of (openness_level, models)."""
    if counts.empty:
        return {}
    return counts.groupby(counts["openness_level"].map(level_label))["models"].sum().astype(int).to_dict()


def integer_ticks(fig: go.Figure, top: float, **where) -> None:
    """Whole-number ticks on a count axis (Plotly would tick 0.5 incidents on a short axis)."""
    fig.update_yaxes(tickformat=",d", rangemode="tozero", **where)
    if top <= 10:
        fig.update_yaxes(dtick=1, **where)


def incidents_by_level(table: pd.DataFrame, counts: pd.DataFrame, weight: str = "rate", year: int | None = None):
    """Two panels of stacked bars per openness level: incidents by pathway, and by whether openness mattered.

    `table` holds link counts per level and category (`db.queries.risk_by_level`, each link at the level its
    model had when the incident began), `counts` the models released at each level. The bars show the chosen
    weight; the text over each bar says how many links and models it rests on.
    """
    upto = f" up to {year}" if year else ""
    title = f"Incidents by the openness level of the model when they began{upto}: {WEIGHTS[weight]}"
    n_models = models_per_level(counts)
    table = by_level_label(table, weight, n_models)
    if table.empty:
        return empty_figure(title, "No incident links match these filters.")
    present = set(table["level"]) | set(n_models)
    axis = [lv for lv in LEVEL_AXIS if lv in present or lv != UNKNOWN_LEVEL]
    ticks = [f"{lv}<br>({n_models.get(lv, 0)} models)" for lv in axis]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
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
                    y=rows["value"].tolist(),
                    name=cat,
                    marker_color=colours.get(cat, UNKNOWN_COLOUR),
                    customdata=rows["links"].fillna(0).astype(int).tolist(),
                    hovertemplate="%{x}<br>%{y} (%{customdata} links)<extra>" + plain(cat) + "</extra>",
                    legend="legend" if row == 1 else "legend2",
                    legendgrouptitle_text=group,
                    legendgroup=split,
                ),
                row=row,
                col=1,
            )
        totals = part.groupby("level")[["links", "value"]].sum(min_count=1).reindex(axis)
        fig.add_trace(
            go.Scatter(
                x=ticks,
                y=totals["value"].tolist(),
                mode="text",
                text=[
                    "" if pd.isna(k) else f"{int(k)} links / {n_models.get(lv, 0)} models"
                    for lv, k in zip(axis, totals["links"], strict=True)
                ],
                textposition="top center",
                showlegend=False,
                hoverinfo="skip",
                name=f"n ({split})",
            ),
            row=row,
            col=1,
        )
    fig.update_layout(barmode="stack", bargap=0.2)
    top = float(table.groupby(["split", "level"])["value"].sum().max() or 0)
    fig.update_yaxes(title_text=WEIGHTS[weight], range=[0, top * 1.25 or 1])
    if weight == "count":
        integer_ticks(fig, top)
        fig.update_yaxes(range=[0, top * 1.25 or 1])
    base_layout(fig, title, height=680)
    fig.update_layout(
        legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"},
        legend2={"orientation": "v", "y": 0.44, "x": 1.01, "yanchor": "top"},
    )
    return fig


def lag_capped(lag: pd.DataFrame, cap: int = LAG_POINTS) -> bool:
    """Whether the lag chart draws boxes only, without one point per model."""
    return len(lag) > cap


def lag_by_level(lag: pd.DataFrame, cap: int = LAG_POINTS) -> go.Figure:
    """Years from each model's first release to its first linked incident, one box per openness level.

    Up to `cap` models every model is a point over its box; above it the boxes are computed here
    (quartiles, median, mean and 1.5 IQR fences over every model) and no points are drawn.
    """
    title = (
        "Lag from a model's first release to its first linked incident, by level at that incident "
        f"(a box where n >= {MIN_N} models)"
    )
    if lag.empty:
        return empty_figure(title, "No model has a linked incident after its first release under these filters.")
    df = lag.assign(level=lag["openness_level"].map(level_label), years=lag["lag_days"] / 365.25)
    capped = lag_capped(lag, cap)
    fig = go.Figure()
    for lv in LEVEL_AXIS:
        part = df[df["level"] == lv]
        if part.empty:
            continue
        colour = UNKNOWN_COLOUR if lv == UNKNOWN_LEVEL else level_colour(part["openness_level"].iloc[0])
        if capped and len(part) >= MIN_N:
            fig.add_trace(_box_stats(lv, part["years"], colour))
            continue
        few = len(part) < MIN_N
        # Under MIN_N models a box's quartiles would be noise: the points alone, and the tick says why.
        shape = (
            go.Scatter(mode="markers", marker={"color": colour, "size": 9})
            if few
            else go.Box(marker_color=colour, boxpoints="all", jitter=0.4, pointpos=0)
        )
        fig.add_trace(
            shape.update(
                x=[lv] * len(part),
                y=part["years"].tolist(),
                name=lv,
                customdata=np.stack(
                    [part["model"].map(plain), part["first_release"], part["first_incident"], part["lag_days"]],
                    axis=-1,
                ),
                hovertemplate="%{customdata[0]}<br>released %{customdata[1]}, first incident %{customdata[2]}"
                "<br>%{customdata[3]} days<extra></extra>",
            )
        )
    counts = df["level"].value_counts()
    shown = [lv for lv in LEVEL_AXIS if lv in counts.index]
    ticks = [f"{lv}<br>n = {counts[lv]}" + (" (points only)" if counts[lv] < MIN_N else "") for lv in shown]
    fig.update_yaxes(title_text="years to first linked incident", rangemode="tozero")
    fig.update_xaxes(categoryorder="array", categoryarray=shown, tickvals=shown, ticktext=ticks)
    base_layout(fig, title, height=420)
    fig.update_layout(showlegend=False)
    return fig


def _box_stats(level: str, years: pd.Series, colour: str) -> go.Box:
    """A box drawn from statistics of every value, with no points (Plotly's own quartile method, linear)."""
    q1, med, q3 = (float(years.quantile(q)) for q in (0.25, 0.5, 0.75))
    iqr = q3 - q1
    low = float(years[years >= q1 - 1.5 * iqr].min())
    high = float(years[years <= q3 + 1.5 * iqr].max())
    return go.Box(
        x=[level],
        name=level,
        q1=[q1],
        median=[med],
        q3=[q3],
        lowerfence=[low],
        upperfence=[high],
        mean=[float(years.mean())],
        marker_color=colour,
        boxpoints=False,
    )


def scale_split(models: pd.DataFrame, measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Models with the measure disclosed, and those without it."""
    known = models[measure].notna()
    return models[known], models[~known]


def largest_by_level(models: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The largest disclosed model at each openness level, largest first."""
    known, _ = scale_split(models[["model", "organization", "openness_level", measure]], measure)
    if known.empty:
        return pd.DataFrame(columns=["openness", "model", "organization", measure])
    top = known.sort_values(measure, ascending=False).drop_duplicates("openness_level")
    out = top.assign(openness=top["openness_level"].map(level_label), **{measure: top[measure].map(figure_text)})
    return out[["openness", "model", "organization", measure]].reset_index(drop=True)


def figure_text(value) -> str:
    """A size or compute figure as text, so a table never shows overflow markers above 2^53: '1,500,000,000',
    or '3.14e+23' above a trillion."""
    return f"{int(value):,}" if value < 1e12 else f"{value:.3g}"


def scale_capped(models: pd.DataFrame, measure: str, cap: int = SCALE_POINTS) -> tuple[int, int] | None:
    """(drawn, disclosed) when the scale chart draws only the `cap` largest disclosed models, else None."""
    known = int(models[measure].notna().sum()) if not models.empty else 0
    return (cap, known) if known > cap else None


def strip_binned(models: pd.DataFrame, measure: str, cap: int = SCALE_POINTS) -> bool:
    """Whether the undisclosed strip draws one mark per level and month instead of one per model."""
    return not models.empty and int(models[measure].isna().sum()) > cap


def scale_over_time(
    models: pd.DataFrame, measure: str = "parameters", cap: int = SCALE_POINTS, min_n: int = MIN_N
) -> go.Figure:
    """Model size by first release date, log scale, coloured by openness level; undisclosed sizes in a strip below.

    Above `cap` disclosed models only the `cap` largest are drawn (WebGL), and above `cap` undisclosed
    ones the strip draws one mark per level and month of first release, its size and hover the count.
    Every model is still counted in the title and the strip's label.
    """
    label = MEASURES[measure]
    if models.empty:
        return empty_figure(f"{label} by first release and openness level")
    # Only the columns drawn: filtering rows of the whole frame (descriptions and all) costs more than the chart.
    known, missing = scale_split(models[["model", "organization", "openness_level", "first_release", measure]], measure)
    title = f"{label} by first release and openness level ({len(missing)} of {len(models)} models undisclosed)"
    if len(known) < min_n:
        return empty_figure(
            title,
            f"Only {len(known)} of {len(models)} models disclose {label.lower()}: too few to draw "
            f"(at least {min_n} needed). The table below lists them.",
        )
    big = len(known) > cap or len(missing) > cap
    if len(known) > cap:
        known = known.nlargest(cap, measure)
    binned = len(missing) > cap
    scatter = go.Scattergl if big else go.Scatter
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.84, 0.16], vertical_spacing=0.04)
    for lv in [*LEVEL_ORDER, None]:
        name = level_label(lv)
        k = known[known["openness_level"].isna() if lv is None else known["openness_level"] == lv]
        m = missing[missing["openness_level"].isna() if lv is None else missing["openness_level"] == lv]
        marker = {"color": level_colour(lv), "size": 9, "line": {"width": 0.5, "color": level_colour(lv)}}
        if not k.empty:
            fig.add_trace(
                scatter(
                    x=k["first_release"].tolist(),
                    y=k[measure].tolist(),
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    marker={**marker, "symbol": "circle"},
                    customdata=np.stack([k["model"].map(plain), k["organization"].map(plain)], -1),
                    hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{x}<br>%{y:.3s}" + f"<extra>{name}</extra>",
                ),
                row=1,
                col=1,
            )
        if m.empty:
            continue
        strip = {**marker, "symbol": "circle-open", "line": {"width": 1.5, "color": level_colour(lv)}}
        if binned:
            months = m["first_release"].astype(str).str[:7]
            per = months.value_counts().sort_index()
            trace = scatter(
                x=[f"{mo}-01" for mo in per.index],
                y=[(LEVEL_ORDER.index(lv) if lv in LEVEL_ORDER else len(LEVEL_ORDER)) / len(LEVEL_ORDER)] * len(per),
                customdata=per.tolist(),
                marker={**strip, "size": np.clip(4 + 2 * np.log2(per.to_numpy()), 4, 18).round(1).tolist()},
                hovertemplate="%{x|%b %Y}: %{customdata} undisclosed" + f"<extra>{name}</extra>",
            )
        else:
            trace = scatter(
                x=m["first_release"].tolist(),
                y=_jitter(len(m)),
                customdata=np.stack([m["model"].map(plain), m["organization"].map(plain)], -1),
                marker=strip,
                hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{x}<br>undisclosed" + f"<extra>{name}</extra>",
            )
        trace.update(mode="markers", name=name, legendgroup=name, showlegend=k.empty)
        fig.add_trace(trace, row=2, col=1)
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
