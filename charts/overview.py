"""Overview figures: the openness of each year's releases (with n) beside incidents per year, with key events."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import INCIDENT_COLOURS, LEVEL_COLOURS, LEVEL_LABELS, LEVEL_ORDER, base_layout, empty_figure
from charts.dates import date_labels
from charts.palettes import OPEN_SHARE_COLOUR
from db import vocab

MIN_N = 10  # a year with fewer models (or events) than this is drawn faded and named as thin
THIN_OPACITY = 0.35
OPEN_LEVELS = (4, 5)  # open weights: downloadable or fully open
POLICY = "policy"
UNITS = {"models": "models by their first release event", "events": "all release events"}
SERIES = {
    "levels": "share by openness level",
    "both": "shares and the open-weight share",
    "open": "open-weight share only",
}
KIND_SYMBOLS = {"release": "circle", "incident": "diamond", POLICY: "square"}


def year_table(cohorts: pd.DataFrame, cutoff: str | None = None, min_n: int = MIN_N) -> pd.DataFrame:
    """One row per year: n (all levels), n per level, the open-weight count and share, thin and partial flags."""
    if cohorts.empty:
        return pd.DataFrame(columns=["year", "n", "open", "open_share", "thin", "partial"])
    wide = cohorts.pivot_table(index="year", columns="openness_level", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=LEVEL_ORDER, fill_value=0)
    out = pd.DataFrame({"year": wide.index.astype(int), "n": wide.sum(axis=1).to_numpy()})
    for level in LEVEL_ORDER:
        out[level] = wide[level].to_numpy()
    out["open"] = out[list(OPEN_LEVELS)].sum(axis=1)
    out["open_share"] = out["open"] / out["n"]
    out["thin"] = out["n"] < min_n
    out["partial"] = out["year"].eq(partial_year(cutoff)) if cutoff else False
    return out.reset_index(drop=True)


def partial_year(cutoff: str) -> int | None:
    """The year the data stops inside of (None when the cut-off is 31 December)."""
    return None if str(cutoff)[5:10] == "12-31" else int(str(cutoff)[:4])


def year_ticks(years: list[int], cutoff: str | None) -> tuple[list[int], list[str]]:
    """Tick values and labels: the partial year says where the data stops."""
    part = partial_year(cutoff) if cutoff else None
    end = pd.Timestamp(cutoff).strftime("%d %b").lstrip("0") if part else ""
    return years, [f"{y}<br>(to {end})" if y == part else str(y) for y in years]


def add_release_traces(fig: go.Figure, years: pd.DataFrame, levels, unit: str, series: str, **where) -> None:
    """The share bars, the n labels and the open-weight line (onto a subplot when `where` names one)."""
    drawn = [lv for lv in LEVEL_ORDER if not levels or lv in levels]
    opacity = years["thin"].map({True: THIN_OPACITY, False: 1.0}).tolist()
    pattern = years["partial"].map({True: "/", False: ""}).tolist()
    noun = "models" if unit == "models" else "events"
    if series in ("levels", "both"):
        for level in drawn:
            if not years[level].any():
                continue
            fig.add_trace(
                go.Bar(
                    x=years["year"],
                    y=years[level] / years["n"],
                    name=LEVEL_LABELS[level],
                    marker={"color": LEVEL_COLOURS[level], "opacity": opacity, "pattern": {"shape": pattern}},
                    customdata=list(zip(years[level], years["n"], strict=True)),
                    hovertemplate="%{x}: %{y:.0%} (%{customdata[0]} of %{customdata[1]} " + noun + ")"
                    "<extra>" + LEVEL_LABELS[level] + "</extra>",
                    legendgroup="levels",
                    legendgrouptitle_text="Openness level",
                ),
                **where,
            )
    stack = years[drawn].sum(axis=1) / years["n"] if series != "open" else years["open_share"]
    fig.add_trace(
        go.Scatter(
            x=years["year"],
            y=(stack + 0.03).tolist(),
            mode="text",
            text=[f"n={n}" + (" thin" if thin else "") for n, thin in zip(years["n"], years["thin"], strict=True)],
            textfont={"size": 10},
            name="n per year",
            showlegend=False,
            hoverinfo="skip",
        ),
        **where,
    )
    if series in ("both", "open"):
        fig.add_trace(
            go.Scatter(
                x=years["year"],
                y=years["open_share"],
                mode="lines+markers",
                name="open-weight share (levels 4 and 5)",
                line={"color": OPEN_SHARE_COLOUR, "width": 2},
                marker={
                    "color": OPEN_SHARE_COLOUR,
                    "size": 9,
                    "symbol": years["thin"].map({True: "circle-open", False: "circle"}).tolist(),
                },
                customdata=list(zip(years["open"], years["n"], strict=True)),
                hovertemplate="%{x}: %{y:.0%} open weights (%{customdata[0]} of %{customdata[1]} "
                + noun
                + ")<extra></extra>",
                legendgroup="open",
            ),
            **where,
        )


def incident_counts(by_year_type: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Incidents per year and type, and policy events per year, kept apart."""
    policy = by_year_type["type"] == POLICY
    return by_year_type[~policy], by_year_type[policy]


def key_event_labels(events: pd.DataFrame, labels: dict[str, str]) -> pd.Series:
    """'GPT-2 124M (staged, 2019-02-14)': the curated label, what happened and the date as precisely as known."""
    when = date_labels(events["date"], events["date_precision"])
    return events["id"].map(labels).fillna(events["id"]) + " (" + events["what"] + ", " + when + ")"


def openness_and_incidents(
    cohorts: pd.DataFrame,
    by_year_type: pd.DataFrame,
    key_events: pd.DataFrame | None = None,
    *,
    levels: list[int] | None = None,
    unit: str = "models",
    series: str = "levels",
    cutoff: str | None = None,
    min_n: int = MIN_N,
) -> go.Figure:
    """Three panels, each with its own year axis: release openness shares with n, key events, incidents per year.

    Policy events are drawn apart from incidents (a grey line of their own), never stacked with them.
    """
    title = f"Openness of {UNITS[unit]} and incidents per year"
    if cohorts.empty and by_year_type.empty:
        return empty_figure(title)
    years = year_table(cohorts, cutoff, min_n)
    incidents, policy = incident_counts(by_year_type)
    fig = make_subplots(
        rows=3,
        cols=1,
        vertical_spacing=0.09,
        row_heights=[0.45, 0.2, 0.35],
        subplot_titles=(
            f"Openness of {UNITS[unit]} (share of each year's n)",
            "Key events (following the filters)",
            "Incidents per year by type; policy events apart",
        ),
    )
    if not years.empty:
        add_release_traces(fig, years, levels, unit, series, row=1, col=1)
    for itype in [t for t in vocab.INCIDENT_TYPES if t != POLICY]:
        part = incidents[incidents["type"] == itype]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part["incidents"],
                name=itype,
                marker_color=INCIDENT_COLOURS[itype],
                hovertemplate="%{x}: %{y} " + itype + " incidents<extra></extra>",
                legend="legend2",
                legendgroup="incidents",
                legendgrouptitle_text="Incidents by type",
            ),
            row=3,
            col=1,
        )
    if not policy.empty:
        fig.add_trace(
            go.Scatter(
                x=policy["year"],
                y=policy["incidents"],
                mode="lines+markers",
                name="policy events (context, not incidents)",
                line={"color": INCIDENT_COLOURS[POLICY], "dash": "dot"},
                marker={"symbol": KIND_SYMBOLS[POLICY], "color": INCIDENT_COLOURS[POLICY], "size": 8},
                hovertemplate="%{x}: %{y} policy events<extra></extra>",
                legend="legend2",
                legendgroup="policy",
            ),
            row=3,
            col=1,
        )
    if key_events is not None and not key_events.empty:
        add_key_events(fig, key_events)
    all_years = sorted(set(years.get("year", [])) | set(by_year_type["year"]))
    ticks, labels = year_ticks(all_years, cutoff)
    span = [min(ticks) - 0.6, max(ticks) + 0.6]
    for row in (1, 2, 3):
        fig.update_xaxes(tickvals=ticks, ticktext=labels, range=span, showticklabels=True, row=row, col=1)
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.12], row=1, col=1)
    top = max([*incidents.groupby("year")["incidents"].sum(), *policy["incidents"], 1])
    fig.update_yaxes(title_text="incidents", tickformat=",d", rangemode="tozero", row=3, col=1)
    if top <= 10:
        fig.update_yaxes(dtick=1, row=3, col=1)
    n_events = 0 if key_events is None else len(key_events)
    fig.update_yaxes(visible=False, range=[-0.6, max(n_events, 5) - 0.4], row=2, col=1)
    base_layout(fig, title, height=900)
    fig.update_layout(
        legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"},
        legend2={"orientation": "v", "y": 0.36, "x": 1.01, "yanchor": "top"},
    )
    return fig


def add_key_events(fig: go.Figure, events: pd.DataFrame) -> None:
    """Key events in lanes so that events of the same day all stay visible; the marker says the kind."""
    # one lane per event, oldest at the top: labels of events close in time (or on one day) never overlap
    lane = [len(events) - 1 - n for n in range(len(events))]
    fig.add_trace(
        go.Scatter(
            x=[fractional_year(d) for d in events["date"]],
            y=lane,
            mode="markers+text",
            text=events["label"],
            textposition="middle right",
            textfont={"size": 10},
            marker={
                "symbol": [KIND_SYMBOLS.get(k, "circle") for k in events["kind"]],
                "size": 9,
                "color": "#333333",
            },
            customdata=events["id"],
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            name="key events",
        ),
        row=2,
        col=1,
    )


def fractional_year(day: str) -> float:
    """2019-07-01 -> 2019.5-ish, so events sit inside their year's bar."""
    ts = pd.Timestamp(day)
    return ts.year - 0.5 + (ts.day_of_year - 1) / (366 if ts.is_leap_year else 365)
