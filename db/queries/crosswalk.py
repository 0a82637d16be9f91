"""The crosswalk: other trackers' ratings beside ours, agreement, disagreement patterns, open-washing and OSAID.

Our side of each comparison is the model's state on the tracker's snapshot
date: its most open release event on or before that date (after a withdrawal,
the withdrawal's level).
The mapping of each tracker's scale to our levels is db/scales.py.
"""

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, select

from db import schema as s
from db.queries.core import _has_model_filter, _matching_models, _sources_of, _vals, read
from db.scales import expected_levels
from db.vocab import COMPONENTS, OPENNESS_LEVELS

VERDICTS = ("agrees", "disagrees", "not comparable")
_RANK = {"closed": 0, "partial": 1, "open": 2}  # how open a component state is; 'unknown' is not ranked
OSAID_VALUES = ("yes", "no", "not assessed")
OSAID_NOT_ASSESSED = "No source we hold assesses this model against the OSI's Open Source AI Definition 1.0."
TRACKERS_WITH_COMPONENT_DATA = ("eosai", "epoch-ai", "mot")


def _model_scope(stmt, model_col, model_id: str | None, filters: dict):
    if model_id:
        stmt = stmt.where(model_col == model_id)
    if _has_model_filter(filters):
        stmt = stmt.where(model_col.in_(_matching_models(**filters)))
    return stmt


def _assessments(engine: Engine, tracker_ids=None, model_id: str | None = None, **filters) -> pd.DataFrame:
    a, t, m = s.assessments.c, s.trackers.c, s.models.c
    stmt = (
        select(
            s.assessments,
            t.name.label("tracker"),
            t.snapshot_date,
            m.name.label("model"),
        )
        .join_from(s.assessments, s.trackers, a.tracker_id == t.tracker_id)
        .join(s.models, a.model_id == m.model_id)
    )
    if _vals(tracker_ids):
        stmt = stmt.where(a.tracker_id.in_(_vals(tracker_ids)))
    return _plain(read(engine, _model_scope(stmt, a.model_id, model_id, filters)))


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (not NaN), so rows compare and print as the stored text."""
    return pd.DataFrame(
        {c: pd.Series([None if pd.isna(v) else v for v in df[c]], index=df.index, dtype=object) for c in df.columns},
        index=df.index,
    )


def _releases(engine: Engine, model_ids: Iterable[str]) -> pd.DataFrame:
    r, lic = s.releases.c, s.licences.c
    ids = sorted(set(model_ids))
    if not ids:
        return pd.DataFrame(
            columns=[
                "release_id",
                "model_id",
                "date",
                "event_type",
                "openness_level",
                "gating",
                "licence_id",
                *COMPONENTS,
                "notes",
                "licence_name",
                "licence_family",
                "osi_approved",
                "commercial_use",
                "use_restrictions",
                "commercial_use_clause",
                "use_restrictions_clause",
                "source_urls",
            ]
        )
    stmt = (
        select(
            r.release_id,
            r.model_id,
            r.date,
            r.event_type,
            r.openness_level,
            r.gating,
            r.licence_id,
            *[r[c] for c in COMPONENTS],
            r.notes,
            lic.name.label("licence_name"),
            lic.family.label("licence_family"),
            lic.osi_approved,
            lic.commercial_use,
            lic.use_restrictions,
            lic.commercial_use_clause,
            lic.use_restrictions_clause,
            _sources_of("releases", r.release_id).label("source_urls"),
        )
        .join_from(s.releases, s.licences, r.licence_id == lic.licence_id, isouter=True)
        .where(r.model_id.in_(ids))
    )
    rel = _plain(read(engine, stmt))
    # the state after a day's events is the most open of that day (a paper and its weights on one day)
    return rel.sort_values(["model_id", "date", "openness_level", "release_id"]).reset_index(drop=True)


def _by_model(rel: pd.DataFrame) -> dict[str, list[dict]]:
    """Each model's release events as records, in date order (grouped once, not filtered per assessment)."""
    out: dict[str, list[dict]] = {}
    for event in rel.to_dict("records"):  # one conversion: per-group to_dict costs ~4 ms a model in pandas 3
        out.setdefault(event["model_id"], []).append(event)
    return out


def _state_at(events: dict[str, list[dict]], model_id: str, day: str | None) -> dict | None:
    """Our state of a model on a day (any day when None): its most open release event so far.

    A later event never makes a model less open unless it is a withdrawal (a paper after the weights, or an
    API launch beside them, leaves the weights out); from a withdrawal on, its level is the state.
    """
    state = None
    for event in events.get(model_id, ()):
        if day and event["date"] > day:
            break
        if state is None or event["event_type"] == "withdrawal" or event["openness_level"] >= state["openness_level"]:
            state = event
    return state


def _levels_text(levels: tuple[int, ...] | None) -> str:
    if levels is None:
        return "not comparable"
    return ", ".join(f"{lv} {OPENNESS_LEVELS[lv]}" for lv in levels)


def _level_pattern(levels: tuple[int, ...], ours: dict) -> str:
    """Why a tracker's class and our level part: the first of the known systematic reasons that applies."""
    level = int(ours["openness_level"])
    if ours["event_type"] == "leak":
        return "leaked weights"
    if level == 4 and ours["gating"] in ("approval", "click-through") and 4 not in levels:
        return "gated weights"
    if ours["licence_family"] == "open-rail" and 4 not in levels:
        return "RAIL licence"
    if ours["licence_family"] in ("community", "non-commercial") and 4 not in levels:
        return "restricted licence"
    return "tracker rates it more open" if min(levels) > level else "tracker rates it less open"


def _component_differences(row: dict, ours: dict) -> list[tuple[str, str]]:
    """(component, direction) for each component both sides rate, where they differ."""
    out = []
    for comp in COMPONENTS:
        theirs, mine = row.get(comp), ours.get(comp)
        if theirs in _RANK and mine in _RANK and theirs != mine:
            out.append(
                (comp, "tracker rates it more open" if _RANK[theirs] > _RANK[mine] else "tracker rates it less open")
            )
    return out


def crosswalk_rows(
    engine: Engine,
    tracker_ids=None,
    model_id: str | None = None,
    disagreements_only: bool = False,
    **filters,
) -> pd.DataFrame:
    """Every assessment beside our state on its snapshot date: verdict, pattern and the evidence on both sides."""
    a = _assessments(engine, tracker_ids, model_id, **filters)
    rel = _by_model(_releases(engine, a["model_id"]))
    rows = []
    for row in a.to_dict("records"):
        ours = _state_at(rel, row["model_id"], row["snapshot_date"])
        levels = expected_levels(row["tracker_id"], row["access_class"])
        verdict, pattern, components = "not comparable", "", []
        if ours is not None:
            components = _component_differences(row, ours)
            if levels is not None:
                agrees = int(ours["openness_level"]) in levels
                verdict = "agrees" if agrees else "disagrees"
                pattern = "" if agrees else _level_pattern(levels, ours)
        get = (lambda c: None) if ours is None else ours.get
        rows.append(
            {
                "model_id": row["model_id"],
                "model": row["model"],
                "tracker_id": row["tracker_id"],
                "tracker": row["tracker"],
                "external_name": row["external_name"],
                "their_class": row["access_class"],
                "their_levels": _levels_text(levels),
                "our_level": None if ours is None else int(ours["openness_level"]),
                "our_level_name": None if ours is None else OPENNESS_LEVELS[int(ours["openness_level"])],
                "verdict": verdict,
                "pattern": pattern,
                "component_differences": "; ".join(f"{c}: {d}" for c, d in components),
                "snapshot_date": row["snapshot_date"],
                "our_release_id": get("release_id"),
                "our_release_date": get("date"),
                "our_gating": get("gating"),
                "our_licence": get("licence_id"),
                "our_licence_family": get("licence_family"),
                "their_licence": row["licence_text"],
                "their_date": row["date"],
                **{f"our_{c}": get(c) for c in COMPONENTS},
                **{f"their_{c}": row[c] for c in COMPONENTS},
                "their_ratings": row["ratings"],
                "their_evidence": row["evidence"],
                "their_url": row["url"],
                "our_evidence": get("notes"),
                "our_sources": get("source_urls"),
            }
        )
    out = pd.DataFrame(rows, columns=_CROSSWALK_COLUMNS)
    if disagreements_only:
        out = out[(out["verdict"] == "disagrees") | (out["component_differences"] != "")]
    return out.sort_values(["model", "model_id", "tracker_id", "external_name"]).reset_index(drop=True)


_CROSSWALK_COLUMNS = [
    "model_id",
    "model",
    "tracker_id",
    "tracker",
    "external_name",
    "their_class",
    "their_levels",
    "our_level",
    "our_level_name",
    "verdict",
    "pattern",
    "component_differences",
    "snapshot_date",
    "our_release_id",
    "our_release_date",
    "our_gating",
    "our_licence",
    "our_licence_family",
    "their_licence",
    "their_date",
    *[f"our_{c}" for c in COMPONENTS],
    *[f"their_{c}" for c in COMPONENTS],
    "their_ratings",
    "their_evidence",
    "their_url",
    "our_evidence",
    "our_sources",
]


def crosswalk_agreement(engine: Engine, tracker_ids=None, **filters) -> pd.DataFrame:
    """Per tracker and verdict: how many assessments agree with our level, disagree, or cannot be compared."""
    cw = crosswalk_rows(engine, tracker_ids, **filters)
    counts = cw.groupby(["tracker_id", "tracker", "verdict"]).size().rename("assessments").reset_index()
    full = pd.MultiIndex.from_product(
        [sorted(set(zip(cw["tracker_id"], cw["tracker"], strict=True))), VERDICTS], names=["pair", "verdict"]
    ).to_frame(index=False)
    if full.empty:
        return pd.DataFrame(columns=["tracker_id", "tracker", "verdict", "assessments", "share_compared"])
    full["tracker_id"] = [p[0] for p in full["pair"]]
    full["tracker"] = [p[1] for p in full["pair"]]
    out = full.drop(columns="pair")[["tracker_id", "tracker", "verdict"]]
    out = out.merge(counts, how="left", on=["tracker_id", "tracker", "verdict"])
    out["assessments"] = out["assessments"].fillna(0).astype(int)
    compared = out[out["verdict"] != "not comparable"].groupby("tracker_id")["assessments"].sum()
    out["share_compared"] = [
        round(n / compared[t], 3) if v != "not comparable" and compared.get(t) else None
        for t, v, n in zip(out["tracker_id"], out["verdict"], out["assessments"], strict=True)
    ]
    return out.sort_values(["tracker_id", "verdict"], key=_verdict_order).reset_index(drop=True)


def _verdict_order(col: dict) -> dict:
    return col.map(VERDICTS.index) if col.name == "verdict" else col


def crosswalk_patterns(engine: Engine, tracker_ids=None, **filters) -> pd.DataFrame:
    """Where trackers disagree with us: disagreements per tracker and pattern (level, or one component)."""
    cw = crosswalk_rows(engine, tracker_ids, **filters)
    rows = []
    for r in cw.to_dict("records"):
        if r["verdict"] == "disagrees":
            rows.append((r["tracker_id"], r["tracker"], "level", r["pattern"], r["model_id"]))
        for part in filter(None, r["component_differences"].split("; ")):
            comp, direction = part.split(": ", 1)
            rows.append(
                (r["tracker_id"], r["tracker"], "component", f"{comp.replace('_', ' ')}: {direction}", r["model_id"])
            )
    df = pd.DataFrame(rows, columns=["tracker_id", "tracker", "kind", "pattern", "model_id"])
    out = (
        df.groupby(["tracker_id", "tracker", "kind", "pattern"])
        .agg(disagreements=("model_id", "size"), models=("model_id", lambda ids: "; ".join(sorted(set(ids)))))
        .reset_index()
    )
    return out.sort_values(
        ["kind", "disagreements", "tracker_id", "pattern"], ascending=[False, False, True, True]
    ).reset_index(drop=True)


def _osaid(ours: dict | None) -> tuple[str, str]:
    """OSAID verdict and reason from our latest release: 'no' only where a stored fact rules it out."""
    if ours is None:
        return "not assessed", "No release event is recorded."
    if int(ours["openness_level"]) < 4 or ours["weights"] == "closed":
        return "no", (
            f"The weights are not available (level {int(ours['openness_level'])}, release {ours['release_id']}); "
            "the definition requires the parameters under OSI-approved terms."
        )
    if ours["osi_approved"] == "no" and (
        ours["commercial_use"] in ("prohibited", "conditional") or ours["use_restrictions"] == "yes"
    ):
        clause = ours["use_restrictions_clause"] if ours["use_restrictions"] == "yes" else ours["commercial_use_clause"]
        return "no", (
            f"The licence {ours['licence_id']} is not OSI-approved and restricts use, against the freedom to use the "
            f"system for any purpose. Clause: {clause or 'not recorded'}"
        )
    return "not assessed", OSAID_NOT_ASSESSED


def osaid(engine: Engine, model_id: str | None = None, **filters) -> pd.DataFrame:
    """Per model: meets the Open Source AI Definition (yes / no / not assessed), with the reason and the release it rests on."""
    m = s.models.c
    models = read(engine, _model_scope(select(m.model_id, m.name), m.model_id, model_id, filters))
    rel = _by_model(_releases(engine, models["model_id"]))
    rows = []
    for model in models.to_dict("records"):
        ours = _state_at(rel, model["model_id"], None)
        verdict, reason = _osaid(ours)
        rows.append(
            {
                "model_id": model["model_id"],
                "model": model["name"],
                "osaid": verdict,
                "reason": reason,
                "release_id": None if ours is None else ours["release_id"],
                "licence_id": None if ours is None else ours["licence_id"],
            }
        )
    out = pd.DataFrame(rows, columns=["model_id", "model", "osaid", "reason", "release_id", "licence_id"])
    return out.sort_values(["model", "model_id"]).reset_index(drop=True)


def open_washing(engine: Engine, **filters) -> pd.DataFrame:
    """Developers' claims that a model is open, beside the state of its training data and code (ours and the Index's)."""
    c, m, o, src = s.openness_claims.c, s.models.c, s.organizations.c, s.sources.c
    stmt = (
        select(
            c.model_id,
            m.name.label("model"),
            o.name.label("claimant"),
            c.claim,
            src.url.label("claim_url"),
            src.title.label("claim_source"),
            src.publisher.label("claim_publisher"),
            c.notes,
        )
        .join_from(s.openness_claims, s.models, c.model_id == m.model_id)
        .join(s.organizations, c.claimant_id == o.organization_id)
        .join(s.sources, c.source_id == src.source_id)
    )
    claims = read(engine, _model_scope(stmt, c.model_id, None, filters))
    rel = _by_model(_releases(engine, claims["model_id"]))
    index = _assessments(engine, ["eosai"], **filters)
    rows = []
    for claim in _plain(claims).to_dict("records"):
        ours = _state_at(rel, claim["model_id"], None)
        theirs = index[index["model_id"] == claim["model_id"]]
        eosai = theirs.to_dict("records")[0] if len(theirs) else None
        states = {
            "our_training_data": None if ours is None else ours["training_data"],
            "our_training_code": None if ours is None else ours["training_code"],
            "eosai_training_data": None if eosai is None else eosai["training_data"],
            "eosai_training_code": None if eosai is None else eosai["training_code"],
        }
        short = sorted({k.replace("_", " ") for k, v in states.items() if v in ("closed", "partial")})
        known = [v for v in states.values() if v in _RANK]
        verdict = (
            "open-washing"
            if short
            else ("consistent" if known and all(v == "open" for v in known) else "not enough data")
        )
        osaid_value, osaid_reason = _osaid(ours)
        rows.append(
            {
                **claim,
                **states,
                "verdict": verdict,
                "why": ("closed or partial: " + ", ".join(short)) if short else "",
                "osaid": osaid_value,
                "osaid_reason": osaid_reason,
                "our_release_id": None if ours is None else ours["release_id"],
            }
        )
    columns = [
        *claims.columns,
        "our_training_data",
        "our_training_code",
        "eosai_training_data",
        "eosai_training_code",
        "verdict",
        "why",
        "osaid",
        "osaid_reason",
        "our_release_id",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["model", "claim_url"]).reset_index(drop=True)


def trackers(engine: Engine) -> pd.DataFrame:
    """The trackers compared, with snapshot, terms and citation."""
    return read(engine, select(s.trackers).order_by(s.trackers.c.tracker_id))


DATE_TOLERANCE_DAYS = 31  # "more than a month" apart
# texts that name no licence (the Model Openness Tool writes "Component not included" for a missing component)
_NO_LICENCE = {
    "",
    "unknown",
    "none",
    "na",
    "unlicensed",
    "undisclosed",
    "nolicencegiven",
    "componentcomponentnotincluded",
}
_CUSTOM = {"custom", "proprietary"}  # a tracker's word for terms of the developer's own, which our LicenseRef- ids are


def _period(day: str, precision: str | None) -> tuple[dt.date, dt.date]:
    """The first and last day a date of a given precision can mean."""
    start = dt.date.fromisoformat(day)
    if precision == "year":
        return start, dt.date(start.year, 12, 31)
    if precision == "month":
        nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, nxt - dt.timedelta(days=1)
    return start, start


def _fold(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def _licence_agrees(theirs: str, ours: list[dict]) -> bool:
    """Whether a tracker's licence text names one of our licences (ids and names compared without case or punctuation)."""
    t = _fold(theirs)
    if t in _CUSTOM and any(lic["licence_id"].startswith("LicenseRef-") for lic in ours):
        return True
    names = set()
    for lic in ours:
        names |= {_fold(lic["licence_id"]), _fold(lic["licence_name"])}
        names.add(_fold(f"{lic['licence_name'] or ''}{lic.get('licence_version') or ''}"))
    names.discard("")
    return any(t == n or (min(len(t), len(n)) >= 3 and (t in n or n in t)) for n in names)


def crosscheck(engine: Engine, tracker_ids=None, **filters) -> pd.DataFrame:
    """Where a tracker's date is over a month from our first release, or its licence names none of ours: for curators."""
    a = _assessments(engine, tracker_ids, **filters)
    rel = _releases(engine, a["model_id"])
    versions = dict(read(engine, select(s.licences.c.licence_id, s.licences.c.version)).itertuples(index=False))
    by_model: dict[str, list[dict]] = {}
    for r in rel.to_dict("records"):
        by_model.setdefault(r["model_id"], []).append(r)
    rows = []
    for row in a.to_dict("records"):
        mine = by_model.get(row["model_id"], [])
        if not mine:
            continue
        first = min(r["date"] for r in mine)
        if row["date"]:
            start, end = _period(row["date"], row["date_precision"])
            ours_day = dt.date.fromisoformat(first)
            gap = (start - ours_day).days if ours_day < start else (ours_day - end).days if ours_day > end else 0
            if gap > DATE_TOLERANCE_DAYS:
                rows.append(_check(row, "date", row["date"], first, gap))
        licences = [{**r, "licence_version": versions.get(r["licence_id"])} for r in mine if r["licence_id"]]
        text = row["licence_text"] or ""
        if _fold(text) not in _NO_LICENCE and not _licence_agrees(text, licences):
            ours = "; ".join(sorted({r["licence_id"] for r in licences})) or "none recorded"
            rows.append(_check(row, "licence", text, ours, None))
    columns = ["model_id", "model", "tracker_id", "external_name", "check", "theirs", "ours", "days_apart", "url"]
    out = pd.DataFrame(rows, columns=columns)
    out["days_apart"] = out["days_apart"].astype("Int64")
    return out.sort_values(["check", "model", "tracker_id", "external_name"]).reset_index(drop=True)


def _check(row: dict, check: str, theirs: str, ours: str, days: int | None) -> dict:
    return {
        "model_id": row["model_id"],
        "model": row["model"],
        "tracker_id": row["tracker_id"],
        "external_name": row["external_name"],
        "check": check,
        "theirs": theirs,
        "ours": ours,
        "days_apart": days,
        "url": row["url"],
    }
