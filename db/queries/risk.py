"""Risk page aggregates: incident links per openness level and category, models per level, lag to first incident.

Counted in SQL so that the page moves one row per bar (or per model for the lag) instead of every link. Each link
is placed at the level its model had when the incident began (`core.link_states`); policy events are left out.
"""

import pandas as pd
from sqlalchemy import Engine, func, literal, select, union_all

from db import schema as s
from db.queries.core import (
    _level_name,
    _max_level_per_model,
    link_conditions,
    link_states,
    read,
    release_conditions,
)
from db.vocab import UNKNOWN

LAG_COLUMNS = ["model_id", "model", "openness_level", "openness", "first_release", "first_incident", "lag_days"]


def _links(lag: bool = False, **filters):
    """The links `incident_links` returns, as a CTE of the columns the aggregates need.

    Only the lag needs each model's first release: the split counts do not, so their CTE holds four narrow
    columns. Neither reads the model here (every link has one: a required reference); the lag reads the names
    of the models it returns only.
    """
    lk, i = s.incident_links.c, s.incidents.c
    state = link_states()
    cols = [i.severity, state.c.level_at.label("openness_level"), lk.pathway, lk.openness_mattered]
    joined = s.incident_links.join(s.incidents, lk.incident_id == i.incident_id)
    if lag:
        # Each linked model's highest level and first release among releases passing the filters (date ignored)
        scoped = {k: v for k, v in filters.items() if k not in ("start", "end", "only_of")}
        levels = _max_level_per_model(only_of=select(lk.model_id), **scoped)
        cols = [lk.link_id, lk.model_id, i.date.label("incident_date"), cols[1], levels.c.first_release]
        joined = joined.outerjoin(levels, levels.c.model_id == lk.model_id)
    return (
        select(*cols)
        .select_from(joined.outerjoin(state, state.c.link_id == lk.link_id))
        .where(*link_conditions(**{**filters, "include_policy": False}))
        .cte("risk_links")  # a CTE: SQLite computes it once although both splits read it
    )


def risk_by_level(engine: Engine, **filters) -> pd.DataFrame:
    """Incident links per openness level, split by pathway and by whether openness mattered.

    One row per (openness_level, split, category): links (count) and severity (sum, missing counted as 0).
    The filters are those of `incident_links`; each split's links add up to its row count.
    """
    lk = _links(**filters)
    parts = [
        select(
            lk.c.openness_level,
            literal(split).label("split"),
            func.coalesce(lk.c[split], UNKNOWN).label("category"),
            func.count().label("links"),
            func.coalesce(func.sum(func.coalesce(lk.c.severity, 0)), 0).label("severity"),
        ).group_by(
            lk.c.openness_level, lk.c[split]
        )  # the raw column: PostgreSQL matches GROUP BY expressions by text, and each bound UNKNOWN is a new parameter
        for split in ("pathway", "openness_mattered")
    ]
    out = read(engine, union_all(*parts))
    return out.astype({"links": int, "severity": int}).sort_values(["split", "openness_level", "category"])


def models_by_level(engine: Engine, **filters) -> pd.DataFrame:
    """How many models had a release event at each openness level passing the filters (a model counts at every
    level it reached, so the rows add up to more than the models)."""
    r = s.releases.c
    stmt = (
        select(r.openness_level, func.count(r.model_id.distinct()).label("models"))
        .where(*release_conditions(**filters))
        .group_by(r.openness_level)
        .order_by(r.openness_level)
    )
    return read(engine, stmt)


def incident_lag(engine: Engine, **filters) -> pd.DataFrame:
    """Per model: its first release passing the filters, its first linked incident on or after it, the lag in days.

    The level is the model's level when that first incident began. The same rows as `release_to_incident_lag`,
    with the first incident found in SQL.
    """
    lk = _links(lag=True, **filters)
    order = (lk.c.incident_date, lk.c.link_id)
    ranked = (
        select(lk, func.row_number().over(partition_by=lk.c.model_id, order_by=order).label("rank"))
        .where(lk.c.incident_date >= lk.c.first_release)
        .subquery()
    )
    # the model's name is read for the first link of each model only, not carried through the ranking
    stmt = (
        select(
            ranked.c.model_id,
            s.models.c.name.label("model"),
            ranked.c.openness_level,
            _level_name(ranked.c.openness_level).label("openness"),
            ranked.c.first_release,
            ranked.c.incident_date.label("first_incident"),
        )
        .select_from(ranked.join(s.models, s.models.c.model_id == ranked.c.model_id))
        .where(ranked.c.rank == 1)
    )
    out = read(engine, stmt)
    if out.empty:
        return pd.DataFrame(columns=LAG_COLUMNS)
    out["lag_days"] = (pd.to_datetime(out["first_incident"]) - pd.to_datetime(out["first_release"])).dt.days
    return out[LAG_COLUMNS].sort_values(["openness_level", "lag_days"]).reset_index(drop=True)
