"""Overview figures: openness shares by year beside incidents by year, with key events."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import INCIDENT_COLOURS, LEVEL_COLOURS, LEVEL_LABELS, LEVEL_ORDER, base_layout, empty_figure
from db import vocab


def level_shares(by_year_level: pd.DataFrame) -> pd.DataFrame:
    """Add each level's share of the year's release events (0-1)."""
    df = by_year_level.copy()
    df["share"] = df["releases"] / df.groupby("year")["releases"].transform("sum")
    return df


def openness_and_incidents(
    by_year_level: pd.DataFrame, by_year_type: pd.DataFrame, key_events: pd.DataFrame | None = None
) -> go.Figure:
    """Two stacked panels on one year axis: share of releases per level, incidents per type."""
    title = "Release events by openness level (share per year) and incidents per year"
    if by_year_level.empty and by_year_type.empty:
        return empty_figure(title)
    shares = level_shares(by_year_level) if not by_year_level.empty else by_year_level
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.45, 0.2, 0.35],
        subplot_titles=("Share of release events by openness level", "Key events", "Incidents by type"),
    )
    for level in LEVEL_ORDER:
        part = shares[shares["openness_level"] == level] if not shares.empty else shares
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part["share"],
                name=LEVEL_LABELS[level],
                marker_color=LEVEL_COLOURS[level],
                customdata=part["releases"],
                hovertemplate="%{x}: %{y:.0%} (%{customdata} events)<extra>" + LEVEL_LABELS[level] + "</extra>",
                legendgroup="levels",
                legendgrouptitle_text="Openness",
            ),
            row=1,
            col=1,
        )
    for itype in vocab.INCIDENT_TYPES:
        part = by_year_type[by_year_type["type"] == itype]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["year"],
                y=part["incidents"],
                name=itype,
                marker_color=INCIDENT_COLOURS[itype],
                hovertemplate="%{x}: %{y} " + itype + "<extra></extra>",
                legendgroup="incidents",
                legendgrouptitle_text="Incidents",
            ),
            row=3,
            col=1,
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(tickformat=".0%", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text="incidents", row=3, col=1)
    fig.update_yaxes(visible=False, range=[-0.5, 4.6], row=2, col=1)
    fig.update_xaxes(dtick=1, row=3, col=1)
    if key_events is not None and not key_events.empty:
        lane = [4 - n % 5 for n in range(len(key_events))]
        fig.add_trace(
            go.Scatter(
                x=[fractional_year(d) for d in key_events["date"]],
                y=lane,
                mode="markers+text",
                text=key_events["label"],
                textposition="middle right",
                textfont={"size": 10},
                marker={"symbol": "diamond", "size": 8, "color": "#888888"},
                customdata=key_events["date"],
                hovertemplate="%{text} (%{customdata})<extra></extra>",
                showlegend=False,
                name="key events",
            ),
            row=2,
            col=1,
        )
    base_layout(fig, title, height=760)
    fig.update_layout(legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"})
    return fig


def fractional_year(day: str) -> float:
    """2019-07-01 -> 2019.5-ish, so events sit inside their year's bar."""
    ts = pd.Timestamp(day)
    return ts.year - 0.5 + (ts.day_of_year - 1) / (366 if ts.is_leap_year else 365)
