"""Detail queries for one release event or one incident, as opened from the timeline and incident pages."""

import pandas as pd
from sqlalchemy import Engine, func, literal, select

from db import schema as s
from db.queries.core import UNKNOWN_LICENCE, _level_name, read


def _cited_sources(engine: Engine, entity_ids: list[str], entities: list[str]) -> pd.DataFrame:
    """Distinct sources cited by any of the given row ids of the given tables (release, incident, link or step ids).

    Naming the tables lets the lookup use the citations key (entity, entity_id) instead of scanning every citation.
    """
    src = s.sources.c
    stmt = (
        select(src.source_id, src.url, src.title, src.publisher, src.date_published, src.date_accessed)
        .distinct()
        .select_from(s.citations.join(s.sources, s.citations.c.source_id == src.source_id))
        .where(s.citations.c.entity.in_(entities), s.citations.c.entity_id.in_(sorted(set(entity_ids))))
        .order_by(src.source_id)
    )
    return read(engine, stmt)


def release_detail(engine: Engine, release_id: str) -> dict[str, pd.DataFrame]:
    """One release event with its model, developers' lead, licence and sources; empty frames when unknown."""
    r, m, lic, o = s.releases.c, s.models.c, s.licences.c, s.organizations.c
    stmt = (
        select(
            r.release_id,
            m.name.label("model"),
            r.model_id,
            o.name.label("organization"),
            m.modality,
            r.date,
            r.date_precision,
            r.event_type,
            r.openness_level,
            _level_name(r.openness_level).label("openness"),
            r.gating,
            func.coalesce(lic.name, literal(UNKNOWN_LICENCE)).label("licence"),
            r.licence_id,
            func.coalesce(lic.family, literal(UNKNOWN_LICENCE)).label("licence_family"),
            r.weights,
            r.inference_code,
            r.training_code,
            r.training_data,
            r.documentation,
            r.notes,
            r.source_ids,
        )
        .select_from(
            s.releases.join(s.models, r.model_id == m.model_id)
            .join(s.organizations, m.organization_id == o.organization_id)
            .outerjoin(s.licences, r.licence_id == lic.licence_id)
        )
        .where(r.release_id == release_id)
    )
    row = read(engine, stmt)
    return {"row": row, "sources": _cited_sources(engine, [release_id], ["releases"]) if len(row) else row.iloc[0:0]}


def incident_detail(engine: Engine, incident_id: str) -> dict[str, pd.DataFrame]:
    """One incident with its model links, dated status history and every source behind them."""
    i, lk, m, st = s.incidents.c, s.incident_links.c, s.models.c, s.incident_steps.c
    row = read(engine, select(s.incidents).where(i.incident_id == incident_id))
    links = read(
        engine,
        select(
            lk.link_id,
            m.name.label("model"),
            lk.model_id,
            lk.release_id,
            lk.pathway,
            lk.openness_mattered,
            lk.reason,
        )
        .select_from(s.incident_links.join(s.models, lk.model_id == m.model_id))
        .where(lk.incident_id == incident_id)
        .order_by(m.name, lk.link_id),
    )
    steps = read(
        engine,
        select(st.step_id, st.date, st.date_precision, st.status, st.description)
        .where(st.incident_id == incident_id)
        .order_by(st.date, st.step_id),
    )
    ids = [incident_id, *links["link_id"], *steps["step_id"]]
    sources = (
        _cited_sources(engine, ids, ["incidents", "incident_links", "incident_steps"]) if len(row) else row.iloc[0:0]
    )
    return {
        "row": row,
        "links": links.drop(columns="link_id"),
        "steps": steps.drop(columns="step_id"),
        "sources": sources,
    }
