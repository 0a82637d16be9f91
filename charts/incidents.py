"""Incident figures: incidents over time in one lane per type, marker shape by status."""

import pandas as pd
import plotly.graph_objects as go

from charts import INCIDENT_COLOURS, UNKNOWN_COLOUR, base_layout, empty_figure, legend_entry
from charts.dates import date_labels, period_spans
from charts.timeline import text
from db import vocab

WEBGL_ABOVE = 300
MAX_INCIDENTS = 500  # the incidents page charts, lists and offers in its picker at most this many (the newest)
# One marker shape per status, so status reads without colour (colour is the type).
STATUS_SYMBOLS: dict[str, str] = dict(
    zip(
        vocab.INCIDENT_STATUSES,
        (
            "circle-open",
            "circle",
            "square",
            "triangle-up-open",
            "triangle-up",
            "triangle-down-open",
            "triangle-down",
            "star",
            "diamond",
            "hourglass",
            "cross-open",
            "cross",
            "x",
            "square-x",
            "hexagon-open",
            "diamond-x",
            "x-open",
            "pentagon-open",
        ),
        strict=True,
    )
)


def incident_timeline(incidents: pd.DataFrame) -> go.Figure:
    """Incidents by date in one lane per type (coloured by type); marker shape by status, size by severity.

    Each point's customdata[0] is the incident id. WebGL markers are used above WEBGL_ABOVE incidents.
    """
    title = "Incidents over time by type and status"
    if incidents.empty:
        return empty_figure(title)
    scatter = go.Scattergl if len(incidents) > WEBGL_ABOVE else go.Scatter
    fig = go.Figure()
    types = [t for t in vocab.INCIDENT_TYPES if t in set(incidents["type"])]
    types += sorted(set(incidents["type"]) - set(types))
    for itype in types:
        part = incidents[incidents["type"] == itype]
        custom = pd.DataFrame(
            {
                "id": part["incident_id"],
                "title": part["title"].map(text),
                "date": date_labels(part["date"], part["date_precision"]),
                "status": part["status"].map(text),
                "severity": part["severity"].map(lambda v: f"{v} {vocab.SEVERITY.get(v, vocab.UNKNOWN)}"),
                "models": part["models"].map(text),
            }
        )
        fig.add_trace(
            scatter(
                x=part["date"],
                y=[itype] * len(part),
                mode="markers",
                name=itype,
                legendgroup=itype,
                showlegend=False,
                marker={
                    "color": INCIDENT_COLOURS.get(itype, UNKNOWN_COLOUR),
                    "symbol": [STATUS_SYMBOLS.get(s, "circle-dot") for s in part["status"]],
                    "size": [9 + 3 * int(s) if pd.notna(s) else 9 for s in part["severity"]],
                    "line": {"width": 1.5, "color": INCIDENT_COLOURS.get(itype, UNKNOWN_COLOUR)},
                },
                customdata=custom.to_numpy(),
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>type: " + itype + "<br>status: %{customdata[3]}"
                    "<br>severity: %{customdata[4]}<br>models: %{customdata[5]}<extra></extra>"
                ),
            )
        )
    spans = [
        period_spans(
            incidents.loc[incidents["type"] == t, "date"], incidents.loc[incidents["type"] == t, "date_precision"], t
        )
        for t in types
    ]
    span_x = [x for xs, _ in spans for x in xs]
    if span_x:
        fig.add_trace(
            go.Scatter(
                x=span_x,
                y=[y for _, ys in spans for y in ys],
                mode="lines",
                line={"color": "#444444", "width": 3},
                opacity=0.45,
                name="dated to the month or year (bar: the period)",
                hoverinfo="skip",
            )
        )
    # Legend-only entries: types as plain circles (a point's own shape is its status), then the shapes.
    for itype in types:
        fig.add_trace(
            legend_entry(
                itype,
                {"color": INCIDENT_COLOURS.get(itype, UNKNOWN_COLOUR), "symbol": "circle", "size": 10},
                legendgroup=itype,
                legendgrouptitle_text="Type" if itype == types[0] else None,
            )
        )
    for status in [s for s in vocab.INCIDENT_STATUSES if s in set(incidents["status"])]:
        fig.add_trace(
            legend_entry(
                status,
                {"color": UNKNOWN_COLOUR, "symbol": STATUS_SYMBOLS[status], "size": 10},
                legendgroup="statuses",
                legendgrouptitle_text="Status",
            )
        )
    # Marker size is severity: say so, with the four sizes as drawn.
    shown_severities = sorted({int(s) for s in incidents["severity"].dropna()})
    for level in shown_severities:
        fig.add_trace(
            legend_entry(
                f"{level} {vocab.SEVERITY.get(level, vocab.UNKNOWN)}",
                {"color": UNKNOWN_COLOUR, "symbol": "circle-open", "size": 9 + 3 * level},
                legendgroup="severity",
                legendgrouptitle_text="Severity (marker size)",
            )
        )
    statuses = [s for s in vocab.INCIDENT_STATUSES if s in set(incidents["status"])]
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(types)))
    fig.update_xaxes(type="date")
    # Tall enough for the whole legend (types, statuses, severities, the period bar), never a scrolling box.
    legend_px = 24 * (len(types) + len(statuses) + len(shown_severities) + 4) + 12 * 4
    base_layout(fig, title, height=max(320, 140 + 40 * len(types), 80 + legend_px))
    fig.update_layout(
        legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top", "xanchor": "left", "maxheight": legend_px + 40}
    )
    return fig
