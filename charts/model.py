"""Model profile figures: one model's openness path as a step chart across its release events."""

import pandas as pd
import plotly.graph_objects as go

from charts import INCIDENT_COLOURS, LEVEL_LABELS, LEVEL_ORDER, UNKNOWN_COLOUR, base_layout, empty_figure, level_colour
from charts.dates import date_labels
from charts.timeline import text
from db import vocab

INCIDENT_ROW = 5.6


def openness_path(releases: pd.DataFrame, model: str, incidents: pd.DataFrame | None = None) -> go.Figure:
    """The openness level after each release event as a step line; markers coloured by level.

    Linked incidents, when given, sit as diamonds along the top of the chart on the same date axis.
    """
    title = f"{model}: openness after each release event"
    if releases.empty:
        return empty_figure(title, "No release events are recorded for this model.")
    custom = pd.DataFrame(
        {
            "date": date_labels(releases["date"], releases["date_precision"]),
            "level": releases["openness_level"].map(lambda v: LEVEL_LABELS.get(int(v), vocab.UNKNOWN)),
            "event": releases["event_type"].map(text),
            "licence": releases["licence"].map(text),
            "gating": releases["gating"].map(text),
            "notes": releases["notes"].map(lambda v: text(v) if pd.notna(v) else "none"),
            "id": releases["release_id"],
        }
    )
    fig = go.Figure(
        go.Scatter(
            x=releases["date"],
            y=releases["openness_level"],
            mode="lines+markers",
            line={"shape": "hv", "color": UNKNOWN_COLOUR, "width": 2},
            marker={
                "color": [level_colour(v) for v in releases["openness_level"]],
                "size": 14,
                "line": {"width": 1, "color": "#444444"},
            },
            name="release events",
            customdata=custom.to_numpy(),
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>openness: %{customdata[1]}<br>event: %{customdata[2]}"
                "<br>licence: %{customdata[3]}<br>gating: %{customdata[4]}<br>notes: %{customdata[5]}"
                "<extra>%{customdata[6]}</extra>"
            ),
        )
    )
    if incidents is not None and not incidents.empty:
        fig.add_trace(
            go.Scatter(
                x=incidents["date"],
                y=[INCIDENT_ROW] * len(incidents),
                mode="markers",
                name="linked incidents",
                marker={
                    "symbol": "diamond",
                    "size": 12,
                    "color": [INCIDENT_COLOURS.get(t, UNKNOWN_COLOUR) for t in incidents["type"]],
                    "line": {"width": 1, "color": "#444444"},
                },
                customdata=pd.DataFrame(
                    {"title": incidents["title"].map(text), "type": incidents["type"].map(text)}
                ).to_numpy(),
                hovertemplate="<b>%{customdata[0]}</b><br>%{x}<br>type: %{customdata[1]}<extra>incident</extra>",
            )
        )
    fig.update_yaxes(
        range=[-0.5, INCIDENT_ROW + 0.4],
        tickvals=[*LEVEL_ORDER, INCIDENT_ROW] if incidents is not None and len(incidents) else LEVEL_ORDER,
        ticktext=[LEVEL_LABELS[k] for k in LEVEL_ORDER]
        + (["incidents"] if incidents is not None and len(incidents) else []),
        title_text="openness level",
        zeroline=False,
    )
    fig.update_xaxes(type="date", title_text=None)
    base_layout(fig, title, height=420)
    fig.update_layout(showlegend=incidents is not None and not incidents.empty)
    return fig


def component_table(releases: pd.DataFrame) -> pd.DataFrame:
    """Component openness per release event (open / partial / closed / unknown), missing values as unknown."""
    cols = ["release_id", "date", "date_precision", "event_type", *vocab.COMPONENTS]
    return releases[cols].fillna({c: vocab.UNKNOWN for c in vocab.COMPONENTS}).reset_index(drop=True)


def parameters_label(value) -> str:
    """A parameter count in words: '1.5 billion (1,500,000,000)', or 'undisclosed'."""
    if value is None or pd.isna(value):
        return "undisclosed"
    n = int(value)
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if n >= size:
            return f"{n / size:.3g} {word} ({n:,})"
    return f"{n:,}"


def sources_table(cited: pd.DataFrame) -> pd.DataFrame:
    """One row per source with the records it is cited for."""
    cols = ["url", "title", "publisher", "date_published", "date_accessed"]
    if cited.empty:
        return pd.DataFrame(columns=["source_id", *cols, "cited_for"])
    grouped = cited.groupby("source_id", sort=True)
    out = grouped[cols].first()
    out["cited_for"] = grouped["entity_id"].agg(lambda ids: "; ".join(sorted(set(ids))))
    return out.reset_index()
