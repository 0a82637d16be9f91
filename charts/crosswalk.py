"""The crosswalk's charts: how often each tracker agrees with our level, and where trackers disagree."""

import html

import pandas as pd
import plotly.graph_objects as go

from charts import UNKNOWN_COLOUR, base_layout, empty_figure

# Paul Tol's high-contrast scheme; 'not comparable' is the shared unknown grey.
VERDICT_COLOURS: dict[str, str] = {"agrees": "#004488", "disagrees": "#BB5566", "not comparable": UNKNOWN_COLOUR}
DIRECTION_COLOURS: dict[str, str] = {"level": "#DDAA33", "component": "#6699CC"}


def _plain(text) -> str:
    return html.escape(str(text), quote=False)


def agreement(rows: pd.DataFrame) -> go.Figure:
    """One horizontal bar per tracker, split into agrees / disagrees / not comparable, with each bar's n."""
    title = "How often each tracker's access class agrees with our openness level"
    if rows.empty:
        return empty_figure(title)
    fig = go.Figure()
    totals = rows.groupby("tracker", sort=False)["assessments"].sum()
    labels = {t: f"{_plain(t)} (n={n})" for t, n in totals.items()}
    for verdict, colour in VERDICT_COLOURS.items():
        part = rows[rows["verdict"] == verdict]
        share = ["" if pd.isna(v) else f" ({v:.0%} of compared)" for v in part["share_compared"]]
        fig.add_bar(
            name=verdict,
            y=[labels[t] for t in part["tracker"]],
            x=part["assessments"],
            orientation="h",
            marker_color=colour,
            text=part["assessments"],
            customdata=share,
            hovertemplate=f"%{{y}}<br>{verdict}: %{{x}}%{{customdata}}<extra></extra>",
        )
    fig.update_layout(barmode="stack", xaxis_title="assessments", yaxis={"autorange": "reversed"})
    return base_layout(fig, title, height=140 + 60 * len(totals))


def patterns(rows: pd.DataFrame) -> go.Figure:
    """Disagreements per pattern (rows) and tracker (colour shade by kind), largest first."""
    title = "Where trackers disagree with us: disagreements by pattern"
    if rows.empty:
        return empty_figure(title, "No disagreements with these filters.")
    ordered = rows.sort_values(["disagreements"], ascending=False)
    fig = go.Figure()
    for tracker, part in ordered.groupby("tracker", sort=False):
        fig.add_bar(
            name=_plain(tracker),
            y=[f"{k}: {_plain(p)}" for k, p in zip(part["kind"], part["pattern"], strict=True)],
            x=part["disagreements"],
            orientation="h",
            customdata=part["models"],
            hovertemplate=f"{_plain(tracker)}<br>%{{y}}: %{{x}}<br>%{{customdata}}<extra></extra>",
        )
    n_patterns = ordered.assign(label=ordered["kind"] + ordered["pattern"])["label"].nunique()
    fig.update_layout(barmode="stack", xaxis_title="disagreements (assessments)", yaxis={"autorange": "reversed"})
    return base_layout(fig, title, height=160 + 26 * n_patterns)


def side_by_side(rows: pd.DataFrame) -> pd.DataFrame:
    """The crosswalk as a table for reading: ours and theirs in adjacent columns, disagreements first."""
    if rows.empty:
        return rows
    out = pd.DataFrame(
        {
            "model": rows["model"],
            "tracker": rows["tracker"],
            "their name": rows["external_name"],
            "verdict": rows["verdict"],
            "pattern": rows["pattern"],
            "our level": [
                "none by the snapshot" if pd.isna(lv) else f"{int(lv)} {name}"
                for lv, name in zip(rows["our_level"], rows["our_level_name"], strict=True)
            ],
            "their class": rows["their_class"],
            "their class means": rows["their_levels"],
            "components that differ": rows["component_differences"],
            "our licence": rows["our_licence"],
            "their licence": rows["their_licence"],
            "our evidence": rows["our_release_id"].fillna("") + ": " + rows["our_evidence"].fillna(""),
            "our sources": rows["our_sources"],
            "their evidence": rows["their_evidence"],
            "their entry": rows["their_url"],
        }
    )
    rank = out["verdict"].map({"disagrees": 0, "agrees": 1}).fillna(2)
    return out.assign(_rank=rank).sort_values(["_rank", "model"], kind="stable").drop(columns="_rank")


def highlight(table: pd.DataFrame):
    """A Styler that tints disagreeing rows (the colour is a hint; the verdict column says it in words)."""

    def tint(row: pd.Series) -> list[str]:
        differs = row["verdict"] == "disagrees" or bool(row["components that differ"])
        return ["background-color: rgba(187, 85, 102, 0.18)" if differs else "" for _ in row]

    return table.style.apply(tint, axis=1)
