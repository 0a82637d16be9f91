"""The public data contract: every table, its columns and their rules, defined once.

The schema (db/schema.py), validation (db/validate.py) and the docs test all read
this module, so a column cannot exist in one place and be missing in another.
"""

from dataclasses import dataclass, field

from db import vocab


@dataclass(frozen=True)
class Col:
    """One column of a data file and of its database table."""

    name: str
    kind: str  # id, text, enum, enumlist, int, float, date, precision, ref, reflist, url, sources, level
    required: bool = False
    values: tuple = ()
    ref: str | None = None  # referenced table for ref / reflist
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """A table: its file in data/, its key and its columns."""

    name: str
    key: tuple[str, ...]
    cols: tuple[Col, ...]
    needs_source: bool = True
    derived: tuple[str, ...] = field(default=())
    optional: bool = False  # a missing file means no rows (tables added after the first release of the contract)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.cols]

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)


def _dated() -> tuple[Col, Col]:
    return Col("date", "date", True), Col("date_precision", "precision", True, vocab.DATE_PRECISIONS)


def _components() -> tuple[Col, ...]:
    return tuple(Col(c, "enum", True, vocab.COMPONENT_STATES) for c in vocab.COMPONENTS)


def _term_clauses() -> tuple[Col, ...]:
    return tuple(Col(f"{t}_clause", "text") for t in vocab.LICENCE_TERMS)


SOURCES = TableSpec(
    "sources",
    ("source_id",),
    (
        Col("source_id", "id", True),
        Col("url", "url", True),
        Col("title", "text", True),
        Col("publisher", "text", True),
        Col("date_published", "date"),
        Col("date_accessed", "date", True),
        Col("notes", "text"),
    ),
    needs_source=False,
)

ORGANIZATIONS = TableSpec(
    "organizations",
    ("organization_id",),
    (
        Col("organization_id", "id", True),
        Col("name", "text", True),
        Col("aliases", "text"),
        Col("country", "country"),
        Col("kind", "enum", True, vocab.ORG_KINDS),
    ),
    needs_source=False,
)

MODELS = TableSpec(
    "models",
    ("model_id",),
    (
        Col("model_id", "id", True),
        Col("name", "text", True),
        Col("organization_ids", "reflist", True, ref="organizations"),
        Col("modality", "enum", True, vocab.MODALITIES),
        Col("parameters", "int", low=1),
        Col("parameters_basis", "enum", False, vocab.FIGURE_BASIS),
        Col("training_compute_flop", "float", low=1),
        Col("compute_basis", "enum", False, vocab.FIGURE_BASIS),
        Col("compute_estimated_by", "text"),
        Col("family", "text"),
        Col("base_model_id", "ref", ref="models"),
        Col("inclusion", "enumlist", True, tuple(vocab.INCLUSION_CLAUSES)),
        Col("description", "text", True),
        Col("notes", "text"),
        Col("source_ids", "sources", True),
    ),
    derived=("organization_id",),
)

LICENCES = TableSpec(
    "licences",
    ("licence_id",),
    (
        Col("licence_id", "licence_id", True),
        Col("name", "text", True),
        Col("version", "text"),
        Col("family", "enum", True, vocab.LICENCE_FAMILIES),
        Col("url", "url"),
        Col("commercial_use", "enum", False, vocab.PERMISSION),
        Col("scale_threshold_kind", "enum", False, vocab.THRESHOLD_KINDS),
        Col("scale_threshold_value", "float", low=1),
        Col("scale_threshold_counted", "enum", False, vocab.THRESHOLD_COUNTED),
        Col("use_restrictions", "enum", False, vocab.YES_NO),
        Col("restrictions_bind_derivatives", "enum", False, vocab.YES_NO_NA),
        Col("modification", "enum", False, vocab.PERMISSION),
        Col("redistribution", "enum", False, vocab.PERMISSION),
        Col("output_restriction", "enum", False, vocab.YES_NO),
        Col("output_training", "enum", False, vocab.PERMISSION),
        Col("attribution", "enum", False, vocab.YES_NO),
        Col("osi_approved", "enum", False, vocab.YES_NO_NA),
        *_term_clauses(),
        Col("notes", "text"),
        Col("source_ids", "sources", True),
    ),
)

RELEASES = TableSpec(
    "releases",
    ("release_id",),
    (
        Col("release_id", "id", True),
        Col("model_id", "ref", True, ref="models"),
        *_dated(),
        Col("event_type", "enum", True, vocab.EVENT_TYPES),
        Col("openness_level", "level", True, low=0, high=5),
        Col("gating", "enum", False, vocab.GATING),
        Col("licence_id", "ref", ref="licences"),
        *_components(),
        Col("notes", "text"),
        Col("source_ids", "sources", True),
    ),
    derived=("year",),
)

INCIDENTS = TableSpec(
    "incidents",
    ("incident_id",),
    (
        Col("incident_id", "id", True),
        Col("title", "text", True),
        *_dated(),
        Col("type", "enum", True, vocab.INCIDENT_TYPES),
        Col("summary", "text", True),
        Col("jurisdiction", "jurisdiction"),
        Col("status", "enum", True, vocab.INCIDENT_STATUSES),
        Col("severity", "level", True, low=0, high=3),
        Col("court", "text"),
        Col("docket", "text"),
        Col("status_checked", "date"),
        Col("notes", "text"),
        Col("source_ids", "sources", True),
    ),
    derived=("year",),
)

INCIDENT_LINKS = TableSpec(
    "incident_links",
    ("incident_id", "model_id", "release_id"),
    (
        Col("incident_id", "ref", True, ref="incidents"),
        Col("model_id", "ref", True, ref="models"),
        Col("release_id", "ref", ref="releases"),
        Col("pathway", "enum", True, vocab.PATHWAYS),
        Col("openness_mattered", "enum", True, vocab.OPENNESS_MATTERED),
        Col("reason", "text", True),
        Col("source_ids", "sources", True),
    ),
    derived=("link_id",),
)

INCIDENT_STEPS = TableSpec(
    "incident_steps",
    ("incident_id", "date", "status"),
    (
        Col("incident_id", "ref", True, ref="incidents"),
        *_dated(),
        Col("status", "enum", True, vocab.INCIDENT_STATUSES),
        Col("description", "text", True),
        Col("source_ids", "sources", True),
    ),
    derived=("step_id",),
)

CONTEXT_EVENTS = TableSpec(
    "context_events",
    ("event_id",),
    (
        Col("event_id", "id", True),
        Col("title", "text", True),
        *_dated(),
        Col("kind", "enum", True, vocab.CONTEXT_KINDS),
        Col("organization_ids", "reflist", ref="organizations"),
        Col("model_ids", "reflist", ref="models"),
        Col("summary", "text", True),
        Col("source_ids", "sources", True),
    ),
)

TRACKERS = TableSpec(
    "trackers",
    ("tracker_id",),
    (
        Col("tracker_id", "id", True),
        Col("name", "text", True),
        Col("publisher", "text", True),
        Col("url", "url", True),
        Col("snapshot", "text", True),
        Col("snapshot_date", "date", True),
        Col("terms", "text", True),
        Col("citation", "text", True),
        Col("scale", "text", True),
        Col("notes", "text"),
    ),
    needs_source=False,
    optional=True,
)

TRACKER_NAMES = TableSpec(
    "tracker_names",
    ("tracker_id", "external_name"),
    (
        Col("tracker_id", "ref", True, ref="trackers"),
        Col("external_name", "text", True),
        Col("model_id", "ref", True, ref="models"),
        Col("reviewed_by", "enum", True, vocab.REVIEWERS),
        Col("notes", "text"),
    ),
    needs_source=False,
    optional=True,
)


def _rated_components() -> tuple[Col, ...]:
    return tuple(Col(c, "enum", False, vocab.COMPONENT_STATES) for c in vocab.COMPONENTS)


ASSESSMENTS = TableSpec(
    "assessments",
    ("tracker_id", "external_name"),
    (
        Col("tracker_id", "ref", True, ref="trackers"),
        Col("external_name", "text", True),
        Col("model_id", "ref", True, ref="models"),
        Col("snapshot", "text", True),
        Col("access_class", "text"),
        Col("licence_text", "text"),
        Col("date", "date"),
        Col("date_precision", "precision", False, vocab.DATE_PRECISIONS),
        *_rated_components(),
        Col("ratings", "text"),
        Col("evidence", "text"),
        Col("url", "url", True),
    ),
    needs_source=False,
    optional=True,
)

OPENNESS_CLAIMS = TableSpec(
    "openness_claims",
    ("model_id", "source_id"),
    (
        Col("model_id", "ref", True, ref="models"),
        Col("claimant_id", "ref", True, ref="organizations"),
        Col("claim", "text", True),
        Col("source_id", "ref", True, ref="sources"),
        Col("notes", "text"),
    ),
    needs_source=False,
    optional=True,
)

BENCHMARKS = TableSpec(
    "benchmarks",
    ("benchmark_id",),
    (
        Col("benchmark_id", "id", True),
        Col("name", "text", True),
        Col("version", "text", True),
        Col("metric", "text", True),
        Col("unit", "text", True),
        Col("floor", "float"),
        Col("ceiling", "float"),
        Col("introduced", "date", True),
        Col("maintainer", "text", True),
        Col("why", "text", True),
        Col("caveats", "text", True),
        Col("source_ids", "sources", True),
    ),
    optional=True,
)

EVALUATIONS = TableSpec(
    "evaluations",
    ("evaluation_id",),
    (
        Col("evaluation_id", "id", True),
        Col("model_id", "ref", True, ref="models"),
        Col("release_id", "ref", ref="releases"),
        Col("model_as_evaluated", "text", True),
        Col("variant_date", "date"),
        Col("benchmark_id", "ref", True, ref="benchmarks"),
        Col("score", "float", True, low=0),
        Col("setting", "text"),
        Col("shots", "int", low=0, high=100),
        Col("reported_date", "date"),
        Col("reported_date_precision", "precision", False, vocab.DATE_PRECISIONS),
        Col("reporter_role", "enum", True, vocab.REPORTER_ROLES),
        Col("reported_by", "text", True),
        Col("reported_in", "text"),
        Col("reported_in_url", "url"),
        Col("caveats", "text"),
        Col("source_ids", "sources", True),
    ),
    optional=True,
)

COMPUTE_ESTIMATES = TableSpec(
    "compute_estimates",
    ("estimate_id",),
    (
        Col("estimate_id", "id", True),
        Col("model_id", "ref", True, ref="models"),
        Col("quantity", "enum", True, vocab.ESTIMATE_QUANTITIES),
        Col("value", "float", True, low=0),
        Col("unit", "text", True),
        Col("hardware", "text"),
        Col("basis", "enum", True, vocab.FIGURE_BASIS),
        Col("estimated_by", "text"),
        Col("date", "date"),
        Col("date_precision", "precision", False, vocab.DATE_PRECISIONS),
        Col("notes", "text"),
        Col("source_ids", "sources", True),
    ),
    optional=True,
)

# Build order: every table comes after the tables it references.
TABLES: tuple[TableSpec, ...] = (
    SOURCES,
    ORGANIZATIONS,
    LICENCES,
    MODELS,
    RELEASES,
    INCIDENTS,
    INCIDENT_LINKS,
    INCIDENT_STEPS,
    CONTEXT_EVENTS,
    TRACKERS,
    TRACKER_NAMES,
    ASSESSMENTS,
    OPENNESS_CLAIMS,
    BENCHMARKS,
    EVALUATIONS,
    COMPUTE_ESTIMATES,
)
BY_NAME = {t.name: t for t in TABLES}
