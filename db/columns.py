"""How a column is shown to people, declared once next to the contract: its label, and whether it is a name, an id,
a link, a date with a precision, or a fact that reads 'unknown' when missing.

Every table the pages show reads this (ui/tables.py); downloads keep the raw column names and values.
"""

from functools import lru_cache

from db import docs, spec, vocab

MISSING = "—"  # shown for a missing value that is simply absent (no notes, no release named)
UNKNOWN = "unknown"  # shown for a missing value of a fact the record should have (a licence, a component)
NO_LICENCE = "none recorded"  # a release event whose record names no licence

LABELS = {
    # sources
    "source_id": "Source id",
    "url": "Link",
    "title": "Title",
    "publisher": "Publisher",
    "date_published": "Published",
    "date_accessed": "Accessed",
    "notes": "Notes",
    "cited_for": "Cited for",
    "source": "A source",  # one address a row cites (db/queries first_sources); its details list every source
    # organisations
    "organization_id": "Organisation id",
    "organization_ids": "Organisation ids",
    "organization": "Developer",
    "developers": "Developers",
    "name": "Name",
    "aliases": "Also known as",
    "country": "Country",
    "kind": "Kind",
    # models
    "model_id": "Model id",
    "model_ids": "Model ids",
    "model": "Model",
    "models": "Models",
    "modality": "Modality",
    "parameters": "Parameters",
    "parameters_basis": "Parameters basis",
    "training_compute_flop": "Training compute (FLOP)",
    "compute_basis": "Compute basis",
    "compute_estimated_by": "Compute estimated by",
    "family": "Family",
    "base_model_id": "Based on (id)",
    "inclusion": "Included by",
    "description": "Description",
    "source_ids": "Source ids",
    "first_release": "First release",
    # licences
    "licence_id": "Licence id",
    "licence": "Licence",
    "licence_family": "Licence type",
    "version": "Version",
    "commercial_use": "Commercial use",
    "scale_threshold_kind": "Scale threshold kind",
    "scale_threshold_value": "Scale threshold",
    "use_restrictions": "Use restrictions",
    "restrictions_bind_derivatives": "Restrictions bind derivatives",
    "modification": "Modification",
    "redistribution": "Redistribution",
    "output_restriction": "Output restriction",
    "output_training": "Training other models on outputs",
    "scale_threshold_counted": "Scale threshold: how counted",
    "attribution": "Attribution",
    "osi_approved": "OSI approved",
    "commercial_use_clause": "Commercial use: clause",
    "scale_threshold_clause": "Scale threshold: clause",
    "use_restrictions_clause": "Use restrictions: clause",
    "modification_clause": "Modification: clause",
    "redistribution_clause": "Redistribution: clause",
    "output_restriction_clause": "Output restriction: clause",
    "output_training_clause": "Training on outputs: clause",
    "attribution_clause": "Attribution: clause",
    "releases": "Release events",
    "licence_text": "Licence text",
    # release events
    "release_id": "Release event id",
    "date": "Date",
    "date_precision": "Date precision",
    "event_type": "Event",
    "openness_level": "Openness level",
    "openness": "Openness",
    "gating": "Gating",
    "weights": "Weights",
    "inference_code": "Inference code",
    "training_code": "Training code",
    "training_data": "Training data",
    "documentation": "Documentation",
    "year": "Year",
    # incidents, their links and steps
    "incident_id": "Incident id",
    "type": "Type",
    "summary": "Summary",
    "jurisdiction": "Jurisdiction",
    "status": "Status",
    "severity": "Severity",
    "court": "Court",
    "docket": "Docket",
    "status_checked": "Status checked",
    "link_id": "Link id",
    "pathway": "How the model is involved",
    "openness_mattered": "Openness mattered",
    "reason": "Why",
    "step_id": "Step id",
    # context events
    "event_id": "Event id",
    # trackers and their assessments
    "tracker_id": "Tracker id",
    "tracker": "Tracker",
    "snapshot": "Snapshot",
    "snapshot_date": "Snapshot date",
    "terms": "Terms of use",
    "citation": "Citation",
    "scale": "Scale",
    "external_name": "Their name",
    "reviewed_by": "Reviewed by",
    "access_class": "Access class",
    "ratings": "Ratings",
    "evidence": "Evidence",
    # openness claims
    "claimant_id": "Claimant id",
    "claimant": "Claimant",
    "claim": "Claim",
    "claim_url": "Claim link",
    "claim_source": "Claim source",
    "claim_publisher": "Claim publisher",
    "our_training_data": "Training data (ours)",
    "our_training_code": "Training code (ours)",
    "eosai_training_data": "Training data (EOSAI)",
    "eosai_training_code": "Training code (EOSAI)",
    "verdict": "Verdict",
    "why": "Why",
    "osaid": "OSAID",
    "osaid_reason": "OSAID: why",
    "our_release_id": "Our release event id",
    # benchmarks and evaluations
    "benchmark_id": "Benchmark id",
    "metric": "Metric",
    "unit": "Unit",
    "floor": "Floor",
    "ceiling": "Ceiling",
    "introduced": "Introduced",
    "maintainer": "Maintainer",
    "caveats": "Caveats",
    "results": "Results",
    "evaluation_id": "Evaluation id",
    "model_as_evaluated": "Model as evaluated",
    "variant_date": "Variant date",
    "score": "Score",
    "setting": "Setting",
    "shots": "Shots",
    "reported_date": "Reported",
    "reported_date_precision": "Reported date precision",
    "reporter_role": "Reporter role",
    "reported_by": "Reported by",
    "reported_in": "Reported in",
    "reported_in_url": "Reported in (link)",
    # the closed frontier and its open-weight matches
    "closed_model": "Closed model",
    "closed_on": "Available",
    "closed_score": "Score",
    "open_match": "First open-weight match",
    "matched_on": "Matched on",
    "lag_months": "Lag (months)",
    "months_so_far": "Months so far",
    # compute estimates
    "estimate_id": "Estimate id",
    "quantity": "Quantity",
    "value": "Value",
    "hardware": "Hardware",
    "basis": "Basis",
    "estimated_by": "Estimated by",
    # the method page's scales
    "level": "Level",
    "meaning": "Meaning",
}

# Columns that name the row, shown first in this order when a table has them.
NAMES = ("model", "name", "title", "tracker", "claimant")
# Columns nobody reads in a table once the others are shown: keys built from other columns, precisions once the
# date is written in its precision.
HIDDEN = frozenset({"link_id", "step_id", "date_precision", "reported_date_precision"})
# Facts every record should have: missing means not known, not absent.
UNKNOWN_WHEN_MISSING = frozenset(
    {"licence", "licence_family", "modality", "gating", "openness", "country", *vocab.COMPONENTS}
)
# Columns of derived tables that hold one http(s) URL per row (charts/crosswalk.py, db/queries first_sources).
LINKS = frozenset({"their entry", "source"})
_KINDS = {c.name: c.kind for t in spec.TABLES for c in t.cols}


def label(column: str) -> str:
    """The human label of a column (a column without one reads as its name in words)."""
    text = LABELS.get(column, str(column).replace("_", " "))
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def _meanings() -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for (_, column), text in docs.column_meanings().items():
        found.setdefault(column, set()).add(text)
    # one meaning wherever the column appears, and one that reads alone (not "the rubric below")
    return {c: t.pop() for c, t in found.items() if len(t) == 1 and not {"below", "above"} & set(next(iter(t)).split())}


def meaning(column: str) -> str | None:
    """What a column holds, from the data dictionary (data/README.md), when it means one thing in every table."""
    return _meanings().get(str(column))


def is_id(column: str) -> bool:
    """Whether a column holds ids (keys, references, source lists) rather than words."""
    name = str(column)
    return _KINDS.get(name) in ("id", "ref", "reflist", "sources", "licence_id") or name.endswith(("_id", "_ids"))


def is_url(column: str) -> bool:
    """Whether a column holds one http(s) URL per row."""
    name = str(column)
    return _KINDS.get(name) == "url" or name in LINKS or name.endswith("url")


def precision_of(column: str) -> str:
    """The column holding a date column's precision (year, month or day)."""
    return "date_precision" if column == "date" else f"{column}_precision"


def display_order(columns) -> list[str]:
    """Name columns first, then the others as given, then ids; hidden columns left out."""
    shown = [c for c in columns if c not in HIDDEN]
    names = [c for n in NAMES for c in shown if c == n]
    ids = [c for c in shown if is_id(c) and c not in names]
    return names + [c for c in shown if c not in names and c not in ids] + ids
