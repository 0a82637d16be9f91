"""Capability and compute: benchmark results against openness, the compute frontier and its concentration.

A result counts for the openness of the release event that made the evaluated variant available
(evaluations.release_id), on the later of that event's date and the variant's own release date. A model
in the compute views counts once, at its first release event and the level it reached that day, as on
the Overview. The frontier and lag helpers at the end are pure functions of those rows.
"""

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db import schema as s
from db.queries.core import _model_conds, _vals, read
from db.vocab import OPENNESS_LEVELS, REPORTER_ROLES

CLOSED, OPEN = "closed (levels 0-3)", "open weights (levels 4-5)"
ACCESS_GROUPS = (CLOSED, OPEN)
THRESHOLDS = (1e23, 1e25)
DAYS_PER_MONTH = 30.4375


def access_group(level) -> str:
    """Closed (levels 0-3: unreleased, staged, hosted, API) or open weights (4-5: downloadable, fully open)."""
    return OPEN if int(level) >= 4 else CLOSED


def _in_range(day: pd.Series, start, end) -> pd.Series:
    keep = pd.Series(True, index=day.index)
    if start:
        keep &= day >= str(start)
    if end:
        keep &= day <= str(end)
    return keep


def benchmarks(engine: Engine) -> pd.DataFrame:
    """Every benchmark with its version, unit, why it was chosen and its caveats, and its number of results."""
    b, e = s.benchmarks.c, s.evaluations.c
    counts = select(e.benchmark_id, func.count().label("results")).group_by(e.benchmark_id).subquery()
    stmt = (
        select(b, func.coalesce(counts.c.results, 0).label("results"))
        .select_from(s.benchmarks.outerjoin(counts, counts.c.benchmark_id == b.benchmark_id))
        .order_by(b.introduced)
    )
    return read(engine, stmt)


def evaluation_points(
    engine: Engine,
    benchmark_id: str | None = None,
    reporters=None,
    start=None,
    end=None,
    organizations=None,
    modalities=None,
    **_ignored,
) -> pd.DataFrame:
    """One row per published result: the score, who reported it, and the openness and date of the variant.

    `reporters` keeps only those reporter roles. The date range applies to `available`, the date the
    evaluated variant became available at that openness. The licence and level filters do not apply: the
    closed and open groups are the point of the view.
    """
    e, m, r, o = s.evaluations.c, s.models.c, s.releases.c, s.organizations.c
    conds = _model_conds(e.model_id, organizations, modalities)
    if benchmark_id:
        conds.append(e.benchmark_id == benchmark_id)
    roles = [v for v in _vals(reporters) if v in REPORTER_ROLES]
    if _vals(reporters):
        conds.append(e.reporter_role.in_(roles))
    stmt = (
        select(
            e.evaluation_id,
            e.benchmark_id,
            e.model_id,
            m.name.label("model"),
            e.model_as_evaluated,
            o.name.label("developer"),
            o.country,
            e.score,
            e.setting,
            e.reporter_role,
            e.reported_by,
            e.reported_in,
            e.reported_in_url,
            e.reported_date,
            e.caveats,
            e.release_id,
            r.date.label("release_date"),
            r.date_precision.label("release_date_precision"),
            r.openness_level,
            e.variant_date,
            e.source_ids,
        )
        .select_from(
            s.evaluations.join(s.models, m.model_id == e.model_id)
            .join(s.organizations, o.organization_id == m.organization_id)
            .join(s.releases, r.release_id == e.release_id)
        )
        .where(*conds)
        .order_by(e.benchmark_id, r.date, e.evaluation_id)
    )
    rows = read(engine, stmt)
    later = rows["variant_date"].fillna("") > rows["release_date"]
    rows["available"] = rows["release_date"].where(~later, rows["variant_date"])
    rows["available_precision"] = rows["release_date_precision"].where(~later, "day")
    rows["openness"] = rows["openness_level"].map(lambda v: f"{int(v)} {OPENNESS_LEVELS[int(v)]}")
    rows["access"] = rows["openness_level"].map(access_group)
    return rows[_in_range(rows["available"], start, end)].reset_index(drop=True)


def compute_points(
    engine: Engine, start=None, end=None, organizations=None, modalities=None, **_ignored
) -> pd.DataFrame:
    """Every model at its first release event: date, level that day, training compute and how it is known.

    Models without a compute figure are kept (compute empty) so the page can count them; the date range
    applies to the first release.
    """
    m, r, o = s.models.c, s.releases.c, s.organizations.c
    order = (r.date, r.openness_level.desc(), r.release_id)
    ranked = select(
        r.release_id, r.model_id, func.row_number().over(partition_by=r.model_id, order_by=order).label("rank")
    ).subquery()
    stmt = (
        select(
            m.model_id,
            m.name.label("model"),
            o.name.label("developer"),
            m.organization_id,
            o.country,
            m.modality,
            r.date,
            r.date_precision,
            r.year,
            r.openness_level,
            m.training_compute_flop,
            m.compute_basis,
            m.compute_estimated_by,
            m.parameters,
            m.source_ids,
        )
        .select_from(
            s.models.join(ranked, ranked.c.model_id == m.model_id)
            .join(s.releases, r.release_id == ranked.c.release_id)
            .join(s.organizations, o.organization_id == m.organization_id)
        )
        .where(ranked.c.rank == 1, *_model_conds(m.model_id, organizations, modalities))
        .order_by(r.date, m.model_id)
    )
    rows = read(engine, stmt)
    rows["access"] = rows["openness_level"].map(access_group)
    rows["openness"] = rows["openness_level"].map(lambda v: f"{int(v)} {OPENNESS_LEVELS[int(v)]}")
    return rows[_in_range(rows["date"], start, end)].reset_index(drop=True)


def compute_estimates(engine: Engine, model_ids=None, **_ignored) -> pd.DataFrame:
    """Every compute, cost, hardware and time figure, estimates side by side with their sources."""
    c, m = s.compute_estimates.c, s.models.c
    stmt = select(m.name.label("model"), c).select_from(s.compute_estimates.join(s.models, m.model_id == c.model_id))
    if _vals(model_ids):
        stmt = stmt.where(c.model_id.in_(_vals(model_ids)))
    return read(engine, stmt.order_by(m.name, c.quantity, c.estimate_id))


# Pure helpers below: rows in, rows out; no database.


def frontier_steps(points: pd.DataFrame) -> pd.DataFrame:
    """Per access group, the results that set a new best score: the steps of that group's frontier.

    A result sets a step when its score is above every earlier score of its group (ties do not step);
    on one day the best result of the day is taken first.
    """
    steps = []
    for _group, rows in points.groupby("access", sort=False):
        rows = rows.sort_values(["available", "score"], ascending=[True, False])
        before = rows["score"].astype(float).cummax().shift(fill_value=float("-inf"))
        steps.append(rows[rows["score"] > before])
    if not steps:
        return points.iloc[0:0].copy()
    return pd.concat(steps).sort_values(["access", "available"]).reset_index(drop=True)


def months_between(first: str, second: str) -> float:
    """Signed months from one ISO date to another, to a tenth (a month is 30.44 days)."""
    days = (pd.Timestamp(second) - pd.Timestamp(first)).days
    return round(days / DAYS_PER_MONTH, 1)


def lags(points: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """For each step of the closed frontier, when an open-weight result first reached its score.

    `matched_on` is the earliest date an open-weight result scored at least as high; the lag is the signed
    months from the closed step to it (negative or zero: open weights were there first). A step never
    reached by the `as_of` date is 'not yet', with the months elapsed so far.
    """
    closed = frontier_steps(points)
    closed = closed[closed["access"] == CLOSED] if not closed.empty else closed
    open_rows = points[points["access"] == OPEN]
    out = []
    for _, step in closed.iterrows():
        reached = open_rows[open_rows["score"] >= step["score"]].sort_values(["available", "score"])
        if reached.empty:
            matched_on, matched_by, lag, status = None, None, None, "not yet"
            elapsed = months_between(step["available"], as_of)
        else:
            first = reached.iloc[0]
            matched_on, matched_by = first["available"], first["model_as_evaluated"]
            lag, status, elapsed = months_between(step["available"], matched_on), "matched", None
        out.append(
            {
                "benchmark_id": step["benchmark_id"],
                "closed_model": step["model_as_evaluated"],
                "closed_on": step["available"],
                "closed_score": step["score"],
                "open_match": matched_by,
                "matched_on": matched_on,
                "lag_months": lag,
                "status": status,
                "months_so_far": elapsed,
            }
        )
    columns = ["benchmark_id", "closed_model", "closed_on", "closed_score", "open_match", "matched_on"]
    return pd.DataFrame(out, columns=[*columns, "lag_months", "status", "months_so_far"])


def lag_summary(lag_rows: pd.DataFrame) -> dict:
    """The headline: median lag over matched steps, its n, and how many steps are not yet matched."""
    matched = lag_rows[lag_rows["status"] == "matched"]["lag_months"].astype(float)
    return {
        "median_months": float(matched.median()) if len(matched) else None,
        "matched": int(len(matched)),
        "not_yet": int((lag_rows["status"] == "not yet").sum()),
        "steps": int(len(lag_rows)),
    }


def yearly_largest(points: pd.DataFrame) -> pd.DataFrame:
    """Per year and access group, the model with the most training compute (models without a figure skipped)."""
    known = points.dropna(subset=["training_compute_flop"])
    if known.empty:
        return known
    idx = known.groupby(["year", "access"])["training_compute_flop"].idxmax()
    return known.loc[idx].sort_values(["access", "year"]).reset_index(drop=True)


def concentration(points: pd.DataFrame, by: str = "developer", thresholds=THRESHOLDS) -> pd.DataFrame:
    """Per year and threshold: models at or above it, split by `by` (developer or country), with shares.

    Only models with a compute figure can be placed above or below a threshold; `known` is how many
    of the year's models have one, so the share is read against the right denominator.
    """
    rows = []
    for year, group in points.groupby("year"):
        known = group.dropna(subset=["training_compute_flop"])
        for threshold in thresholds:
            above = known[known["training_compute_flop"] >= threshold]
            counts = above[by].fillna("unknown").value_counts()
            for name, n in counts.items():
                rows.append(
                    {
                        "year": int(year),
                        "threshold": threshold,
                        by: name,
                        "models": int(n),
                        "share": n / len(above),
                        "models_above": len(above),
                        "open_above": int((above["access"] == OPEN).sum()),
                        "models_with_compute": len(known),
                        "models_in_year": len(group),
                    }
                )
    columns = ["year", "threshold", by, "models", "share", "models_above", "open_above"]
    return pd.DataFrame(rows, columns=[*columns, "models_with_compute", "models_in_year"])


def developers_above(points: pd.DataFrame, thresholds=THRESHOLDS) -> pd.DataFrame:
    """Per year and threshold: how many developers (lead organisations) released a model at or above it."""
    rows = []
    for year, group in points.groupby("year"):
        known = group.dropna(subset=["training_compute_flop"])
        for threshold in thresholds:
            above = known[known["training_compute_flop"] >= threshold]
            rows.append(
                {
                    "year": int(year),
                    "threshold": threshold,
                    "developers": int(above["developer"].nunique()),
                    "open_developers": int(above.loc[above["access"] == OPEN, "developer"].nunique()),
                    "models_above": len(above),
                    "models_with_compute": len(known),
                    "models_in_year": len(group),
                }
            )
    return pd.DataFrame(rows)
