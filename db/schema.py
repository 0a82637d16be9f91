"""SQLAlchemy Core tables generated from the data contract in db/spec.py."""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

from db import spec

metadata = MetaData()

_KEY_COLUMN = {
    "sources": "source_id",
    "organizations": "organization_id",
    "licences": "licence_id",
    "models": "model_id",
    "releases": "release_id",
    "incidents": "incident_id",
    "context_events": "event_id",
    "trackers": "tracker_id",
    "benchmarks": "benchmark_id",
}


def _column(table: spec.TableSpec, col: spec.Col) -> Column:
    """The SQL column for one contract column."""
    single_key = len(table.key) == 1 and col.name == table.key[0]
    if col.kind == "ref":
        target = f"{col.ref}.{_KEY_COLUMN[col.ref]}"
        return Column(col.name, String(128), ForeignKey(target), nullable=not col.required, index=True)
    sql_type = {
        "int": BigInteger(),
        "float": Float(),
        "level": Integer(),
        "date": String(10),
        "precision": String(8),
        "enum": String(32),
        "id": String(128),
        "licence_id": String(128),
        "country": String(8),
        "jurisdiction": String(16),
    }.get(col.kind, Text())
    return Column(col.name, sql_type, primary_key=single_key, nullable=not (col.required or single_key))


def _table(t: spec.TableSpec) -> Table:
    cols = [_column(t, c) for c in t.cols]
    extra: list = []
    if t.name == "models":
        cols.append(Column("organization_id", String(128), ForeignKey("organizations.organization_id"), index=True))
        # the model picker's first names in its order (lower(name), id) without sorting every model
        name = next(c for c in cols if c.name == "name")
        model_id = next(c for c in cols if c.name == "model_id")
        extra.append(Index("ix_models_name_lower", func.lower(name), model_id))
        # models per inclusion list and first year (coverage) read this index, not the wide model rows
        extra.append(Index("ix_models_inclusion", "inclusion", "model_id"))
    if t.name in ("releases", "incidents"):
        cols.append(Column("year", Integer(), nullable=False, index=True))
        extra.append(Index(f"ix_{t.name}_date", "date"))
    if t.name in ("releases", "incidents"):
        # counts per year and date precision (Data and method) read this index, not the wide rows
        extra.append(Index(f"ix_{t.name}_year_precision", "year", "date_precision"))
    if t.name == "releases":
        # a model's latest release on or before a date (the level and licence when an incident began); with
        # year, also each model's first year and first public event (coverage) without reading the rows
        extra.append(Index("ix_releases_model_date", "model_id", "date", "openness_level", "release_id", "year"))
        extra.append(Index("ix_releases_year_level", "year", "openness_level"))
        # models per level (risk): distinct models counted level by level from the index, dated for the year cut
        extra.append(Index("ix_releases_level_model", "openness_level", "model_id", "date"))
    if t.name == "incident_links":
        cols.insert(0, Column("link_id", String(400), primary_key=True))
        # each model's links in order without reading the rows (the lag to a model's first incident)
        extra.append(Index("ix_incident_links_model_incident", "model_id", "incident_id", "link_id"))
    if t.name == "incident_steps":
        cols.insert(0, Column("step_id", String(300), primary_key=True))
        extra.append(UniqueConstraint("incident_id", "date", "status"))
    if len(t.key) > 1 and t.name not in ("incident_links", "incident_steps"):
        extra.append(PrimaryKeyConstraint(*t.key))
    return Table(t.name, metadata, *cols, *extra)


TABLES: dict[str, Table] = {t.name: _table(t) for t in spec.TABLES}

sources = TABLES["sources"]
organizations = TABLES["organizations"]
licences = TABLES["licences"]
models = TABLES["models"]
releases = TABLES["releases"]
incidents = TABLES["incidents"]
incident_links = TABLES["incident_links"]
incident_steps = TABLES["incident_steps"]
context_events = TABLES["context_events"]
trackers = TABLES["trackers"]
tracker_names = TABLES["tracker_names"]
assessments = TABLES["assessments"]
openness_claims = TABLES["openness_claims"]
benchmarks = TABLES["benchmarks"]
evaluations = TABLES["evaluations"]
compute_estimates = TABLES["compute_estimates"]

model_organizations = Table(
    "model_organizations",
    metadata,
    Column("model_id", String(128), ForeignKey("models.model_id"), primary_key=True),
    Column("organization_id", String(128), ForeignKey("organizations.organization_id"), primary_key=True),
    Column("position", Integer(), nullable=False),
    # the organisations that made a model (every page's filter options) and the models of an organisation
    Index("ix_model_organizations_organization", "organization_id"),
)

citations = Table(
    "citations",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("entity_id", String(400), primary_key=True),
    Column("source_id", String(128), ForeignKey("sources.source_id"), primary_key=True),
    Index("ix_citations_source", "source_id"),
)

# Each incident link's model state when the incident began (db.queries.core.link_state_rule), stored by the
# build and refreshed by imports: the rule does not depend on any filter but costs one lookup per link.
link_states = Table(
    "link_states",
    metadata,
    Column("link_id", String(400), ForeignKey("incident_links.link_id"), primary_key=True),
    Column("release_at", String(128)),
    Column("level_at", Integer()),
    Column("licence_at", String(128)),
    sqlite_with_rowid=False,  # read by link id only: one b-tree lookup per link instead of the key's index and a row
)

# Each model's first release event, first public event and highest level (db.queries.core.model_first_rule),
# stored by the build and refreshed by imports like link_states: windows over every release event cost seconds
# at a million events, and the overview, the risk page and the coverage charts all need these per-model firsts.
model_firsts = Table(
    "model_firsts",
    metadata,
    Column("model_id", String(128), ForeignKey("models.model_id"), primary_key=True),
    Column("release_id", String(128), nullable=False),
    Column("date", String(10), nullable=False),
    Column("year", Integer(), nullable=False),
    Column("openness_level", Integer(), nullable=False),
    Column("licence_id", String(128)),
    Column("public_year", Integer(), nullable=False),
    Column("public_level", Integer(), nullable=False),
    Column("max_level", Integer(), nullable=False),
    sqlite_with_rowid=False,
)

build_info = Table(
    "build_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text(), nullable=False),
)
