"""The phone form of a figure (charts/phone.py): what it moves, and that it leaves the full form alone."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.phone import compact


def _two_legend_figure() -> go.Figure:
    fig = make_subplots(rows=2, cols=1)
    fig.add_trace(go.Scatter(x=[1, 2], y=["lane a", "lane b"], name="releases"), row=1, col=1)
    fig.add_trace(go.Bar(x=[1], y=[3], name="copyright", legend="legend2", legendgroup="inc"), row=2, col=1)
    fig.update_layout(
        title={"text": "A long chart title that would run off a phone's screen in one line"},
        legend={"orientation": "v", "x": 1.01},
        legend2={"orientation": "v", "x": 1.01, "y": 0.3},
        height=500,
    )
    fig.update_xaxes(rangeslider={"visible": True}, row=1, col=1)
    return fig


def test_the_phone_form_puts_legends_below_wraps_titles_and_names_inside():
    fig = _two_legend_figure()
    before = fig.to_plotly_json()
    phone = compact(fig)
    assert fig.to_plotly_json() == before, "the full form is not changed"
    assert all(t.legend in (None, "legend") for t in phone.data), "every trace in the one legend"
    legend = phone.layout.legend
    assert legend.orientation == "h" and (legend.yref, legend.y, legend.yanchor) == ("container", 0, "bottom")
    assert "<br>" in phone.layout.title.text
    assert phone.layout.yaxis.ticklabelposition == "inside top"  # the lanes' names
    assert phone.layout.yaxis2.ticklabelposition is None  # a numeric axis keeps its labels
    assert phone.layout.xaxis.rangeslider.visible is False
    assert phone.layout.height > 500 and phone.layout.margin.b >= legend.maxheight


def test_short_legend_names_share_a_row_and_long_ones_do_not():
    short = go.Figure([go.Bar(x=[1], y=[1], name=n) for n in ("a", "b", "c")])
    long = go.Figure([go.Bar(x=[1], y=[1], name=n) for n in ("open-weight share (levels 4 and 5)", "b")])
    assert compact(short).layout.legend.entrywidth == 0.5
    assert compact(long).layout.legend.entrywidth == 1
