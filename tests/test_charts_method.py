"""The data-quality figure of the Data and method page, checked on its traces."""

from charts.method import date_precision
from db import queries


def test_precision_bars_add_up_to_every_dated_record(fixture_engine):
    rows = queries.date_precision_by_year(fixture_engine)
    fig = date_precision(rows)
    total = sum(sum(trace.y) for trace in fig.data)
    counts = queries.row_counts(fixture_engine)
    assert total == counts["releases"] + counts["incidents"] == 10
    # Fixture: two release events and the LLaMA leak incident are dated to the month only.
    month = [t for t in fig.data if t.name == "month"]
    assert sum(sum(t.y) for t in month) == 3
    assert {t.name for t in fig.data} <= {"day", "month", "year"}
    assert [t.showlegend for t in fig.data if t.xaxis == "x2"] == [False] * len(
        [t for t in fig.data if t.xaxis == "x2"]
    )


def test_no_rows_gives_a_figure_that_says_so():
    import pandas as pd

    fig = date_precision(pd.DataFrame(columns=["year", "kind", "date_precision", "records"]))
    assert fig.data == () and "No records" in fig.layout.annotations[0].text
