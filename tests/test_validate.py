"""Validation: each class of bad input is refused with file, line, column and reason, and nothing is written."""

import csv
import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from db import spec
from db.build import build
from db.validate import Problem, ValidationError, load_dataset, read_csv_text


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(data: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; `row` counts data rows from 0, so it sits on line row + 2."""
    rows = read_rows(data / file)
    rows[row + 1][rows[0].index(column)] = value
    write_rows(data / file, rows)


def cell(file: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda data: set_cell(data, file, row, column, value)


def duplicate_row(file: str, row: int) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        rows = read_rows(data / file)
        write_rows(data / file, [*rows, rows[row + 1]])

    return mutate


def drop_column(file: str, column: str) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        rows = read_rows(data / file)
        i = rows[0].index(column)
        write_rows(data / file, [r[:i] + r[i + 1 :] for r in rows])

    return mutate


def add_column(file: str, column: str) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        rows = read_rows(data / file)
        write_rows(data / file, [rows[0] + [column]] + [r + ["x"] for r in rows[1:]])

    return mutate


def extra_cell(file: str, row: int) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        rows = read_rows(data / file)
        rows[row + 1].append("surplus")
        write_rows(data / file, rows)

    return mutate


def missing_cell(file: str, row: int) -> Callable[[Path], None]:
    def mutate(data: Path) -> None:
        rows = read_rows(data / file)
        rows[row + 1].pop()
        write_rows(data / file, rows)

    return mutate


def invalid_utf8(file: str, row: int) -> Callable[[Path], None]:
    """Put a byte that is not UTF-8 into the second cell of a data row."""

    def mutate(data: Path) -> None:
        lines = (data / file).read_bytes().split(b"\n")
        first, rest = lines[row + 1].split(b",", 1)
        lines[row + 1] = first + b",\xff" + rest
        (data / file).write_bytes(b"\n".join(lines))

    return mutate


def empty_file(file: str) -> Callable[[Path], None]:
    return lambda data: (data / file).write_bytes(b"")


def remove_file(file: str) -> Callable[[Path], None]:
    return lambda data: (data / file).unlink()


# (id, mutation, file, line, column, words the reason must contain)
CASES = [
    ("unknown-enum", cell("models.csv", 0, "modality", "hologram"), "models.csv", 2, "modality", "not one of"),
    (
        "unknown-event-type",
        cell("releases.csv", 1, "event_type", "escape"),
        "releases.csv",
        3,
        "event_type",
        "not one of",
    ),
    ("malformed-date", cell("releases.csv", 0, "date", "2019-13-45"), "releases.csv", 2, "date", "not a valid date"),
    ("impossible-date", cell("incidents.csv", 0, "date", "2019-02-30"), "incidents.csv", 2, "date", "not a valid date"),
    (
        "not-iso-date",
        cell("sources.csv", 1, "date_accessed", "24/02/2023"),
        "sources.csv",
        3,
        "date_accessed",
        "valid date",
    ),
    ("future-date", cell("releases.csv", 2, "date", "2999-01-01"), "releases.csv", 4, "date", "in the future"),
    (
        "level-out-of-range",
        cell("releases.csv", 0, "openness_level", "6"),
        "releases.csv",
        2,
        "openness_level",
        "maximum",
    ),
    (
        "unknown-licence",
        cell("releases.csv", 0, "licence_id", "LicenseRef-Nope"),
        "releases.csv",
        2,
        "licence_id",
        "'LicenseRef-Nope' is not in licences",
    ),
    (
        "unknown-model-in-link",
        cell("incident_links.csv", 2, "model_id", "no-such-model"),
        "incident_links.csv",
        4,
        "model_id",
        "'no-such-model' is not in models",
    ),
    (
        "unknown-model-in-release",
        cell("releases.csv", 3, "model_id", "no-such-model"),
        "releases.csv",
        5,
        "model_id",
        "'no-such-model' is not in models",
    ),
    (
        "unknown-source",
        cell("models.csv", 1, "source_ids", "s-gpt2;s-nope"),
        "models.csv",
        3,
        "source_ids",
        "'s-nope' is not in sources",
    ),
    (
        "unknown-organisation",
        cell("models.csv", 3, "organization_ids", "stability-ai;nobody"),
        "models.csv",
        5,
        "organization_ids",
        "'nobody' is not in organizations",
    ),
    (
        "unknown-incident-in-step",
        cell("incident_steps.csv", 1, "incident_id", "no-such-case"),
        "incident_steps.csv",
        3,
        "incident_id",
        "not in incidents",
    ),
    ("duplicate-id", duplicate_row("releases.csv", 0), "releases.csv", 8, "release_id", "duplicate key"),
    ("duplicate-source", duplicate_row("sources.csv", 2), "sources.csv", 6, "source_id", "duplicate key"),
    ("duplicate-step", duplicate_row("incident_steps.csv", 0), "incident_steps.csv", 4, "incident_id", "duplicate key"),
    ("row-without-source", cell("releases.csv", 3, "source_ids", ""), "releases.csv", 5, "source_ids", "required"),
    (
        "link-without-source",
        cell("incident_links.csv", 0, "source_ids", " "),
        "incident_links.csv",
        2,
        "source_ids",
        "required",
    ),
    ("negative-parameters", cell("models.csv", 0, "parameters", "-5"), "models.csv", 2, "parameters", "negative"),
    ("zero-parameters", cell("models.csv", 0, "parameters", "0"), "models.csv", 2, "parameters", "below the minimum"),
    (
        "non-numeric-parameters",
        cell("models.csv", 0, "parameters", "1.5B"),
        "models.csv",
        2,
        "parameters",
        "not a whole number",
    ),
    (
        "non-numeric-compute",
        cell("models.csv", 1, "training_compute_flop", "lots"),
        "models.csv",
        3,
        "training_compute_flop",
        "not a number",
    ),
    (
        "infinite-compute",
        cell("models.csv", 1, "training_compute_flop", "inf"),
        "models.csv",
        3,
        "training_compute_flop",
        "finite",
    ),
    (
        "compute-without-basis",
        cell("models.csv", 1, "compute_basis", ""),
        "models.csv",
        3,
        "compute_basis",
        "required when training_compute_flop is given",
    ),
    (
        "basis-without-figure",
        cell("models.csv", 3, "parameters_basis", "disclosed"),
        "models.csv",
        5,
        "parameters_basis",
        "must be empty when parameters is empty",
    ),
    (
        "estimate-without-estimator",
        cell("models.csv", 1, "compute_basis", "estimated"),
        "models.csv",
        3,
        "compute_estimated_by",
        "required when the compute is estimated",
    ),
    (
        "unknown-inclusion-clause",
        cell("models.csv", 0, "inclusion", "frontier;famous"),
        "models.csv",
        2,
        "inclusion",
        "'famous' is not one of",
    ),
    ("no-inclusion-clause", cell("models.csv", 0, "inclusion", ""), "models.csv", 2, "inclusion", "required"),
    (
        "month-not-first-day",
        cell("releases.csv", 1, "date", "2019-11-15"),
        "releases.csv",
        3,
        "date",
        "first day of the month",
    ),
    (
        "year-not-january-first",
        cell("incidents.csv", 1, "date_precision", "year"),
        "incidents.csv",
        3,
        "date",
        "January 1st",
    ),
    ("missing-column", drop_column("releases.csv", "gating"), "releases.csv", 1, "gating", "missing from the header"),
    ("unknown-column", add_column("organizations.csv", "colour"), "organizations.csv", 1, "colour", "not a column"),
    ("extra-cell", extra_cell("releases.csv", 2), "releases.csv", 4, "cell 16", "has 16 cells, the header has 15"),
    (
        "missing-cell",
        missing_cell("incidents.csv", 1),
        "incidents.csv",
        3,
        "source_ids",
        "has 13 cells, the header has 14",
    ),
    ("invalid-utf8", invalid_utf8("models.csv", 2), "models.csv", 4, "name", "not valid UTF-8"),
    ("empty-file", empty_file("incidents.csv"), "incidents.csv", 1, "", "file is empty"),
    ("missing-file", remove_file("licences.csv"), "licences.csv", 0, "", "file is missing"),
    (
        "release-of-another-model",
        cell("incident_links.csv", 0, "release_id", "llama-2023-02"),
        "incident_links.csv",
        2,
        "release_id",
        "belongs to model 'llama', not 'gpt-2'",
    ),
    (
        "javascript-url",
        cell("sources.csv", 0, "url", "javascript:alert(1)"),
        "sources.csv",
        2,
        "url",
        "not an http(s) URL",
    ),
    ("data-url", cell("licences.csv", 1, "url", "data:text/html,hi"), "licences.csv", 3, "url", "not an http(s) URL"),
    ("bad-id", cell("models.csv", 0, "model_id", "GPT 2"), "models.csv", 2, "model_id", "not a valid id"),
    (
        "control-character",
        cell("incidents.csv", 2, "summary", "bell\x07"),
        "incidents.csv",
        4,
        "summary",
        "control characters",
    ),
    ("bad-country", cell("organizations.csv", 0, "country", "USA"), "organizations.csv", 2, "country", "ISO 3166-1"),
    (
        "threshold-without-value",
        cell("licences.csv", 0, "scale_threshold_kind", "users"),
        "licences.csv",
        2,
        "scale_threshold_value",
        "required",
    ),
    (
        "counted-without-threshold",
        cell("licences.csv", 0, "scale_threshold_counted", "before-release"),
        "licences.csv",
        2,
        "scale_threshold_counted",
        "only for a user or revenue threshold",
    ),
    (
        "output-training-without-clause",
        cell("licences.csv", 1, "output_training", "prohibited"),
        "licences.csv",
        3,
        "output_training_clause",
        "required when output_training is given",
    ),
    (
        "own-base-model",
        cell("models.csv", 0, "base_model_id", "gpt-2"),
        "models.csv",
        2,
        "base_model_id",
        "its own base model",
    ),
    (
        "published-after-accessed",
        cell("sources.csv", 0, "date_accessed", "2019-01-01"),
        "sources.csv",
        2,
        "date_published",
        "after date_accessed",
    ),
]


def find(problems: list[Problem], file: str, line: int, column: str) -> list[Problem]:
    return [p for p in problems if p.file == f"data/{file}" and p.line == line and p.column == column]


def test_fixture_data_is_valid(fixture_data):
    records = load_dataset(fixture_data, today=dt.date(2026, 11, 27))
    assert {name: len(r) for name, r in records.items()} == {
        "sources": 4,
        "organizations": 3,
        "licences": 4,
        "models": 4,
        "releases": 6,
        "incidents": 4,
        "incident_links": 3,
        "incident_steps": 2,
        "context_events": 1,
        "trackers": 4,
        "tracker_names": 4,
        "assessments": 4,
        "openness_claims": 1,
        "benchmarks": 1,
        "evaluations": 4,
        "compute_estimates": 2,
    }
    assert records["releases"][0].line == 2
    assert records["models"][0].values["parameters"] == 1_500_000_000


@pytest.mark.parametrize(
    ("mutate", "file", "line", "column", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_and_database_kept(fixture_data, tmp_path, mutate, file, line, column, reason):
    db = tmp_path / "existing.db"
    url = f"sqlite:///{db}"
    assert build(fixture_data, url) is not None
    before = sha256(db)
    mutate(fixture_data)
    with pytest.raises(ValidationError) as caught:
        build(fixture_data, url)
    here = find(caught.value.problems, file, line, column)
    assert here, f"no problem at {file}:{line} column {column!r}; got:\n{caught.value.report()}"
    assert any(reason in p.reason for p in here), caught.value.report()
    assert sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".existing")) == []


def test_problem_names_file_line_column_and_reason(fixture_data):
    set_cell(fixture_data, "releases.csv", 0, "date", "2019-13-45")
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data)
    assert str(caught.value.problems[0]) == (
        "data/releases.csv:2: column 'date': '2019-13-45' is not a valid date (YYYY-MM-DD)"
    )


def test_future_is_relative_to_today(fixture_data):
    """The fixture's sources were accessed on 2026-11-27: valid from that day on, in the future the day before."""
    load_dataset(fixture_data, today=dt.date(2026, 11, 27))
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data, today=dt.date(2026, 11, 26))
    assert {(p.file, p.line, p.column, p.reason) for p in caught.value.problems} == {
        ("data/sources.csv", line, "date_accessed", "'2026-11-27' is in the future") for line in (2, 3, 4, 5)
    }


def test_every_problem_is_reported_at_once(fixture_data):
    set_cell(fixture_data, "releases.csv", 0, "date", "2019-13-45")
    set_cell(fixture_data, "releases.csv", 1, "licence_id", "LicenseRef-Nope")
    set_cell(fixture_data, "models.csv", 2, "parameters", "-1")
    set_cell(fixture_data, "incident_links.csv", 1, "model_id", "ghost")
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data)
    where = {(p.file, p.line, p.column) for p in caught.value.problems}
    assert {
        ("data/releases.csv", 2, "date"),
        ("data/releases.csv", 3, "licence_id"),
        ("data/models.csv", 4, "parameters"),
        ("data/incident_links.csv", 3, "model_id"),
    } <= where


def test_report_is_capped():
    rows = "\n".join(f"o{i},Org {i},,US,planet" for i in range(60))
    _, problems = read_csv_text(
        "organization_id,name,aliases,country,kind\n" + rows, spec.ORGANIZATIONS, dt.date(2026, 1, 1), "orgs.csv"
    )
    assert len(problems) == 60
    report = ValidationError(problems).report()
    assert report.splitlines()[-1] == "... and 10 more problems"
    assert report.splitlines()[0] == "orgs.csv:2: column 'kind': 'planet' is not one of: " + ", ".join(
        spec.ORGANIZATIONS.col("kind").values
    )


def test_quoted_multiline_cell_keeps_line_numbers():
    text = 'organization_id,name,aliases,country,kind\na,"Two\nlines",,US,company\nb,Bee,,US,planet\n'
    records, problems = read_csv_text(text, spec.ORGANIZATIONS, dt.date(2026, 1, 1), "orgs.csv")
    assert [r.values["name"] for r in records] == ["Two\nlines", "Bee"]
    assert [(p.line, p.column) for p in problems] == [(4, "kind")]


def test_blank_lines_are_skipped(fixture_data):
    path = fixture_data / "organizations.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert len(load_dataset(fixture_data)["organizations"]) == 3


def test_an_event_after_the_declared_cutoff_is_refused(fixture_data):
    (fixture_data / "dataset.json").write_text('{"cutoff": "2020-01-01"}', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data, today=dt.date(2026, 11, 27))
    late = [p for p in caught.value.problems if "after the data cut-off 2020-01-01" in p.reason]
    assert late and all(p.column == "date" for p in late)
    assert {p.file for p in late} >= {"data/releases.csv", "data/incidents.csv"}


def test_a_malformed_cutoff_is_named(fixture_data):
    (fixture_data / "dataset.json").write_text('{"cutoff": "soon"}', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data, today=dt.date(2026, 11, 27))
    assert [str(p) for p in caught.value.problems] == [
        "data/dataset.json: column 'cutoff': must be an ISO date (YYYY-MM-DD)"
    ]


def test_the_cutoff_is_recorded_in_the_build(fixture_data, tmp_path):
    url = f"sqlite:///{tmp_path / 'cut.db'}"
    build(fixture_data, url)
    from db.engine import make_engine
    from db.queries import build_info

    assert build_info(make_engine(url, readonly=True))["cutoff"] == "2026-11-30"
