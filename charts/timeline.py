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
# Under 80 bytes of figure JSON per point: 3,000 points keep the figure well under 1 MB.
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


HOVER_CHARS = 32  # a name or title in the hover label is cut to this many characters (the details panel has it all)
# Plotly's numeric marker symbols (open = filled + 100): a number costs 1-4 bytes a point, a name 7-13.
SYMBOL_NUMBERS = {"circle": 0, "circle-open": 100, "diamond": 2, "diamond-open": 102}


def hover_names(names: pd.Series, dates: pd.Series) -> list[str]:
    """The hover label of each point: its name (cut to HOVER_CHARS) and its date, as precisely as known."""
    cut = names.map(lambda v: v if len(str(v)) <= HOVER_CHARS else str(v)[: HOVER_CHARS - 3] + "...")
    return (cut.map(text) + "<br>" + dates).tolist()


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


def _label_trace(frame: pd.DataFrame, y: np.ndarray, labels: pd.Series, group: str, scatter) -> go.Scatter | None:
    """The labelled points' names as a text-only trace in the points' legend group (hidden with them), or None.

    Kept apart from the points so a large figure carries no text for its thousands of unlabelled points.
    """
    shown = labels.astype(bool).to_numpy()
    if not shown.any():
        return None
    return scatter(
        x=frame["date"].to_numpy()[shown],
        y=y[shown],
        text=labels[shown].tolist(),
        mode="text",
        textposition=np.where(np.arange(int(shown.sum())) % 2 == 0, "top center", "bottom center").tolist(),
        textfont={"size": 9},
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group,
        name=f"{group} labels",
    )


def _symbols(precisions: pd.Series, symbol: str) -> list[int]:
    return [SYMBOL_NUMBERS[s] for s in symbols(precisions, symbol)]


def _release_trace(part: pd.DataFrame, family: str, y: np.ndarray, scatter) -> go.Scatter | go.Scattergl:
    colour = FAMILY_COLOURS.get(family, FAMILY_COLOURS[vocab.UNKNOWN])
    return scatter(
        x=part["date"],
        y=y,
        mode="markers",
        name=FAMILY_LABELS.get(family, family),
        legendgroup="releases",
        legendgrouptitle_text="Release events by licence type",
        marker={
            "color": colour,
            "symbol": _symbols(part["date_precision"], RELEASE_SYMBOL),
            "size": 9,
            "line": {"width": 1.5, "color": colour},
        },
        customdata=[[int(i)] for i in part.index],
        hovertext=hover_names(part["model"], date_labels(part["date"], part["date_precision"])),
        # The lane and colour say level (or developer) and licence type; event and sources are in the details panel.
        hovertemplate="<b>%{hovertext}</b><extra>release event</extra>",
    )


def _incident_trace(part: pd.DataFrame, itype: str, y: np.ndarray, scatter) -> go.Scatter | go.Scattergl:
    return scatter(
        x=part["date"],
        y=y,
        mode="markers",
        name=itype,
        legendgroup="incidents",
        legendgrouptitle_text="Incidents by type",
        marker={
            "color": INCIDENT_COLOURS.get(itype, FAMILY_COLOURS[vocab.UNKNOWN]),
            "symbol": _symbols(part["date_precision"], INCIDENT_SYMBOL),
            "size": 11,
            "line": {"width": 1, "color": "#444444"},
        },
        customdata=[[int(i)] for i in part.index],
        hovertext=hover_names(part["title"], date_labels(part["date"], part["date_precision"])),
        hovertemplate="<b>%{hovertext}</b><extra>incident: " + text(itype) + "</extra>",
    )


def timeline(releases: pd.DataFrame, incidents: pd.DataFrame, lanes: str = "level") -> go.Figure:
    """Release events (coloured by licence family) and incidents (by type, diamonds) in lanes on one date axis.

    Each point's customdata[0] is its position among the release events then the incidents given (clicked_item
    turns it back into the item id), so a click can open it while a point costs few bytes. Lanes are numbered
    bottom to top and named by the y axis' tick labels. WebGL markers are used above WEBGL_ABOVE points.
    """
    title = f"Release events by {LANES.get(lanes, lanes)} and incidents over time"
    if releases.empty and incidents.empty:
        return empty_figure(title)
    releases = releases.reset_index(drop=True)
    incidents = incidents.reset_index(drop=True).set_axis(np.arange(len(incidents)) + len(releases))
    scatter = go.Scattergl if len(releases) + len(incidents) > WEBGL_ABOVE else go.Scatter
    order = list(reversed(lane_order(releases, incidents, lanes)))  # bottom to top
    position = {lane: i for i, lane in enumerate(order)}
    rel_y = release_lane(releases, lanes).map(position).to_numpy(np.int16) if len(releases) else None
    inc_y = incidents["type"].map(lambda t: position[incident_lane(t)]).to_numpy(np.int16) if len(incidents) else None
    rel_labels, inc_labels = point_labels(releases, incidents)
    fig = go.Figure()
    if not releases.empty:
        family = releases["licence_family"].fillna(vocab.UNKNOWN)
        for fam in [*FAMILY_ORDER, *sorted(set(family) - set(FAMILY_ORDER))]:
            mask = (family == fam).to_numpy()
            if mask.any():
                fig.add_trace(_release_trace(releases[mask], fam, rel_y[mask], scatter))
    for itype in [*vocab.INCIDENT_TYPES, *sorted(set(incidents.get("type", [])) - set(vocab.INCIDENT_TYPES))]:
        mask = (incidents["type"] == itype).to_numpy() if not incidents.empty else np.zeros(0, bool)
        if mask.any():
            fig.add_trace(_incident_trace(incidents[mask], itype, inc_y[mask], scatter))
    for frame, y, labels, group in (
        (releases, rel_y, rel_labels, "releases"),
        (incidents, inc_y, inc_labels, "incidents"),
    ):
        label = _label_trace(frame, y, labels, group, scatter) if len(frame) else None
        if label is not None:
            fig.add_trace(label)
    fig.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(order))),
        ticktext=order,
        range=[-0.6, len(order) - 0.4],
        zeroline=False,
        title_text=None,
    )
    fig.update_xaxes(type="date", rangeslider={"visible": True, "thickness": 0.06}, title_text=None)
    base_layout(fig, title, height=max(420, 140 + 34 * len(order)))
    fig.update_layout(
        clickmode="event+select",
        dragmode="zoom",
        legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top", "xanchor": "left"},
    )
    return fig


def clicked_item(releases: pd.DataFrame, incidents: pd.DataFrame, point: str | None) -> str | None:
    """The item id ('release:<id>' or 'incident:<id>') of a clicked point's customdata[0], given the frames the
    timeline was drawn from; None for anything that is not a position in them."""
    if point is None or not str(point).isdigit():
        return None
    i = int(point)
    if i < len(releases):
        return f"release:{releases['release_id'].iloc[i]}"
    if i < len(releases) + len(incidents):
        return f"incident:{incidents['incident_id'].iloc[i - len(releases)]}"
    return None


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
