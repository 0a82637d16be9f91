"""The timeline: every release event and incident on one time axis, in lanes."""

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import (
    FAMILY_COLOURS,
    FAMILY_LABELS,
    FAMILY_ORDER,
    INCIDENT_COLOURS,
    LEVEL_LABELS,
    base_layout,
    empty_figure,
)
from charts.dates import IMPRECISE, date_labels
from db import vocab

WEBGL_ABOVE = 1000
# About 120 bytes of figure JSON per point: 3,000 points keep the figure well under 1 MB.
MAX_POINTS = 3000
LANES = {"level": "openness level", "organization": "organisation"}
LABEL_ALL = 30  # up to this many points every point is labelled; above it only the LABEL_LARGEST largest models
LABEL_LARGEST = 8
INCIDENT_SYMBOL = "diamond"
RELEASE_SYMBOL = "circle"


def text(value) -> str:
    """Record text made safe for Plotly's HTML-like hover labels; missing values read 'unknown'."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return vocab.UNKNOWN
    return html.escape(str(value), quote=False)


def symbols(precisions: pd.Series, symbol: str) -> list[str]:
    """The marker of each point: filled when the day is known, open when only the month or year is."""
    return pd.Series(symbol, index=precisions.index).where(~precisions.isin(IMPRECISE), symbol + "-open").tolist()


def point_budget(n_releases: int, n_incidents: int, cap: int) -> tuple[int, int]:
    """How many release events and incidents to draw: all when they fit, else `cap` split in proportion.

    Proportional shares of the newest rows cover about the same recent stretch of time for both kinds.
    """
    if n_releases + n_incidents <= cap:
        return n_releases, n_incidents
    n_rel = min(n_releases, round(cap * n_releases / (n_releases + n_incidents)))
    return n_rel, min(n_incidents, cap - n_rel)


def release_lane(df: pd.DataFrame, lanes: str) -> pd.Series:
    """The lane of each release event: its openness level or its lead developer."""
    if lanes == "organization":
        return df["organization"].fillna(vocab.UNKNOWN).astype(str)
    return df["openness_level"].map(lambda v: LEVEL_LABELS.get(int(v), vocab.UNKNOWN) if pd.notna(v) else vocab.UNKNOWN)


def incident_lane(itype: str) -> str:
    return f"incident: {itype}"


def lane_order(releases: pd.DataFrame, incidents: pd.DataFrame, lanes: str) -> list[str]:
    """Lanes top to bottom: incident types, then release lanes (highest level or A-Z organisation first)."""
    order = [incident_lane(t) for t in vocab.INCIDENT_TYPES if t in set(incidents.get("type", []))]
    if lanes == "organization":
        present = sorted(set(release_lane(releases, lanes)), key=str.lower) if len(releases) else []
    else:
        levels = set(release_lane(releases, lanes)) if len(releases) else set()
        present = [LEVEL_LABELS[k] for k in sorted(LEVEL_LABELS, reverse=True) if LEVEL_LABELS[k] in levels]
        present += [vocab.UNKNOWN] if vocab.UNKNOWN in levels else []
    return order + present


def _source_column(part: pd.DataFrame) -> pd.Series:
    """One source address per point for the hover label (the first in alphabetical order, as the light query
    picks it); 'see details' when the rows carry none."""
    if "source" in part:
        first = part["source"]
    elif "source_urls" in part:
        first = part["source_urls"].map(lambda v: min(v.split()) if isinstance(v, str) and v.split() else None)
    else:
        first = pd.Series([None] * len(part), index=part.index)
    return first.map(lambda v: text(v) if isinstance(v, str) and v else "see details")


def point_labels(releases: pd.DataFrame, incidents: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The text beside each point: every model and incident when few are drawn, else only the largest models."""
    few = len(releases) + len(incidents) <= LABEL_ALL
    rel = releases["model"].map(text) if len(releases) else pd.Series(dtype="string")
    inc = incidents["title"].map(lambda t: text(str(t)[:32])) if len(incidents) else pd.Series(dtype="string")
    if few:
        return rel, inc
    sizes = releases["parameters"] if "parameters" in releases else pd.Series(index=releases.index, dtype=float)
    largest = set(sizes.dropna().sort_values(ascending=False).drop_duplicates().head(LABEL_LARGEST).index)
    rel = rel.where(releases.index.isin(largest), "")
    return rel.where(~rel.duplicated() | rel.eq(""), ""), pd.Series("", index=inc.index)


def label_args(labels: pd.Series) -> dict:
    """Text arguments for a trace: none at all when no point of it is labelled (keeps large figures small)."""
    if not labels.astype(bool).any():
        return {"mode": "markers"}
    return {
        "mode": "markers+text",
        "text": labels.tolist(),
        "textposition": np.where(np.arange(len(labels)) % 2 == 0, "top center", "bottom center").tolist(),
        "textfont": {"size": 9},
    }


def _release_trace(part: pd.DataFrame, family: str, lanes: str, scatter, labels) -> go.Scatter | go.Scattergl:
    custom = pd.DataFrame(
        {
            "item": "release:" + part["release_id"].astype(str),
            "model": part["model"].map(text),
            "date": date_labels(part["date"], part["date_precision"]),
            "event": part["event_type"].map(text),
            "source": _source_column(part),
        }
    )
    return scatter(
        x=part["date"],
        y=release_lane(part, lanes),
        **label_args(labels.loc[part.index]),
        name=FAMILY_LABELS.get(family, family),
        legendgroup="releases",
        legendgrouptitle_text="Release events by licence type",
        marker={
            "color": FAMILY_COLOURS.get(family, FAMILY_COLOURS[vocab.UNKNOWN]),
            "symbol": symbols(part["date_precision"], RELEASE_SYMBOL),
            "size": 9,
            "line": {"width": 1.5, "color": FAMILY_COLOURS.get(family, FAMILY_COLOURS[vocab.UNKNOWN])},
        },
        customdata=custom.to_numpy(),
        # The lane and colour already say level (or developer) and licence type; the rest is in the details panel.
        hovertemplate=(
            "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>event: %{customdata[3]}"
            "<br>source: %{customdata[4]}<extra>release event</extra>"
        ),
    )


def _incident_trace(part: pd.DataFrame, itype: str, scatter, labels) -> go.Scatter | go.Scattergl:
    custom = pd.DataFrame(
        {
            "item": "incident:" + part["incident_id"].astype(str),
            "title": part["title"].map(text),
            "date": date_labels(part["date"], part["date_precision"]),
            "status": part["status"].map(text),
            "source": _source_column(part),
        }
    )
    return scatter(
        x=part["date"],
        y=[incident_lane(itype)] * len(part),
        **label_args(labels.loc[part.index]),
        name=itype,
        legendgroup="incidents",
        legendgrouptitle_text="Incidents by type",
        marker={
            "color": INCIDENT_COLOURS.get(itype, FAMILY_COLOURS[vocab.UNKNOWN]),
            "symbol": symbols(part["date_precision"], INCIDENT_SYMBOL),
            "size": 11,
            "line": {"width": 1, "color": "#444444"},
        },
        customdata=custom.to_numpy(),
        hovertemplate=(
            "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>type: "
            + text(itype)
            + "<br>status: %{customdata[3]}<br>source: %{customdata[4]}<extra>incident</extra>"
        ),
    )


def timeline(releases: pd.DataFrame, incidents: pd.DataFrame, lanes: str = "level") -> go.Figure:
    """Release events (coloured by licence family) and incidents (by type, diamonds) in lanes on one date axis.

    Each point's customdata[0] is its item id ('release:<id>' or 'incident:<id>'), so a click can open it.
    WebGL markers are used above WEBGL_ABOVE points.
    """
    title = f"Release events by {LANES.get(lanes, lanes)} and incidents over time"
    if releases.empty and incidents.empty:
        return empty_figure(title)
    scatter = go.Scattergl if len(releases) + len(incidents) > WEBGL_ABOVE else go.Scatter
    rel_labels, inc_labels = point_labels(releases, incidents)
    fig = go.Figure()
    if not releases.empty:
        family = releases["licence_family"].fillna(vocab.UNKNOWN)
        for fam in [*FAMILY_ORDER, *sorted(set(family) - set(FAMILY_ORDER))]:
            part = releases[family == fam]
            if not part.empty:
                fig.add_trace(_release_trace(part, fam, lanes, scatter, rel_labels))
    for itype in [*vocab.INCIDENT_TYPES, *sorted(set(incidents.get("type", [])) - set(vocab.INCIDENT_TYPES))]:
        part = incidents[incidents["type"] == itype] if not incidents.empty else incidents
        if not part.empty:
            fig.add_trace(_incident_trace(part, itype, scatter, inc_labels))
    order = lane_order(releases, incidents, lanes)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(reversed(order)), title_text=None)
    fig.update_xaxes(type="date", rangeslider={"visible": True, "thickness": 0.06}, title_text=None)
    base_layout(fig, title, height=max(420, 140 + 34 * len(order)))
    fig.update_layout(
        clickmode="event+select",
        dragmode="zoom",
        legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top", "xanchor": "left"},
    )
    return fig


def parse_item(raw: str | None) -> tuple[str, str] | None:
    """'release:<id>' or 'incident:<id>' -> (kind, id); anything else -> None."""
    if not raw or ":" not in raw:
        return None
    kind, _, item_id = raw.partition(":")
    ok = kind in ("release", "incident") and 0 < len(item_id) <= 128
    return (kind, item_id) if ok and all(c.isalnum() or c in "-._+" for c in item_id) else None


def plotted_rows(releases: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """The rows behind the timeline in one table: kind, id, date and the fields of its lane, colour and hover."""
    cols_r = [
        "kind",
        "id",
        "label",
        "date",
        "date_precision",
        "event_type",
        "openness_level",
        "openness",
        "organization",
        "licence",
        "licence_family",
    ]
    cols_i = ["kind", "id", "label", "date", "date_precision", "type", "status", "models"]
    frames = []
    if len(releases):
        frames.append(releases.assign(kind="release", id=releases["release_id"], label=releases["model"])[cols_r])
    if len(incidents):
        frames.append(incidents.assign(kind="incident", id=incidents["incident_id"], label=incidents["title"])[cols_i])
    if not frames:
        return pd.DataFrame(columns=sorted(set(cols_r) | set(cols_i)))
    return pd.concat(frames, ignore_index=True).sort_values(["date", "kind", "id"]).reset_index(drop=True)
