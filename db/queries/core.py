"""Core read queries. Keyword filters in, pandas DataFrames out, bound parameters only.

Filters shared by most functions (all optional; None or empty means "no filter"):
start, end (ISO dates, inclusive); licence_families (may include "unknown" for
releases without a known licence); licence_ids; openness_levels (0-5);
organizations (organization ids, any developer of the model); modalities;
incident_types.
"""

import sqlite3
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, and_, case, exists, false, func, literal, or_, select, true, union_all
from sqlalchemy.exc import OperationalError

from db import schema as s
from db.engine import QUERY_TIME_LIMIT_S, QueryTimeout, clear_deadline, sqlite_deadline
from db.validate import parse_date
from db.vocab import OPENNESS_LEVELS, UNKNOWN

UNKNOWN_LICENCE = UNKNOWN
POLICY = "policy"  # incidents of this type are policy events: context, counted apart from incidents
_MODEL_FILTERS = ("licence_families", "licence_ids", "openness_levels", "organizations", "modalities")


def read(engine: Engine, stmt, time_limit_s: float = QUERY_TIME_LIMIT_S) -> pd.DataFrame:
    """Run one statement and return its rows, cutting off SQLite reads that run past the time limit."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        is_lite = isinstance(raw, sqlite3.Connection)
        if is_lite:
            sqlite_deadline(raw, time_limit_s)
        try:
            return pd.read_sql(stmt, conn)
        except (OperationalError, pd.errors.DatabaseError) as exc:  # pandas wraps driver errors in DatabaseError
            if "interrupted" in str(exc) or "statement timeout" in str(exc):
                raise QueryTimeout(
                    "The query took too long and was stopped. Narrow the filters and try again."
                ) from exc
            raise
        finally:
            if is_lite:
                clear_deadline(raw)


def _vals(values: Iterable | None) -> list:
    return [v for v in (values or []) if v is not None and v != ""]


def _date_range(col, start: str | None, end: str | None) -> list:
    """Inclusive date bounds; a bound that is not an ISO date matches nothing."""
    conds = []
    for bound, compare in ((start, col.__ge__), (end, col.__le__)):
        if not bound:
            continue
        text = str(bound)
        conds.append(compare(text) if parse_date(text) else false())
    return conds


def _licence_family_cond(families: list, licence_col=None):
    """Releases whose licence is in the families; 'unknown' matches releases without a licence."""
    col = s.releases.c.licence_id if licence_col is None else licence_col
    named = [f for f in families if f != UNKNOWN_LICENCE]
    conds = []
    if named:
        conds.append(col.in_(select(s.licences.c.licence_id).where(s.licences.c.family.in_(named))))
    if UNKNOWN_LICENCE in families:
        conds.append(col.is_(None))
    return or_(*conds) if conds else false()


def _model_conds(model_col, organizations=None, modalities=None) -> list:
    conds = []
    if _vals(organizations):
        conds.append(
            exists().where(
                s.model_organizations.c.model_id == model_col,
                s.model_organizations.c.organization_id.in_(_vals(organizations)),
            )
        )
    if _vals(modalities):
        conds.append(model_col.in_(select(s.models.c.model_id).where(s.models.c.modality.in_(_vals(modalities)))))
    return conds


def release_conditions(
    start=None,
    end=None,
    licence_families=None,
    licence_ids=None,
    openness_levels=None,
    organizations=None,
    modalities=None,
    on=None,
    **_ignored,
) -> list:
    """WHERE conditions on the releases table (or `on`, a table with its model_id, date, openness_level and
    licence_id columns, such as model_firsts) for the shared filters."""
    r = (s.releases if on is None else on).c
    conds = _date_range(r.date, start, end)
    if _vals(openness_levels):
        # a value that is not a whole number matches no level (never an error)
        levels = [int(v) for v in _vals(openness_levels) if str(v).strip().lstrip("-").isdigit()]
        conds.append(r.openness_level.in_(levels))
    if _vals(licence_families):
        conds.append(_licence_family_cond(_vals(licence_families), r.licence_id))
    if _vals(licence_ids):
        conds.append(r.licence_id.in_(_vals(licence_ids)))
    conds += _model_conds(r.model_id, organizations, modalities)
    return conds


def _has_model_filter(filters: dict) -> bool:
    return any(_vals(filters.get(k)) for k in _MODEL_FILTERS)


def _matching_models(**filters):
    """Model ids with at least one release that passes the model-scoped filters (date ignored)."""
    scoped = {k: filters.get(k) for k in _MODEL_FILTERS}
    return select(s.releases.c.model_id).where(*release_conditions(**scoped))


def incident_conditions(start=None, end=None, incident_types=None, **filters) -> list:
    """WHERE conditions on incidents: date, type, and links to models that pass the model filters.

    Incidents linked to no model (most policy events) are kept only while no
    model-scoped filter (licence, openness, organisation, modality) is active.
    """
    i = s.incidents.c
    conds = _date_range(i.date, start, end)
    if _vals(incident_types):
        conds.append(i.type.in_(_vals(incident_types)))
    if _has_model_filter(filters):
        lk = s.incident_links.c
        conds.append(i.incident_id.in_(select(lk.incident_id).where(lk.link_id.in_(links_matching(**filters)))))
    return conds


def link_states():
    """Each incident link with its model's state when the incident began (link_id, release_at, level_at, licence_at).

    Stored by the build (link_state_rule says how); a link whose incident predates every release event of
    its model has no release at the time (release_at, level_at and licence_at are missing): its level is unknown.
    """
    return s.link_states


def link_state_rule(*link_conds):
    """The state of each link (those matching `link_conds` on incident_links) computed from the releases.

    The rule: the model's latest release event dated on or before the incident (the same day counts; on a
    day with several events, the highest level, then the highest release id).
    """
    lk, i, r = s.incident_links.c, s.incidents.c, s.releases.c
    # one indexed lookup per link (ix_releases_model_date) instead of joining every earlier release
    at = (
        select(r.release_id)
        .where(r.model_id == lk.model_id, r.date <= i.date)
        .order_by(r.date.desc(), r.openness_level.desc(), r.release_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    picked = (
        select(lk.link_id, at.label("release_at"))
        .select_from(s.incident_links.join(s.incidents, lk.incident_id == i.incident_id))
        .where(*link_conds)
        .subquery()
    )
    rel = s.releases.alias("release_at_time")
    return select(
        picked.c.link_id,
        picked.c.release_at,
        rel.c.openness_level.label("level_at"),
        rel.c.licence_id.label("licence_at"),
    ).select_from(picked.outerjoin(rel, rel.c.release_id == picked.c.release_at))


def model_firsts():
    """Each model with a release event: its first event (release_id, date, year, openness_level, licence_id), the
    year and level of its first public event (public_year, public_level) and its highest level (max_level).

    Stored by the build (model_first_rule says how), so that no page ranks every release event per model.
    """
    return s.model_firsts


def model_first_rule(*release_conds):
    """The row of model_firsts for each model with a release event (those matching `release_conds`), computed
    from the releases.

    The first event: the earliest, on a day with several the highest level, then the lowest release id. The
    first public event: the earliest of level 1 or more (staged included), then the lowest release id; a model
    never made public has its earliest event there, at level 0.
    """
    r = s.releases.c
    first_order = (r.date, r.openness_level.desc(), r.release_id)
    public_order = ((r.openness_level < 1).asc(), r.date.asc(), r.release_id.asc())
    ranked = (
        select(
            r.model_id,
            r.release_id,
            r.date,
            r.year,
            r.openness_level,
            r.licence_id,
            func.row_number().over(partition_by=r.model_id, order_by=first_order).label("first_rank"),
            func.row_number().over(partition_by=r.model_id, order_by=public_order).label("public_rank"),
        )
        .where(*release_conds)
        .subquery()
    )
    k = ranked.c

    def of(rank, col):
        return func.max(case((rank == 1, col)))

    return select(
        k.model_id,
        of(k.first_rank, k.release_id).label("release_id"),
        of(k.first_rank, k.date).label("date"),
        of(k.first_rank, k.year).label("year"),
        of(k.first_rank, k.openness_level).label("openness_level"),
        of(k.first_rank, k.licence_id).label("licence_id"),
        of(k.public_rank, k.year).label("public_year"),
        of(k.public_rank, k.openness_level).label("public_level"),
        func.max(k.openness_level).label("max_level"),
    ).group_by(k.model_id)


def links_matching(
    licence_families=None, licence_ids=None, openness_levels=None, organizations=None, modalities=None, **_
):
    """Ids of links whose model passes the model filters as it stood when the incident began.

    Level and licence filters match the model's level and licence at that time (`link_states`); organisation
    and modality filters match the model itself.
    """
    lk = s.incident_links.c
    state = link_states()
    conds = _model_conds(lk.model_id, organizations, modalities)
    if _vals(openness_levels):
        levels = [int(v) for v in _vals(openness_levels) if str(v).strip().lstrip("-").isdigit()]
        conds.append(state.c.level_at.in_(levels))
    families = _vals(licence_families)
    if families:
        named = [f for f in families if f != UNKNOWN_LICENCE]
        either = [state.c.licence_at.in_(select(s.licences.c.licence_id).where(s.licences.c.family.in_(named)))]
        if UNKNOWN_LICENCE in families:
            either.append(and_(state.c.release_at.is_not(None), state.c.licence_at.is_(None)))
        conds.append(or_(*either))
    if _vals(licence_ids):
        conds.append(state.c.licence_at.in_(_vals(licence_ids)))
    return (
        select(lk.link_id).select_from(s.incident_links.outerjoin(state, state.c.link_id == lk.link_id)).where(*conds)
    )


def _sources_of(entity: str, id_col):
    """Space-separated URLs of a row's sources, as a correlated scalar subquery."""
    return (
        select(func.aggregate_strings(s.sources.c.url, " "))
        .select_from(s.citations.join(s.sources, s.citations.c.source_id == s.sources.c.source_id))
        .where(s.citations.c.entity == entity, s.citations.c.entity_id == id_col)
        .scalar_subquery()
    )


def _level_name(col):
    return case({k: v for k, v in OPENNESS_LEVELS.items()}, value=col, else_=UNKNOWN)


def releases(
    engine: Engine, limit: int | None = None, newest: bool = False, light: bool = False, **filters
) -> pd.DataFrame:
    """Release events with their model, lead developer, licence and sources, oldest first.

    `newest` keeps the latest `limit` rows (still returned oldest first); `light` returns only the
    columns a chart point needs (ids, model, lead developer, date, event type, level, licence) and one
    source address per row (`source`), for hover labels.
    """
    r, m, lic, o = s.releases.c, s.models.c, s.licences.c, s.organizations.c
    chart_cols = [
        r.release_id,
        r.model_id,
        m.name.label("model"),
        o.name.label("organization"),
        r.date,
        r.date_precision,
        r.event_type,
        r.openness_level,
        _level_name(r.openness_level).label("openness"),
        func.coalesce(lic.name, literal(UNKNOWN)).label("licence"),
        func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family"),
        m.parameters,
    ]
    full_cols = [
        r.release_id,
        r.model_id,
        m.name.label("model"),
        m.modality,
        m.organization_id,
        o.name.label("organization"),
        r.date,
        r.date_precision,
        r.year,
        r.event_type,
        r.openness_level,
        _level_name(r.openness_level).label("openness"),
        r.gating,
        r.licence_id,
        func.coalesce(lic.name, literal(UNKNOWN)).label("licence"),
        func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family"),
        r.weights,
        r.inference_code,
        r.training_code,
        r.training_data,
        r.documentation,
        m.parameters,
        r.notes,
        r.source_ids,
        _sources_of("releases", r.release_id).label("source_urls"),
    ]
    stmt = (
        select(*(chart_cols if light else full_cols))
        .select_from(
            s.releases.join(s.models, r.model_id == m.model_id)
            .join(s.organizations, m.organization_id == o.organization_id)
            .outerjoin(s.licences, r.licence_id == lic.licence_id)
        )
        .where(*release_conditions(**filters))
        .order_by(r.date, r.release_id)
    )
    rows = _limited(engine, stmt, limit, newest, [r.date, r.release_id])
    return first_sources(engine, rows, "releases", "release_id") if light else rows


def _limited(engine: Engine, stmt, limit: int | None, newest: bool, order: list) -> pd.DataFrame:
    """Run `stmt` keeping its first `limit` rows, or with `newest` its last `limit` rows (returned in order)."""
    if not limit:
        return read(engine, stmt)
    if not newest:
        return read(engine, stmt.limit(int(limit)))
    rows = read(engine, stmt.order_by(None).order_by(*(c.desc() for c in order)).limit(int(limit)))
    return rows.iloc[::-1].reset_index(drop=True)


def count_releases(engine: Engine, **filters) -> int:
    """How many release events pass the filters."""
    stmt = select(func.count()).select_from(s.releases).where(*release_conditions(**filters))
    return int(read(engine, stmt).iloc[0, 0])


def releases_by_year_level(engine: Engine, **filters) -> pd.DataFrame:
    """Release events per year and openness level (aggregated in SQL)."""
    r = s.releases.c
    stmt = (
        select(r.year, r.openness_level, func.count().label("releases"))
        .where(*release_conditions(**filters))
        .group_by(r.year, r.openness_level)
        .order_by(r.year, r.openness_level)
    )
    return read(engine, stmt)


COHORT_UNITS = ("models", "events")


def release_cohorts(engine: Engine, unit: str = "models", **filters) -> pd.DataFrame:
    """Per year and openness level, `n`: models by their first release event (`unit` 'models'), or release events.

    A model counts once, in the year of its first release event and at the level it reached that day (on a day
    with several events, the highest). The other filters apply to that first event (its date, licence) and to
    the model; the openness-level filter is not applied, so every year keeps its whole n as the denominator
    of a share and the page draws only the chosen levels.
    """
    scoped = {k: v for k, v in filters.items() if k not in ("openness_levels", "on")}
    # a model's first event is stored (model_firsts): ranking every event per model took seconds at 1M
    events = model_firsts() if unit == "models" else s.releases
    r = events.c
    stmt = (
        select(r.year, r.openness_level, func.count().label("n"))
        .where(*release_conditions(on=events, **scoped))
        .group_by(r.year, r.openness_level)
        .order_by(r.year, r.openness_level)
    )
    return read(engine, stmt)


def licence_families_by_year(engine: Engine, **filters) -> pd.DataFrame:
    """Release events per year and licence family ('unknown' where no licence is recorded)."""
    r, lic = s.releases.c, s.licences.c
    family = func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family")
    stmt = (
        select(r.year, family, func.count().label("releases"))
        .select_from(s.releases.outerjoin(s.licences, r.licence_id == lic.licence_id))
        .where(*release_conditions(**filters))
        .group_by(r.year, family)
        .order_by(r.year, family)
    )
    return read(engine, stmt)


def _incident_page_conds(search: str | None = None, statuses=None, **filters) -> list:
    """The shared incident filters plus the incidents page's search (title and summary) and statuses."""
    i = s.incidents.c
    conds = incident_conditions(**filters)
    if search:
        # the search text is literal: % and _ typed by a user are not wildcards
        literal_text = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal_text}%"
        conds.append(
            or_(func.lower(i.title).like(pattern, escape="\\"), func.lower(i.summary).like(pattern, escape="\\"))
        )
    if _vals(statuses):
        conds.append(i.status.in_(_vals(statuses)))
    return conds


def incidents(
    engine: Engine,
    search: str | None = None,
    statuses=None,
    limit: int | None = None,
    newest: bool = False,
    light: bool = False,
    **filters,
):
    """Incidents with their linked models and sources, oldest first; `search` matches title and summary.

    `newest` keeps the latest `limit` rows (still returned oldest first); `light` leaves out the long
    text and the source lists (summary, notes, court, docket, source ids and URLs), which the detail panel
    shows, and adds one source address per row (`source`), for hover labels.
    """
    i, lk, m = s.incidents.c, s.incident_links.c, s.models.c
    linked = (
        select(func.aggregate_strings(m.name, "; "))
        .select_from(s.incident_links.join(s.models, lk.model_id == m.model_id))
        .where(lk.incident_id == i.incident_id)
        .scalar_subquery()
    )
    chart_cols = [i.incident_id, i.title, i.date, i.date_precision, i.year, i.type, i.status, i.severity]
    chart_cols += [i.jurisdiction, linked.label("models")]
    full_cols = [*chart_cols[:-1], i.court, i.docket, i.summary, i.notes, linked.label("models"), i.source_ids]
    full_cols.append(_sources_of("incidents", i.incident_id).label("source_urls"))
    stmt = (
        select(*(chart_cols if light else full_cols))
        .where(*_incident_page_conds(search, statuses, **filters))
        .order_by(i.date, i.incident_id)
    )
    rows = _limited(engine, stmt, limit, newest, [i.date, i.incident_id])
    return first_sources(engine, rows, "incidents", "incident_id") if light else rows


FIRST_SOURCES_MAX = 5_000


def first_sources(engine: Engine, rows: pd.DataFrame, entity: str, id_col: str) -> pd.DataFrame:
    """Add `source`: one address each row cites (the first in alphabetical order), looked up by the citations key.

    Above FIRST_SOURCES_MAX rows the column stays empty (the detail panel lists every source).
    """
    rows = rows.copy()
    rows["source"] = None
    if rows.empty or len(rows) > FIRST_SOURCES_MAX:
        return rows
    c, src = s.citations.c, s.sources.c
    stmt = (
        select(c.entity_id, func.min(src.url).label("source"))
        .select_from(s.citations.join(s.sources, c.source_id == src.source_id))
        .where(c.entity == entity, c.entity_id.in_(list(rows[id_col])))
        .group_by(c.entity_id)
    )
    found = read(engine, stmt)
    rows["source"] = rows[id_col].map(dict(zip(found["entity_id"], found["source"], strict=True)))
    return rows


def count_models(engine: Engine, **filters) -> int:
    """How many models have at least one release event passing the filters (the row count of `models`)."""
    r = s.releases.c
    conds = release_conditions(**filters)
    if not conds:  # every model with an event has one row there: no distinct count over every event
        return int(read(engine, select(func.count()).select_from(model_firsts())).iloc[0, 0])
    stmt = select(func.count(r.model_id.distinct())).where(*conds)
    return int(read(engine, stmt).iloc[0, 0])


def count_incidents(engine: Engine, search: str | None = None, statuses=None, **filters) -> int:
    """How many incidents pass the filters (and the incidents page's search and statuses, when given)."""
    stmt = select(func.count()).select_from(s.incidents).where(*_incident_page_conds(search, statuses, **filters))
    return int(read(engine, stmt).iloc[0, 0])


def incidents_by_year_type(engine: Engine, **filters) -> pd.DataFrame:
    """Incidents per year and type (aggregated in SQL)."""
    i = s.incidents.c
    stmt = (
        select(i.year, i.type, func.count().label("incidents"))
        .where(*incident_conditions(**filters))
        .group_by(i.year, i.type)
        .order_by(i.year, i.type)
    )
    return read(engine, stmt)


def _max_level_per_model(only_of=None, **filters):
    """Each model's highest openness level among releases passing the filters, and its first release date.

    Without a filter these are stored (model_firsts); otherwise counted over the releases, of the models in
    the `only_of` subquery of model ids when given.
    """
    conds = release_conditions(**filters)
    if not conds:
        f = model_firsts().c
        return select(f.model_id, f.max_level, f.date.label("first_release")).subquery()
    r = s.releases.c
    if only_of is not None:
        conds.append(r.model_id.in_(only_of))
    return (
        select(
            r.model_id,
            func.max(r.openness_level).label("max_level"),
            func.min(r.date).label("first_release"),
        )
        .where(*conds)
        .group_by(r.model_id)
        .subquery()
    )


def incident_links(engine: Engine, **filters) -> pd.DataFrame:
    """Model-incident links with the incident, the model's level and licence when it began, and the reasoning.

    `openness_level` is the model's level when the incident began (`link_states`), missing when the incident
    predates every release event of the model; `include_policy=False` leaves out policy events.
    """
    lk, i, m = s.incident_links.c, s.incidents.c, s.models.c
    levels = _max_level_per_model(**{k: v for k, v in filters.items() if k not in ("start", "end", "include_policy")})
    state = link_states()
    stmt = (
        select(
            lk.link_id,
            lk.incident_id,
            i.title.label("incident"),
            i.date.label("incident_date"),
            i.year,
            i.type,
            i.severity,
            i.status,
            lk.model_id,
            m.name.label("model"),
            m.modality,
            state.c.level_at.label("openness_level"),
            _level_name(state.c.level_at).label("openness"),
            state.c.licence_at.label("licence_id"),
            levels.c.first_release,
            lk.release_id,
            lk.pathway,
            lk.openness_mattered,
            lk.reason,
            lk.source_ids,
        )
        .select_from(links_with_levels(levels).outerjoin(state, state.c.link_id == lk.link_id))
        .where(*link_conditions(**filters))
        .order_by(i.date, lk.link_id)
    )
    return read(engine, stmt)


def links_with_levels(levels):
    """incident_links joined to their incident, their model and the model's levels subquery (outer: may be none)."""
    lk = s.incident_links.c
    return (
        s.incident_links.join(s.incidents, lk.incident_id == s.incidents.c.incident_id)
        .join(s.models, lk.model_id == s.models.c.model_id)
        .outerjoin(levels, levels.c.model_id == lk.model_id)
    )


def link_conditions(**filters) -> list:
    """WHERE conditions on links: the incident's date and type, and models passing the model-scoped filters."""
    lk, i = s.incident_links.c, s.incidents.c
    conds = _date_range(i.date, filters.get("start"), filters.get("end"))
    if _has_model_filter(filters):
        conds.append(lk.link_id.in_(links_matching(**filters)))
    if not filters.get("include_policy", True):
        conds.append(i.type != POLICY)
    if _vals(filters.get("incident_types")):
        conds.append(i.type.in_(_vals(filters.get("incident_types"))))
    return conds


def release_to_incident_lag(engine: Engine, **filters) -> pd.DataFrame:
    """Per model: first release passing the filters, first linked incident after it, and the lag in days."""
    links = incident_links(engine, **{**filters, "include_policy": False})
    if links.empty:
        return pd.DataFrame(
            columns=["model_id", "model", "openness_level", "openness", "first_release", "first_incident", "lag_days"]
        )
    later = links[links["incident_date"] >= links["first_release"]]
    first = later.sort_values(["incident_date", "link_id"]).drop_duplicates("model_id")
    out = first[["model_id", "model", "openness_level", "openness", "first_release", "incident_date"]].rename(
        columns={"incident_date": "first_incident"}
    )
    out["lag_days"] = (pd.to_datetime(out["first_incident"]) - pd.to_datetime(out["first_release"])).dt.days
    return out.sort_values(["openness_level", "lag_days"]).reset_index(drop=True)


def models(engine: Engine, **filters) -> pd.DataFrame:
    """Models with at least one release passing the filters: size, compute, highest level, first release."""
    m, o = s.models.c, s.organizations.c
    levels = _max_level_per_model(**filters)
    stmt = (
        select(
            m.model_id,
            m.name.label("model"),
            m.organization_id,
            o.name.label("organization"),
            m.modality,
            m.family,
            m.parameters,
            m.training_compute_flop,
            levels.c.max_level.label("openness_level"),
            _level_name(levels.c.max_level).label("openness"),
            levels.c.first_release,
            m.description,
            m.source_ids,
        )
        .select_from(
            s.models.join(levels, levels.c.model_id == m.model_id).join(
                s.organizations, m.organization_id == o.organization_id
            )
        )
        .order_by(levels.c.first_release, m.model_id)
    )
    return read(engine, stmt)


def model_list(engine: Engine) -> pd.DataFrame:
    """Every model id and name, for pickers."""
    return read(engine, select(s.models.c.model_id, s.models.c.name).order_by(s.models.c.name))


def model_profile(engine: Engine, model_id: str) -> dict[str, pd.DataFrame]:
    """Everything about one model: its row, developers, release events, incidents and sources."""
    m, mo, o = s.models.c, s.model_organizations.c, s.organizations.c
    model = read(engine, select(s.models).where(m.model_id == model_id))
    developers = read(
        engine,
        select(o.organization_id, o.name, o.country, o.kind)
        .select_from(s.model_organizations.join(s.organizations, mo.organization_id == o.organization_id))
        .where(mo.model_id == model_id)
        .order_by(mo.position),
    )
    rel = releases_for_model(engine, model_id)
    links = read(
        engine,
        select(
            s.incidents.c.incident_id,
            s.incidents.c.title,
            s.incidents.c.date,
            s.incidents.c.date_precision,
            s.incidents.c.type,
            s.incidents.c.status,
            s.incidents.c.severity,
            s.incident_links.c.release_id,
            s.incident_links.c.pathway,
            s.incident_links.c.openness_mattered,
            s.incident_links.c.reason,
        )
        .select_from(s.incident_links.join(s.incidents, s.incident_links.c.incident_id == s.incidents.c.incident_id))
        .where(s.incident_links.c.model_id == model_id)
        .order_by(s.incidents.c.date),
    )
    c = s.citations.c
    # (entity, entity_id) pairs so the lookup uses the citations key instead of scanning every citation
    cited_for = [
        and_(c.entity == entity, c.entity_id.in_(sorted(set(ids))))
        for entity, ids in (
            ("models", [model_id]),
            ("releases", rel["release_id"]),
            ("incidents", links["incident_id"]),
        )
        if len(ids)
    ]
    cited = read(
        engine,
        select(c.entity, c.entity_id, s.sources)
        .select_from(s.citations.join(s.sources, c.source_id == s.sources.c.source_id))
        .where(or_(*cited_for))
        .order_by(s.sources.c.source_id, s.citations.c.entity, s.citations.c.entity_id),
    )
    return {"model": model, "developers": developers, "releases": rel, "incidents": links, "sources": cited}


def releases_for_model(engine: Engine, model_id: str) -> pd.DataFrame:
    """One model's release events, oldest first."""
    r, lic = s.releases.c, s.licences.c
    stmt = (
        select(
            r.release_id,
            r.date,
            r.date_precision,
            r.event_type,
            r.openness_level,
            _level_name(r.openness_level).label("openness"),
            r.gating,
            r.licence_id,
            func.coalesce(lic.name, literal(UNKNOWN)).label("licence"),
            func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family"),
            r.weights,
            r.inference_code,
            r.training_code,
            r.training_data,
            r.documentation,
            r.notes,
            r.source_ids,
        )
        .select_from(s.releases.outerjoin(s.licences, r.licence_id == lic.licence_id))
        .where(r.model_id == model_id)
        .order_by(r.date, r.release_id)
    )
    return read(engine, stmt)


def licences(engine: Engine, licence_families=None, licence_ids=None, **_ignored) -> pd.DataFrame:
    """The licence catalogue with every term, and how many release events use each licence."""
    lic, r = s.licences.c, s.releases.c
    used = select(func.count()).where(r.licence_id == lic.licence_id).scalar_subquery()
    conds = []
    if _vals(licence_families):
        conds.append(lic.family.in_(_vals(licence_families)))
    if _vals(licence_ids):
        conds.append(lic.licence_id.in_(_vals(licence_ids)))
    stmt = select(s.licences, used.label("releases")).where(*conds).order_by(lic.family, lic.name, lic.version)
    return read(engine, stmt)


def incident_steps(engine: Engine, incident_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Dated steps (status history) of incidents, oldest first."""
    st = s.incident_steps.c
    cond = st.incident_id.in_(_vals(incident_ids)) if incident_ids is not None else true()
    return read(engine, select(s.incident_steps).where(cond).order_by(st.incident_id, st.date))


def context_events(engine: Engine, start=None, end=None, **_ignored) -> pd.DataFrame:
    """Context events (platforms, studies, estimates) in the date range."""
    c = s.context_events.c
    return read(engine, select(s.context_events).where(*_date_range(c.date, start, end)).order_by(c.date))


def sources(engine: Engine, source_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Sources, all or the given ids."""
    cond = s.sources.c.source_id.in_(_vals(source_ids)) if source_ids is not None else true()
    return read(engine, select(s.sources).where(cond).order_by(s.sources.c.source_id))


def filter_options(engine: Engine) -> dict:
    """The values each shared filter can take, from the database."""
    r = s.releases.c
    bounds = read(engine, select(func.min(r.date).label("first"), func.max(r.date).label("last")))
    inc = read(engine, select(func.min(s.incidents.c.date).label("first"), func.max(s.incidents.c.date).label("last")))
    firsts = [d for d in (bounds["first"][0], inc["first"][0]) if d]
    lasts = [d for d in (bounds["last"][0], inc["last"][0]) if d]
    return {
        "first_date": min(firsts) if firsts else None,
        "last_date": max(lasts) if lasts else None,
        "licences": read(
            engine, select(s.licences.c.licence_id, s.licences.c.name, s.licences.c.family).order_by(s.licences.c.name)
        ),
        "organizations": read(
            engine,
            select(s.organizations.c.organization_id, s.organizations.c.name)
            # IN over one scan of the link table: a correlated EXISTS would scan it once per organisation
            .where(s.organizations.c.organization_id.in_(select(s.model_organizations.c.organization_id)))
            .order_by(s.organizations.c.name),
        ),
    }


def table(engine: Engine, name: str) -> pd.DataFrame:
    """A whole public table, for full downloads; `name` must be one of the schema's tables."""
    if name not in s.TABLES:
        raise ValueError(f"unknown table '{name}'")
    return read(engine, select(s.TABLES[name]))


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every public table."""
    return {name: int(read(engine, select(func.count()).select_from(t)).iloc[0, 0]) for name, t in s.TABLES.items()}


def build_info(engine: Engine) -> dict[str, str]:
    """What the build recorded: data hash, build time, schema version."""
    df = read(engine, select(s.build_info))
    return dict(zip(df["key"], df["value"], strict=True))


def model_exists(engine: Engine, model_id: str) -> bool:
    """Whether a model id is in the database."""
    stmt = select(func.count()).select_from(s.models).where(s.models.c.model_id == model_id)
    return bool(read(engine, stmt).iloc[0, 0])


def events_by_id(
    engine: Engine, release_ids: Iterable[str] = (), incident_ids: Iterable[str] = (), **filters
) -> pd.DataFrame:
    """The named release events and incidents that pass the filters (for annotating charts): id, kind ('release',
    'incident' or 'policy'), what happened (event type or incident type), date and its precision."""
    r, i = s.releases.c, s.incidents.c
    rel = read(
        engine,
        select(r.release_id.label("id"), literal("release").label("kind"), r.event_type.label("what"))
        .add_columns(r.date, r.date_precision)
        .where(r.release_id.in_(_vals(release_ids)), *release_conditions(**filters)),
    )
    kind = case((i.type == POLICY, literal(POLICY)), else_=literal("incident"))
    inc = read(
        engine,
        select(i.incident_id.label("id"), kind.label("kind"), i.type.label("what"), i.date, i.date_precision).where(
            i.incident_id.in_(_vals(incident_ids)), *incident_conditions(**filters)
        ),
    )
    frames = [f for f in (rel, inc) if not f.empty]
    if not frames:
        return rel
    return pd.concat(frames, ignore_index=True).sort_values(["date", "kind", "id"]).reset_index(drop=True)


def date_precision_by_year(engine: Engine) -> pd.DataFrame:
    """Release events and incidents per year by how precisely they are dated (day, month, year)."""
    parts = [
        select(
            table.c.year, literal(kind).label("kind"), table.c.date_precision, func.count().label("records")
        ).group_by(table.c.year, table.c.date_precision)
        for table, kind in ((s.releases, "release events"), (s.incidents, "incidents"))
    ]
    rows = read(engine, union_all(*parts))
    return rows.sort_values(["kind", "year", "date_precision"]).reset_index(drop=True)


# The models page lists at most this many models: a table a reader can scroll and sort (a million release events
# hold some 700k models, which no browser table draws).
CATALOGUE_LIMIT = 5000


def model_catalogue(engine: Engine, limit: int | None = None, **filters) -> pd.DataFrame:
    """One row per model with a release event passing the filters: who made it, its first release event (date,
    precision, level), its level and licence after its latest event (a withdrawal included), its size, and how
    many release events it has. The first and latest events are read over all of the model's events, so a
    filter chooses which models are listed, never what their history says. With `limit`, only the `limit` models
    whose first release event is newest (ties by id) are listed; `count_models` gives how many there are."""
    r, m, lic, o = s.releases.c, s.models.c, s.licences.c, s.organizations.c
    conds = release_conditions(**filters)
    # every event of each model with an event passing the filters (the subquery reads releases on its own)
    chosen = [r.model_id.in_(select(r.model_id).where(*conds).correlate_except(s.releases))] if conds else []
    if limit is not None:
        first = s.releases.alias("first_events")
        newest = (
            select(first.c.model_id)
            .where(first.c.model_id.in_(select(r.model_id).where(*conds)) if conds else true())
            .group_by(first.c.model_id)
            .order_by(func.min(first.c.date).desc(), first.c.model_id.desc())
            .limit(limit)
        )
        chosen = [r.model_id.in_(newest)]
    # the columns of `releases` the catalogue reads, without its per-row source lookup
    every_event = (
        select(
            r.model_id,
            m.name.label("model"),
            o.name.label("organization"),
            m.modality,
            m.parameters,
            r.release_id,
            r.date,
            r.date_precision,
            r.openness_level,
            _level_name(r.openness_level).label("openness"),
            r.licence_id,
            func.coalesce(lic.name, literal(UNKNOWN)).label("licence"),
            func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family"),
        )
        .select_from(
            s.releases.join(s.models, r.model_id == m.model_id)
            .join(s.organizations, m.organization_id == o.organization_id)
            .outerjoin(s.licences, r.licence_id == lic.licence_id)
        )
        .where(*chosen)
        .order_by(r.date, r.release_id)
    )
    events = read(engine, every_event)
    if events.empty:
        return pd.DataFrame(
            columns=[
                "model_id", "model", "organization", "modality", "parameters", "first_release", "first_precision",
                "first_level", "current_level", "current", "licence_id", "licence", "licence_family", "events",
            ]
        )  # fmt: skip
    ordered = events.sort_values(["model_id", "date", "release_id"], kind="stable")
    first = ordered.groupby("model_id", sort=False).head(1).set_index("model_id")
    last = ordered.groupby("model_id", sort=False).tail(1).set_index("model_id")
    licensed = ordered[ordered["licence_id"].notna()].groupby("model_id", sort=False).tail(1).set_index("model_id")
    out = first[["model", "organization", "modality", "parameters"]].copy()
    out["first_release"] = first["date"]
    out["first_precision"] = first["date_precision"]
    out["first_level"] = first["openness_level"]
    out["current_level"] = last["openness_level"]
    out["current"] = last["openness"]
    for col in ("licence_id", "licence", "licence_family"):
        out[col] = licensed[col].reindex(out.index)
    out["events"] = ordered.groupby("model_id").size()
    return out.reset_index().sort_values(["first_release", "model"], kind="stable").reset_index(drop=True)
