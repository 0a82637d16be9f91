"""Pure figure builders: DataFrame in, go.Figure out. No Streamlit, no queries.

The order of the six openness levels and the licence families is defined here once;
every colour lives in charts.palettes.
"""

import plotly.graph_objects as go

from charts.palettes import FAMILY_COLOURS, INCIDENT_COLOURS, LEVEL_COLOURS, UNKNOWN_COLOUR  # noqa: F401
from db import vocab

LEVEL_ORDER = list(vocab.OPENNESS_LEVELS)
LEVEL_LABELS = {k: f"{k} {v}" for k, v in vocab.OPENNESS_LEVELS.items()}
FAMILY_ORDER = [*vocab.LICENCE_FAMILIES, vocab.UNKNOWN]
FAMILY_LABELS = {**vocab.LICENCE_FAMILY_LABELS, vocab.UNKNOWN: "unknown"}


def level_colour(level) -> str:
    """The colour of an openness level; grey when unknown."""
    try:
        return LEVEL_COLOURS[int(level)]
    except (TypeError, ValueError, KeyError):
        return UNKNOWN_COLOUR


def base_layout(fig: go.Figure, title: str, height: int = 460) -> go.Figure:
    """Shared layout: title, height, horizontal legend, no theme-specific colours."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        hoverlabel={"namelength": -1},
    )
    return fig


def empty_figure(title: str, message: str = "No records match these filters.") -> go.Figure:
    """A figure that says it has nothing to show, rather than an empty axis."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title, height=300)


def legend_entry(name: str, marker: dict, **kwargs) -> go.Scatter:
    """A legend-only trace: a marker that names a colour or shape and draws nothing on the axes."""
    return go.Scatter(x=[None], y=[None], mode="markers", name=name, marker=marker, hoverinfo="skip", **kwargs)
