"""Coverage of the census: what the data holds per year, by openness level and by inclusion clause."""

import pandas as pd
from sqlalchemy import Engine, func, literal, select, union_all

from db import schema as s
from db.queries.core import model_firsts, read
from db.validate import split_list
from db.vocab import INCLUSION_CLAUSES


def coverage_by_year_level(engine: Engine) -> pd.DataFrame:
    """Release events per year by openness level, and models per year of first release by that release's level.

    Columns: year, unit ("release events" or "models"), openness_level, records.
    A model's first release is its earliest event of level 1 or more (the first outside access, staged included);
    models never made public count under their earliest event, at level 0.
    """
    r = s.releases
    events = select(
        r.c.year, literal("release events").label("unit"), r.c.openness_level, func.count().label("records")
    ).group_by(r.c.year, r.c.openness_level)
    f = model_firsts().c  # each model's first public event, stored: ranking every event per model took seconds
    models = select(
        f.public_year.label("year"),
        literal("models").label("unit"),
        f.public_level.label("openness_level"),
        func.count().label("records"),
    ).group_by(f.public_year, f.public_level)
    rows = read(engine, union_all(events, models))
    rows["records"] = rows["records"].astype(int)
    return rows.sort_values(["unit", "year", "openness_level"]).reset_index(drop=True)


def models_by_clause_year(engine: Engine) -> pd.DataFrame:
    """Models per year of their earliest release event and inclusion clause (a model counts under each clause)."""
    m, first = s.models, model_firsts()  # the year of a model's first event is its earliest year
    # models per year and inclusion list in SQL (few distinct lists), then each list's count to each of its clauses
    stmt = (
        select(m.c.inclusion, first.c.year, func.count().label("models"))
        .join(first, first.c.model_id == m.c.model_id)
        .group_by(m.c.inclusion, first.c.year)
    )
    rows = read(engine, stmt)
    rows["clause"] = rows["inclusion"].map(split_list)
    rows = rows.explode("clause")
    counts = rows.groupby(["year", "clause"])["models"].sum().astype(int).rename("models").reset_index()
    order = {c: i for i, c in enumerate(INCLUSION_CLAUSES)}
    counts = counts.sort_values(["year", "clause"], key=lambda c: c.map(order) if c.name == "clause" else c)
    return counts.reset_index(drop=True)
