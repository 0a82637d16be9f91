"""The importers on small committed excerpts of the real snapshots (tests/fixtures/trackers), and on the snapshots.

All or nothing: a bad entry or an ambiguous name writes nothing and is reported as file, line and field.
"""

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from db.importers import common, eosai
from db.importers.__main__ import main, run
from db.validate import ValidationError
from tests.conftest import ROOT, SHIPPED_DATA

EXCERPTS = ROOT / "tests" / "fixtures" / "trackers"
# The full snapshots, when a machine has them: TRACKER_SNAPSHOTS names a folder holding ecosystem-graphs, eosai and
# mot (each a bare git repository or a folder) and epoch-ai/ (Epoch AI's notable and large-scale CSV files).
SNAPSHOT_ROOT = Path(os.environ.get("TRACKER_SNAPSHOTS") or "missing-snapshots")
SNAPSHOTS = {
    "ecosystem-graphs": [SNAPSHOT_ROOT / "ecosystem-graphs"],
    "eosai": [SNAPSHOT_ROOT / "eosai"],
    "mot": [SNAPSHOT_ROOT / "mot"],
    "epoch-ai": [
        SNAPSHOT_ROOT / "epoch-ai" / "epoch_notable_full.csv",
        SNAPSHOT_ROOT / "epoch-ai" / "epoch_large_scale_full.csv",
    ],
}


def rows(data: Path, name: str) -> list[dict]:
    with (data / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fingerprint(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data.glob("*.csv"))}


def test_ecosystem_graphs_excerpt_is_matched_by_name_developer_and_date(fixture_data):
    outcome = run("ecosystem-graphs", [EXCERPTS / "ecosystem-graphs"], fixture_data)
    matched = {e.external_name: (m, rule) for e, m, rule in outcome.matched}
    assert matched == {
        "GPT-2": ("gpt-2", "exact-name"),
        "GPT-3": ("gpt-3", "exact-name"),
        "LLaMA": ("llama", "exact-name"),
    }
    assert [(e.external_name, why) for e, why in outcome.unmatched] == [("OPT", "no model of ours has this name")]
    stored = {
        r["external_name"]: r for r in rows(fixture_data, "assessments.csv") if r["tracker_id"] == "ecosystem-graphs"
    }
    assert set(stored) == {"GPT-2", "GPT-3", "LLaMA"}
    llama = stored["LLaMA"]
    assert (llama["access_class"], llama["date"], llama["date_precision"]) == ("open", "2023-02-24", "day")
    assert llama["url"].endswith("/blob/576655a544c974e91b7ca02e26cf7ba4c8347516/assets/excerpt.yaml#L43")
    assert "OPT" not in {r["external_name"] for r in rows(fixture_data, "tracker_names.csv")}


def test_a_bad_entry_writes_nothing_and_names_file_line_and_field(fixture_data, tmp_path):
    snapshot = tmp_path / "eg"
    shutil.copytree(EXCERPTS / "ecosystem-graphs", snapshot)
    path = snapshot / "assets" / "excerpt.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- access: open", "- access: half-open", 1), encoding="utf-8"
    )
    before = fingerprint(fixture_data)
    with pytest.raises(ValidationError) as err:
        run("ecosystem-graphs", [snapshot], fixture_data)
    problem = err.value.problems[0]
    assert (problem.file, problem.column) == ("assets/excerpt.yaml", "access")
    assert problem.line == 43 and "'half-open' is not one of: open, limited, closed" in problem.reason
    assert fingerprint(fixture_data) == before


def test_a_name_that_matches_two_models_is_an_error_not_a_guess(fixture_data):
    models = (fixture_data / "models.csv").read_text(encoding="utf-8")
    twin = next(line for line in models.splitlines() if line.startswith("gpt-3,"))
    twin = twin.replace("gpt-3,GPT-3,", "gpt-3-twin,GPT 3,", 1)
    (fixture_data / "models.csv").write_text(models + twin + "\n", encoding="utf-8")
    before = fingerprint(fixture_data)
    with pytest.raises(ValidationError, match="'GPT-3' matches several models: gpt-3, gpt-3-twin"):
        run("ecosystem-graphs", [EXCERPTS / "ecosystem-graphs"], fixture_data)
    assert fingerprint(fixture_data) == before


def test_curators_rows_survive_a_reimport_and_take_precedence(fixture_data):
    with (fixture_data / "tracker_names.csv").open("a", encoding="utf-8") as handle:
        handle.write("epoch-ai,LLaMA-65B,llama,curator,The largest LLaMA checkpoint; Meta; 24 February 2023.\n")
    outcome = run("epoch-ai", [EXCERPTS / "epoch" / "notable_excerpt.csv"], fixture_data)
    assert {(e.external_name, m, rule) for e, m, rule in outcome.matched} >= {("LLaMA-65B", "llama", "curator")}
    names = rows(fixture_data, "tracker_names.csv")
    assert {"GPT-2 (1.5B)", "LLaMA-65B"} <= {r["external_name"] for r in names if r["reviewed_by"] == "curator"}
    llama = next(r for r in rows(fixture_data, "assessments.csv") if r["external_name"] == "LLaMA-65B")
    assert llama["access_class"] == "Open weights (non-commercial)"
    assert (llama["weights"], llama["training_code"], llama["inference_code"]) == ("open", "closed", "")


def test_epoch_needs_its_documented_columns(fixture_data, tmp_path):
    broken = tmp_path / "epoch.csv"
    text = (EXCERPTS / "epoch" / "notable_excerpt.csv").read_text(encoding="utf-8")
    broken.write_text(text.replace("Model accessibility", "Access", 1), encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        run("epoch-ai", [broken], fixture_data)
    assert [(p.file, p.line, p.column) for p in err.value.problems] == [("epoch.csv", 1, "Model accessibility")]


def test_eosai_excerpt_reads_every_dimension(fixture_data):
    entries, problems = eosai.parse(EXCERPTS / "eosai", "5a388e8")
    assert not problems
    by_name = {e.external_name: e for e in entries}
    assert set(by_name) == {"Llama 3.1", "Pythia"}
    llama = by_name["Llama 3.1"]
    assert llama.alternative_names == ("Llama-3.1-405B-Instruct",)
    assert llama.components["weights"] == llama.access_class.split()[-1]
    assert llama.date_precision == "month" and llama.date.endswith("-01")
    assert "datasources_basemodel=" in llama.ratings
    outcome = run("eosai", [EXCERPTS / "eosai"], fixture_data)
    assert not outcome.matched and len(outcome.unmatched) == 2


def test_mot_excerpt_maps_listed_components(fixture_data):
    outcome = run("mot", [EXCERPTS / "mot"], fixture_data)
    assert {(e.external_name, m) for e, m, _ in outcome.matched} == {("GPT-2", "gpt-2")}
    gpt2 = next(
        r for r in rows(fixture_data, "assessments.csv") if r["tracker_id"] == "mot" and r["model_id"] == "gpt-2"
    )
    assert gpt2["date"] == "" and "entry dated" in gpt2["evidence"]
    assert {gpt2[c] for c in ("weights", "training_data")} <= {"open", "closed"}


def test_a_git_snapshot_must_be_at_the_recorded_commit(fixture_data, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(EXCERPTS / "ecosystem-graphs", work)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "excerpt"], check=True)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    head = subprocess.run(["git", "-C", str(bare), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    with pytest.raises(ValidationError, match="not the snapshot 576655a544c9"):
        run("ecosystem-graphs", [bare], fixture_data)
    trackers = (fixture_data / "trackers.csv").read_text(encoding="utf-8")
    (fixture_data / "trackers.csv").write_text(
        trackers.replace("576655a544c974e91b7ca02e26cf7ba4c8347516", head, 1), encoding="utf-8"
    )
    outcome = run("ecosystem-graphs", [bare], fixture_data)
    assert len(outcome.matched) == 3


def test_the_command_lists_unmatched_names(fixture_data, capsys):
    assert main(["ecosystem-graphs", str(EXCERPTS / "ecosystem-graphs"), "--data", str(fixture_data)]) == 0
    out = capsys.readouterr().out
    assert "3 names matched (3 by exact-name), 1 unmatched" in out
    assert "unmatched: OPT (assets/excerpt.yaml:" in out


def test_the_same_name_in_two_files_keeps_both_entries():
    entries = [common.Entry("a.yaml", 1, "Imagen 3"), common.Entry("b.yaml", 9, "Imagen 3")]
    named = common.qualify_duplicates(entries)
    assert [e.external_name for e in named] == ["Imagen 3 (a.yaml)", "Imagen 3 (b.yaml)"]
    assert named[0].alternative_names == ("Imagen 3",)


@pytest.mark.skipif(
    not all(p.exists() for ps in SNAPSHOTS.values() for p in ps),
    reason="TRACKER_SNAPSHOTS does not hold the four snapshots",
)
def test_reimporting_the_real_snapshots_reproduces_the_shipped_rows(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data, ignore=shutil.ignore_patterns("*.db*"))
    for tracker_id, sources in SNAPSHOTS.items():
        run(tracker_id, sources, data)
    for name in ("tracker_names.csv", "assessments.csv"):
        assert (data / name).read_bytes() == (SHIPPED_DATA / name).read_bytes(), name
