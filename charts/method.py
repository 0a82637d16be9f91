"""Data-quality figures for the Data and method page."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts import base_layout, empty_figure
from db import vocab

# Ordered from most to least precise; the same sequential viridis stops as the openness levels, lightened.
PRECISION_COLOURS = {"day": "#277F8E", "month": "#4AC16D", "year": "#A0DA39"}


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
