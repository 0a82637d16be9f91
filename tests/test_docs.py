"""data/README.md documents every table, column, allowed value and scale of the data contract, so docs cannot drift."""

import fnmatch
import re

import pytest

from db import schema, spec, vocab
from tests.conftest import ROOT

README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
ENUM_KINDS = ("enum", "precision")
COLUMN_LISTS = {"COMPONENTS", "LICENCE_TERMS"}  # vocab tuples that name columns, not values


def sections() -> dict[str, str]:
    """The README's level-2 sections by heading."""
    parts = re.split(r"^## +(.+?)\s*$", README, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def rows(section: str) -> list[tuple[list[str], str]]:
    """Markdown table rows of a section as (column names in the first cell, meaning)."""
    out = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: ") or cells[0] == "column":
            continue
        names = [n.strip().strip("`") for n in cells[0].split(",")]
        out.append((names, "|".join(cells[1:])))
    return out


def ticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


def meaning_of(table: spec.TableSpec, column: str) -> str:
    """The meaning cell that documents a column, following "values as in table.column" references."""
    for names, meaning in rows(sections()[table.file]):
        wild = [n for n in names if "*" in n]
        if column in names or any(fnmatch.fnmatch(column, w) and column in ticked(meaning) for w in wild):
            ref = re.search(r"values as in `?(\w+)\.(\w+)`?", meaning)
            return meaning_of(spec.BY_NAME[ref[1]], ref[2]) if ref else meaning
    raise AssertionError(f"{table.file}: column {column} is not documented in data/README.md")


SPEC_COLUMNS = [(t, c) for t in spec.TABLES for c in t.cols]
COLUMN_IDS = [f"{t.name}.{c.name}" for t, c in SPEC_COLUMNS]


@pytest.mark.parametrize("table", spec.TABLES, ids=[t.name for t in spec.TABLES])
def test_every_table_has_a_section(table):
    assert table.file in sections(), f"data/README.md has no '## {table.file}' section"


@pytest.mark.parametrize(("table", "col"), SPEC_COLUMNS, ids=COLUMN_IDS)
def test_every_column_is_documented(table, col):
    assert meaning_of(table, col.name).strip(), f"{table.name}.{col.name} has an empty meaning"


@pytest.mark.parametrize(
    ("table", "col"),
    [(t, c) for t, c in SPEC_COLUMNS if c.kind in ENUM_KINDS],
    ids=[i for i, (_, c) in zip(COLUMN_IDS, SPEC_COLUMNS, strict=True) if c.kind in ENUM_KINDS],
)
def test_every_allowed_value_is_documented(table, col):
    missing = [v for v in col.values if v not in ticked(meaning_of(table, col.name))]
    assert not missing, f"{table.name}.{col.name}: values {missing} are not documented as `value`"


def test_documented_values_are_allowed():
    """No stale value lingers in the docs of an enumerated column."""
    for table, col in SPEC_COLUMNS:
        if col.kind == "enum":
            stale = {v for v in ticked(meaning_of(table, col.name)) if v.islower() and " " not in v} - set(col.values)
            assert not stale, f"{table.name}.{col.name}: documented values {sorted(stale)} are not allowed"


def test_no_documented_column_is_unknown():
    for table in spec.TABLES:
        for names, meaning in rows(sections()[table.file]):
            for name in names:
                if "*" in name:
                    assert [c for c in ticked(meaning) if fnmatch.fnmatch(c, name)], name
                    assert {c for c in ticked(meaning) if fnmatch.fnmatch(c, name)} <= set(table.columns), name
                else:
                    assert name in table.columns, f"{table.file} documents '{name}', which is not a column"


def test_openness_levels_are_documented():
    meaning = meaning_of(spec.RELEASES, "openness_level")
    assert "0-5" in meaning
    for level, name in vocab.OPENNESS_LEVELS.items():
        assert re.search(rf"\b{level} [^,;]*\b{re.escape(name)}\b", meaning), f"level {level} ({name})"


def test_severity_rubric_is_documented():
    assert "0-3" in meaning_of(spec.INCIDENTS, "severity")
    rubric = sections()[spec.INCIDENTS.file]
    for level, name in vocab.SEVERITY.items():
        assert re.search(rf"^- {level}, {re.escape(name)}: \S", rubric, flags=re.MULTILINE), f"severity {level}"


def test_level_ranges_match_the_spec():
    for table, col in SPEC_COLUMNS:
        if col.kind == "level":
            assert f"{col.low:g}-{col.high:g}" in meaning_of(table, col.name), f"{table.name}.{col.name}"


def test_licence_family_labels_are_documented():
    meaning = meaning_of(spec.LICENCES, "family")
    for family, label in vocab.LICENCE_FAMILY_LABELS.items():
        assert f"`{family}`" in meaning and label in meaning, family


def test_every_vocabulary_is_documented():
    """Each tuple in db/vocab.py is either the allowed values of some column or a list of column names."""
    used = {c.values for _, c in SPEC_COLUMNS if c.kind in ENUM_KINDS}
    for name in dir(vocab):
        values = getattr(vocab, name)
        if not (name.isupper() and isinstance(values, tuple)):
            continue
        if name == "COMPONENTS":
            assert all(meaning_of(spec.RELEASES, c) for c in values)
        elif name == "LICENCE_TERMS":
            assert all(meaning_of(spec.LICENCES, f"{t}_clause") for t in values)
        else:
            assert values in used, f"vocab.{name} is not the value list of any column"
            assert ticked(README) >= set(values), f"vocab.{name}"


def test_tables_the_build_adds():
    added = sections()["Tables the build adds"]
    for name, table in schema.metadata.tables.items():
        if name in spec.BY_NAME:
            continue
        assert f"`{name}`" in added, f"table {name} is not documented"
        for col in table.columns:
            assert re.search(rf"\b{col.name}\b", added), f"{name}.{col.name} is not documented"
    for table in spec.TABLES:
        for col in table.derived:
            assert f"`{table.name}.{col}`" in added, f"derived column {table.name}.{col} is not documented"


def test_sourced_tables_are_named():
    """The README says which tables must cite a source; it must name exactly those of the spec."""
    sentence = re.search(r"Every row of ([^.]+?) cites at least one source", README.replace("\n", " "))
    assert sentence, "data/README.md does not say which rows must cite a source"
    named = set(re.findall(r"[a-z_]+", sentence[1])) - {"and"}
    assert named == {t.name for t in spec.TABLES if t.needs_source}
