"""The phone form of any figure: the plot gets the width, legends go below, titles wrap.

A phone's screen leaves about 360 px for a chart. A legend beside the plot, a title in one line and lane
names on the axis would leave the plot itself some 60 px, so the compact form moves every legend below the
plot, wraps titles, draws category names inside the plot (above their lane) instead of beside it, and makes
the figure taller by what the legend needs. Side-by-side panels stay side by side.
"""

import textwrap

import plotly.graph_objects as go

TITLE_CHARS = 38  # characters per title line at the phone's title size
LEGEND_ROW_PX = 21
LEGEND_ITEMS_PER_ROW = 2
GROUP_GAP_PX = 12
LEGEND_SHORT_NAME = 20  # characters that fit in half a phone's width at the legend's size


def _wrap(text: str | None, width: int = TITLE_CHARS) -> str | None:
    if not text:
        return text
    plain = text.replace("<br>", " ")
    return "<br>".join(textwrap.wrap(plain, width=width)) or text


def _category_yaxes(fig: go.Figure) -> set[str]:
    """Layout names of the y axes that carry names (categories, named ticks, or text fed by a trace)."""
    found = {
        name
        for name in fig.layout
        if name.startswith("yaxis") and (fig.layout[name].type == "category" or fig.layout[name].ticktext)
    }
    for trace in fig.data:
        ys = getattr(trace, "y", None)
        first = next((v for v in (ys if ys is not None else ()) if v is not None), None)
        if isinstance(first, str):
            ref = getattr(trace, "yaxis", None) or "y"
            found.add("yaxis" + ref[1:])
    return found


def compact(fig: go.Figure) -> go.Figure:
    """A copy of the figure laid out for a phone (pure: no Streamlit)."""
    out = go.Figure(fig)
    # A figure with several legends (legend2, legend3 beside its panels) gets one legend below the plot.
    for trace in out.data:
        if getattr(trace, "legend", None) not in (None, "legend"):
            trace.legend = "legend"
    extra = [k for k in out.layout.to_plotly_json() if k.startswith("legend") and k[6:].isdigit()]
    if extra:
        out.update_layout({k: None for k in extra})
    shown = [t for t in out.data if t.showlegend is not False and t.name]
    names = [str(t.name) for t in shown]
    groups = {t.legendgroup for t in shown if t.legendgroup}
    titled = {t.legendgroup for t in out.data if getattr(t, "legendgrouptitle", None) and t.legendgrouptitle.text}
    # two entries a row when the names are short, else one: a cut name ("open-weight share (lev") misleads
    # (grouped entries stand one to a row whatever their length)
    short = all(len(n) <= LEGEND_SHORT_NAME for n in names) and not groups
    per_row = LEGEND_ITEMS_PER_ROW if short else 1
    legend_px = LEGEND_ROW_PX * (-(-len(shown) // per_row) + len(titled)) + GROUP_GAP_PX * len(groups)
    title = _wrap(out.layout.title.text)
    title_lines = title.count("<br>") + 1 if title else 0
    height = out.layout.height or 450
    out.update_layout(
        # the title at the very top of the figure, clear of the first panel's own title below it
        title={
            "text": title,
            "font": {"size": 15},
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        },
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # at the foot of the figure, below the axis labels whatever their size
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": 11},
            "entrywidth": 1 / per_row,
            "entrywidthmode": "fraction",
            # the whole legend, never a scrolling box: the figure grows by its height instead
            "maxheight": legend_px + 40,
        },
        margin={"l": 4, "r": 4, "t": 40 + 20 * title_lines, "b": 70 + legend_px},
        height=height + legend_px + 20 * max(title_lines - 1, 0),
        font={"size": 11},
    )
    for name in _category_yaxes(out):
        # lane and bar names above their lane, inside the plot, rather than a column of names beside it
        out.layout[name].update(ticklabelposition="inside top", tickfont={"size": 10}, automargin=True, title_text=None)
    # a range slider is too thin to use on a phone, and the legend goes where it was
    out.update_xaxes(rangeslider={"visible": False})
    for ann in out.layout.annotations:
        # subplot titles and notes wrap too
        if ann.text and len(ann.text) > TITLE_CHARS and ann.showarrow is False:
            ann.text = _wrap(ann.text, TITLE_CHARS + 8)
    return out
