"""Answers derived from stored licence terms: "Can I...?" questions and side-by-side comparisons.

Every answer rests on a stored term and quotes the clause recorded for it; a
missing term is answered "unknown", never guessed.
"""

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, exists, func, or_, select

from db import schema as s
from db.queries.core import _vals, model_firsts, read, release_conditions, table
from db.vocab import THRESHOLD_COUNTED_TEXT, UNKNOWN

ANSWERS = ("yes", "no", "conditional", UNKNOWN)
QUESTIONS = (
    ("commercial", "Can I use it commercially?"),
    ("threshold", "Can I use it commercially above a user or revenue threshold?"),
    ("outputs", "Can I train another model on its outputs?"),
    ("fine_tune", "Can I redistribute a fine-tune?"),
)
# The terms compared side by side, with the clause column each rests on.
COMPARED_TERMS = (
    ("family", "licence type", None),
    ("commercial_use", "commercial use", "commercial_use_clause"),
    ("scale_threshold", "scale threshold", "scale_threshold_clause"),
    ("use_restrictions", "use restrictions", "use_restrictions_clause"),
    ("restrictions_bind_derivatives", "restrictions bind derivatives", "use_restrictions_clause"),
    ("modification", "modification / fine-tuning", "modification_clause"),
    ("redistribution", "redistribution", "redistribution_clause"),
    ("output_training", "training on outputs", "output_training_clause"),
    ("output_restriction", "output restriction", "output_restriction_clause"),
    ("attribution", "attribution", "attribution_clause"),
    ("osi_approved", "OSI approved", None),
)
_OUTPUT_TRAINING_TEXT = {
    "allowed": "No clause limits training another model on its outputs.",
    "conditional": "Training another model on its outputs is allowed only under the conditions in the clause.",
    "prohibited": "Training another model on its outputs is prohibited, at least for the kind of model the clause names.",
}
_PERMISSION_ANSWER = {"allowed": "yes", "conditional": "conditional", "prohibited": "no"}


def _licence_row(engine: Engine, licence_id: str) -> dict | None:
    df = read(engine, select(s.licences).where(s.licences.c.licence_id == licence_id))
    if df.empty:
        return None
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


def counted_text(counted: str | None) -> str:
    """How a user or revenue threshold is counted, in words; says so when it is not recorded."""
    return THRESHOLD_COUNTED_TEXT.get(counted, "how it is counted is not recorded")


def threshold_text(kind: str | None, value) -> str | None:
    """'none', 'above 700,000,000 monthly active users', 'above US$1,000,000 annual revenue', or None."""
    if kind is None:
        return None
    if kind == "none":
        return "none"
    if value is None or pd.isna(value):
        return f"{kind} threshold (number not recorded)"
    unit = "monthly active users" if kind == "users" else "annual revenue"
    number = f"{int(value):,}" if kind == "users" else f"US${int(value):,}"
    return f"above {number} {unit}"


def _clauses(lic: dict, *cols: str) -> str:
    texts = [str(lic[c]) for c in cols if lic.get(c)]
    return " / ".join(texts) if texts else "No clause recorded."


def answer_questions(lic: dict) -> pd.DataFrame:
    """The four "Can I...?" answers for one licence row: question, answer, explanation, clause."""
    commercial = _PERMISSION_ANSWER.get(lic.get("commercial_use"), UNKNOWN)
    rows = [
        (
            "commercial",
            commercial,
            f"Commercial use is {lic.get('commercial_use') or 'not recorded'}.",
            _clauses(lic, "commercial_use_clause"),
        )
    ]
    kind, threshold = (
        lic.get("scale_threshold_kind"),
        threshold_text(lic.get("scale_threshold_kind"), lic.get("scale_threshold_value")),
    )
    if commercial == "no":
        rows.append(
            ("threshold", "no", "Commercial use is prohibited at any scale.", _clauses(lic, "commercial_use_clause"))
        )
    elif kind is None or commercial == UNKNOWN:
        rows.append(
            ("threshold", UNKNOWN, "The scale threshold is not recorded.", _clauses(lic, "scale_threshold_clause"))
        )
    elif kind == "none":
        rows.append(
            (
                "threshold",
                commercial,
                "The licence sets no user or revenue threshold.",
                _clauses(lic, "scale_threshold_clause"),
            )
        )
    else:
        rows.append(
            (
                "threshold",
                "conditional",
                f"Threshold: {threshold}, {counted_text(lic.get('scale_threshold_counted'))}. "
                "Above it, a separate licence from the licensor is needed.",
                _clauses(lic, "scale_threshold_clause"),
            )
        )
    training = lic.get("output_training")
    rows.append(
        (
            "outputs",
            _PERMISSION_ANSWER.get(training, UNKNOWN),
            _OUTPUT_TRAINING_TEXT.get(training, "Whether outputs may train another model has not been verified."),
            _clauses(lic, "output_training_clause"),
        )
    )
    rows.append(_fine_tune(lic))
    df = pd.DataFrame(rows, columns=["question_id", "answer", "explanation", "clause"])
    df.insert(1, "question", df["question_id"].map(dict(QUESTIONS)))
    return df


def _fine_tune(lic: dict) -> tuple[str, str, str, str]:
    mod, red, binds = lic.get("modification"), lic.get("redistribution"), lic.get("restrictions_bind_derivatives")
    clause = _clauses(lic, "modification_clause", "redistribution_clause")
    if "prohibited" in (mod, red):
        return (
            "fine_tune",
            "no",
            f"Modification is {mod or 'not recorded'}; redistribution is {red or 'not recorded'}.",
            clause,
        )
    if mod is None or red is None:
        return "fine_tune", UNKNOWN, "Modification or redistribution terms are not recorded.", clause
    answer = "yes" if mod == red == "allowed" and binds != "yes" else "conditional"
    text = f"Modification is {mod}; redistribution is {red}."
    if binds == "yes":
        text += " The use restrictions bind derivatives, so they must be passed on with the fine-tune."
        clause = _clauses(lic, "modification_clause", "redistribution_clause", "use_restrictions_clause")
    return "fine_tune", answer, text, clause


def licence_answers(engine: Engine, licence_id: str) -> pd.DataFrame:
    """The "Can I...?" answers for a licence; empty when the licence id is unknown."""
    lic = _licence_row(engine, licence_id)
    if lic is None:
        return pd.DataFrame(columns=["question_id", "question", "answer", "explanation", "clause"])
    return answer_questions(lic)


def _term_value(lic: dict, term: str) -> str:
    if term == "scale_threshold":
        kind = lic.get("scale_threshold_kind")
        text = threshold_text(kind, lic.get("scale_threshold_value")) or UNKNOWN
        return f"{text}, {counted_text(lic.get('scale_threshold_counted'))}" if kind in ("users", "revenue") else text
    value = lic.get(term)
    return UNKNOWN if value is None else str(value)


def licence_comparison(engine: Engine, a: str, b: str) -> pd.DataFrame:
    """Two licences term by term: value and clause of each, whether the values differ and whether the wording does."""
    left, right = _licence_row(engine, a), _licence_row(engine, b)
    cols = ["term", "a", "a_clause", "b", "b_clause", "differs", "clause_differs"]
    if left is None or right is None:
        return pd.DataFrame(columns=cols)
    rows = []
    for term, label, clause_col in COMPARED_TERMS:
        va, vb = _term_value(left, term), _term_value(right, term)
        ca = (left.get(clause_col) or "") if clause_col else ""
        cb = (right.get(clause_col) or "") if clause_col else ""
        rows.append((label, va, ca, vb, cb, va != vb, ca != cb))
    return pd.DataFrame(rows, columns=cols)


def table_rows(engine: Engine, table_name: str, limit: int | None = None) -> pd.DataFrame:
    """A whole public table for full downloads, or its first `limit` rows for a preview."""
    if limit is None:
        return table(engine, table_name)
    if table_name not in s.TABLES:
        raise ValueError(f"unknown table '{table_name}'")
    return read(engine, select(s.TABLES[table_name]).limit(int(limit)))


def model_choices(
    engine: Engine, search: str | None = None, limit: int | None = None, keep: Iterable[str] = (), **filters
) -> dict:
    """Models for a picker: id and name of those with a release passing the filters whose name or id holds `search`.

    Returns "choices" (by name, at most `limit`), "matches" (how many match before the limit) and "kept": the
    `keep` models with their name and whether they pass the filters (search ignored), so a chosen model stays
    listed while the search narrows the rest.
    """
    m = s.models.c
    conds = release_conditions(**filters)
    if conds:
        passing = m.model_id.in_(select(s.releases.c.model_id).where(*conds))
    else:  # a stored row per model with an event: the picker walks models in name order, one lookup each
        passing = exists().where(model_firsts().c.model_id == m.model_id)
    conds = [passing]
    if search:
        text = search.strip().lower()
        conds.append(
            or_(func.lower(m.name).contains(text, autoescape=True), m.model_id.contains(text, autoescape=True))
        )
    stmt = select(m.model_id, m.name).where(*conds).order_by(func.lower(m.name), m.model_id)
    if limit is not None:
        stmt = stmt.limit(int(limit))
    choices = read(engine, stmt)
    if limit is None or len(choices) < int(limit):
        matches = len(choices)
    else:
        matches = int(read(engine, select(func.count()).select_from(s.models).where(*conds)).iloc[0, 0])
    kept = read(engine, select(m.model_id, m.name, passing.label("passes")).where(m.model_id.in_(_vals(keep)))).astype(
        {"passes": bool}
    )
    return {"choices": choices, "matches": matches, "kept": kept}
