"""Coverage of the census: models and release events per year, by openness level, up to the cut-off."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import LEVEL_LABELS, LEVEL_ORDER, base_layout, empty_figure, level_colour

UNITS = ("models", "release events")
UNIT_TITLES = {
    "models": "Models, by the year and level of their first public release",
    "release events": "Release events, by year and level",
}


def coverage(rows: pd.DataFrame, cutoff: str | None) -> go.Figure:
    """Two stacked-bar panels (models, release events) with each year's total written on its bar.

    The year of the cut-off is labelled as partial ("to 30 Nov"), so a short last bar is not read as a fall.
    """
    title = "What the census holds per year" + (f" (data as of {cutoff})" if cutoff else "")
    if rows.empty:
        return empty_figure(title)
    fig = make_subplots(rows=2, cols=1, subplot_titles=[UNIT_TITLES[u] for u in UNITS], vertical_spacing=0.16)
    cut_year = int(cutoff[:4]) if cutoff else None
    for panel, unit in enumerate(UNITS, start=1):
        part = rows[rows["unit"] == unit]
        for level in LEVEL_ORDER:
            cell = part[part["openness_level"] == level]
            if cell.empty:
                continue
            fig.add_trace(
                go.Bar(
                    x=cell["year"],
                    y=cell["records"],
                    name=LEVEL_LABELS[level],
                    legendgroup=str(level),
                    showlegend=panel == 1,
                    marker_color=level_colour(level),
                    hovertemplate="%{x}: %{y} " + unit + " at level " + LEVEL_LABELS[level] + "<extra></extra>",
                ),
                row=panel,
                col=1,
            )
        totals = part.groupby("year")["records"].sum()
        labels = [
            f"{n}" + (f" (to {pd.Timestamp(cutoff):%d %b})" if cut_year and year == cut_year else "")
            for year, n in totals.items()
        ]
        fig.add_trace(
            go.Scatter(
                x=totals.index,
                y=totals.values,
                mode="text",
                text=labels,
                textposition="top center",
                showlegend=False,
                hoverinfo="skip",
                name=f"{unit} per year",
            ),
            row=panel,
            col=1,
        )
        fig.update_yaxes(title_text=unit, rangemode="tozero", tickformat="d", row=panel, col=1)
        fig.update_yaxes(range=[0, max(totals.max(), 1) * 1.18], row=panel, col=1)
    fig.update_xaxes(dtick=1, showticklabels=True)
    base_layout(fig, title, height=640)
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "v", "x": 1.01, "y": 1, "yanchor": "top", "traceorder": "normal"},
        legend_title_text="openness level",
        margin={"t": 90},
    )
    return fig
