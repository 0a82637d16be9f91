"""Data-quality figures for the Data and method page."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import base_layout, empty_figure
from charts.palettes import PRECISION_COLOURS
from db import vocab


def date_precision(rows: pd.DataFrame) -> go.Figure:
    """Records per year, stacked by how precisely they are dated, release events and incidents side by side."""
    title = "How precisely each record is dated"
    if rows.empty:
        return empty_figure(title)
    kinds = ["release events", "incidents"]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=[k.capitalize() for k in kinds])
    shown: set[str] = set()
    for col, kind in enumerate(kinds, start=1):
        part = rows[rows["kind"] == kind]
        for precision in vocab.DATE_PRECISIONS:
            cell = part[part["date_precision"] == precision]
            if cell.empty:
                continue
            fig.add_trace(
                go.Bar(
                    x=cell["year"],
                    y=cell["records"],
                    name=precision,
                    legendgroup=precision,
                    showlegend=precision not in shown,
                    marker_color=PRECISION_COLOURS[precision],
                    hovertemplate="%{x}: %{y} dated to the " + precision + "<extra>" + kind + "</extra>",
                ),
                row=1,
                col=col,
            )
            shown.add(precision)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title_text="records", col=1)
    base_layout(fig, title, height=380)
    fig.update_layout(barmode="stack", legend={"orientation": "v", "x": 1.01, "y": 1, "yanchor": "top"})
    fig.update_layout(legend_title_text="dated to the")
    return fig


def palette_swatches(palettes: dict[str, dict]) -> go.Figure:
    """Every palette as a row of labelled swatches: the one colour system all pages draw with."""
    fig = go.Figure()
    names = list(palettes)
    for row, name in enumerate(names):
        colours = palettes[name]
        labels = [str(k) if name != "openness levels" else f"{k} {vocab.OPENNESS_LEVELS[k]}" for k in colours]
        fig.add_trace(
            go.Scatter(
                x=list(range(len(colours))),
                y=[row] * len(colours),
                mode="markers+text",
                marker={"symbol": "square", "size": 26, "color": list(colours.values()), "line": {"width": 1}},
                text=labels,
                textposition="bottom center",
                textfont={"size": 10},
                customdata=list(colours.values()),
                hovertemplate="%{text}: %{customdata}<extra>" + name + "</extra>",
                name=name,
                showlegend=False,
            )
        )
    fig.update_yaxes(
        tickvals=list(range(len(names))), ticktext=names, autorange="reversed", showgrid=False, zeroline=False
    )
    fig.update_xaxes(visible=False, range=[-0.6, max(len(p) for p in palettes.values()) - 0.3])
    return base_layout(
        fig, "The palettes: one per kind of category, openness colours for openness only", 120 + 70 * len(names)
    )
