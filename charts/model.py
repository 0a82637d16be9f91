"""Model profile figures: one model's openness path as a step chart across its release events."""

import re

import pandas as pd
import plotly.graph_objects as go

from charts import INCIDENT_COLOURS, LEVEL_LABELS, LEVEL_ORDER, UNKNOWN_COLOUR, base_layout, empty_figure, level_colour
from charts.dates import date_labels, period_spans
from charts.timeline import symbols, text
from db import vocab

INCIDENT_ROW = 5.6
LANE_STEP = 0.22  # how far apart events close in time are stepped
NEAR_DAYS = 45  # events within this many days of the previous one get the next step
SIZE_RE = re.compile(r"-(\d+(?:\.\d+)?[kmbt])$", re.IGNORECASE)


def size_class(release_id: str) -> str:
    """The size a release id names at its end ('gpt-2-2019-02-124m' -> '124M'), or '' when it names none."""
    found = SIZE_RE.search(str(release_id))
    return found.group(1).upper() if found else ""


def point_lanes(dates: pd.Series, window_days: int = NEAR_DAYS) -> list[int]:
    """A small vertical step for each event that falls within `window_days` of the one before it (same day
    included), so events close in time stay apart instead of hiding under one another."""
    days = pd.to_datetime(dates.astype("string").str[:10]).tolist()
    lanes: list[int] = []
    for i, day in enumerate(days):
        near = i > 0 and (day - days[i - 1]).days <= window_days
        lanes.append(lanes[-1] + 1 if near else 0)
    return lanes


def label_sides(dates: pd.Series) -> list[str]:
    """Labels alternate above and below; in the last third of the time span they sit to the left, inside the plot."""
    days = pd.to_datetime(dates.astype("string").str[:10])
    span = (days.max() - days.min()) or pd.Timedelta(days=1)
    late = ((days - days.min()) / span > 2 / 3).tolist()
    return [f"{'top' if i % 2 == 0 else 'bottom'} {'left' if lt else 'right'}" for i, lt in enumerate(late)]


def openness_path(releases: pd.DataFrame, model: str, incidents: pd.DataFrame | None = None) -> go.Figure:
    """The openness level after each release event as a step line; markers coloured by level and labelled.

    Each point is labelled with its event kind and the size its release names; events close in time are
    stepped apart so each stays visible; month- or year-dated events are open markers with a bar over the
    period. Linked incidents sit as labelled diamonds along the top. customdata[0] is the release or incident id.
    """
    title = f"{model}: openness after each release event"
    if releases.empty:
        return empty_figure(title, "No release events are recorded for this model.")
    releases = releases.sort_values(["date", "openness_level", "release_id"]).reset_index(drop=True)
    when = date_labels(releases["date"], releases["date_precision"])
    custom = pd.DataFrame(
        {
            "id": releases["release_id"],
            "date": when,
            "level": releases["openness_level"].map(lambda v: LEVEL_LABELS.get(int(v), vocab.UNKNOWN)),
            "event": releases["event_type"].map(text),
            "licence": releases["licence"].map(text),
            "gating": releases["gating"].map(text),
            "notes": releases["notes"].map(lambda v: text(v) if pd.notna(v) else "none"),
        }
    )
    sizes = releases["release_id"].map(size_class)
    labels = (releases["event_type"].map(text) + " " + sizes).str.strip() + " · " + when
    y = releases["openness_level"] + LANE_STEP * pd.Series(point_lanes(releases["date"]))
    fig = go.Figure(
        go.Scatter(
            x=releases["date"],
            y=releases["openness_level"],
            mode="lines",
            line={"shape": "hv", "color": UNKNOWN_COLOUR, "width": 2},
            name="openness path",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    span_x, span_y = period_spans(releases["date"], releases["date_precision"], y.tolist())
    if span_x:
        fig.add_trace(
            go.Scatter(
                x=span_x,
                y=span_y,
                mode="lines",
                line={"color": "#444444", "width": 4},
                opacity=0.5,
                name="dated to the month or year (bar: the period)",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=releases["date"],
            y=y,
            mode="markers+text",
            text=labels,
            textposition=label_sides(releases["date"]),
            textfont={"size": 11},
            marker={
                "color": [level_colour(v) for v in releases["openness_level"]],
                "symbol": symbols(releases["date_precision"], "circle"),
                "size": 14,
                "line": {"width": 2, "color": [level_colour(v) for v in releases["openness_level"]]},
            },
            name="release events",
            customdata=custom.to_numpy(),
            hovertemplate=(
                "<b>%{customdata[1]}</b><br>openness: %{customdata[2]}<br>event: %{customdata[3]}"
                "<br>licence: %{customdata[4]}<br>gating: %{customdata[5]}<br>notes: %{customdata[6]}"
                "<extra>%{customdata[0]}</extra>"
            ),
        )
    )
    has_incidents = incidents is not None and not incidents.empty
    if has_incidents:
        lanes = pd.Series(point_lanes(incidents["date"]))
        fig.add_trace(
            go.Scatter(
                x=incidents["date"],
                y=(INCIDENT_ROW - LANE_STEP * lanes).tolist(),
                mode="markers+text",
                text=incidents["type"].map(text),
                textposition="middle right",
                textfont={"size": 10},
                name="linked incidents",
                marker={
                    "symbol": "diamond",
                    "size": 12,
                    "color": [INCIDENT_COLOURS.get(t, UNKNOWN_COLOUR) for t in incidents["type"]],
                    "line": {"width": 1, "color": "#444444"},
                },
                customdata=pd.DataFrame(
                    {
                        "id": incidents["incident_id"],
                        "title": incidents["title"].map(text),
                        "type": incidents["type"].map(text),
                        "date": date_labels(incidents["date"], incidents["date_precision"]),
                    }
                ).to_numpy(),
                hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[3]}<br>type: %{customdata[2]}"
                "<extra>incident</extra>",
            )
        )
    fig.update_yaxes(
        range=[-0.5, INCIDENT_ROW + 0.4],
        tickvals=[*LEVEL_ORDER, INCIDENT_ROW] if has_incidents else LEVEL_ORDER,
        ticktext=[LEVEL_LABELS[k] for k in LEVEL_ORDER] + (["incidents"] if has_incidents else []),
        title_text="openness level",
        zeroline=False,
    )
    fig.update_xaxes(type="date", title_text=None)
    base_layout(fig, title, height=480)
    fig.update_layout(clickmode="event+select", legend={"orientation": "h", "y": -0.12, "yanchor": "top"})
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
