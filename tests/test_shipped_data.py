"""The shipped dataset in data/: valid, complete against the seed digest, cited, and large enough."""

import hashlib
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import text

from db import queries as q
from db import spec
from db.build import build
from db.engine import make_engine
from db.validate import load_dataset, split_list
from tests.conftest import ROOT, SHIPPED_DATA

SEED_MODELS = [
    "bert",
    "t5",
    "gpt-2",
    "gpt-3",
    "switch-transformer",
    "sparsely-gated-moe",
    "mt-nlg",
    "instructgpt",
    "chinchilla",
    "palm",
    "opt-175b",
    "bloom",
    "glm-130b",
    "stable-diffusion-1",
    "mengzi",
    "fengshenbang",
    "gpt-4",
    "gpt-neo",
    "gpt-j",
    "gpt-neox-20b",
    "llama",
]
SEED_INCIDENTS = [
    "gpt-2-withholding",
    "getty-v-stability-uk",
    "getty-v-stability-us",
    "andersen-v-stability",
    "llama-weights-leak",
    "opt-175b-bias-toxicity-risks",
]
# Named by issue 2: the major copyright suits, deepfake and voice-clone misuse, chatbot data leaks, policy events.
ISSUE_INCIDENTS = [
    "tremblay-v-openai",
    "authors-guild-v-openai",
    "nyt-v-microsoft-openai",
    "kadrey-v-meta",
    "bartz-v-anthropic",
    "concord-v-anthropic",
    "biden-robocall-voice-clone",
    "elevenlabs-4chan-voice-clones",
    "taylor-swift-explicit-deepfakes",
    "arup-hong-kong-deepfake-fraud",
    "samsung-chatgpt-source-code-leak",
    "chatgpt-redis-bug-data-exposure",
    "eu-ai-act-proposal",
    "eu-ai-act-entry-into-force",
    "eu-ai-act-prohibitions-apply",
    "eu-ai-act-gpai-obligations-apply",
    "us-eo-14110",
    "us-eo-14110-revocation",
    "osi-open-source-ai-definition-1.0",
]
SEED_CONTEXT_EVENTS = [
    "modelscope-2022-11-launch",
    "helm-2022-11-release",
    "copy-ai-gpt3-product",
    "jasper-2022-10-funding",
    "gpt-3-training-cost-27.6m",
    "gpt-3-training-cost-4.6m",
    "palm-training-cost-9-17m",
    "pathways-2021-10-announcement",
]
# model -> developers the digest names (the data may list more)
SEED_DEVELOPERS = {
    "bert": {"google"},
    "gpt-2": {"openai"},
    "gpt-3": {"openai"},
    "switch-transformer": {"google"},
    "mt-nlg": {"microsoft", "nvidia"},
    "chinchilla": {"google-deepmind"},
    "palm": {"google"},
    "opt-175b": {"meta"},
    "bloom": {"bigscience", "hugging-face"},
    "glm-130b": {"tsinghua-university", "zhipu-ai"},
    "stable-diffusion-1": {"stability-ai"},
    "mengzi": {"langboat"},
    "fengshenbang": {"idea-research"},
    "gpt-neo": {"eleutherai"},
    "gpt-j": {"eleutherai"},
    "gpt-neox-20b": {"eleutherai"},
}


@pytest.fixture(scope="module")
def tables(shipped_db) -> dict[str, pd.DataFrame]:
    """Every public table of the shipped database, read once."""
    engine = make_engine(shipped_db, readonly=True)
    out = {name: q.table(engine, name) for name in spec.BY_NAME}
    engine.dispose()
    return out


def ids(tables, name: str) -> set[str]:
    return set(tables[name][spec.BY_NAME[name].key[0]])


def test_shipped_data_passes_validation():
    records = load_dataset(SHIPPED_DATA)
    assert all(records[t.name] for t in spec.TABLES), "every table has rows"


def test_minimum_sizes(shipped_engine):
    counts = q.row_counts(shipped_engine)
    assert counts["models"] >= 300
    assert counts["releases"] >= 550
    assert counts["licences"] >= 70
    assert counts["incidents"] >= 150  # incidents and policy events


def test_every_year_of_the_census_has_enough_release_events(shipped_engine):
    held = q.coverage_by_year_level(shipped_engine)
    per_year = held[held["unit"] == "release events"].groupby("year")["records"].sum()
    thin = {year: int(per_year.get(year, 0)) for year in range(2019, 2026) if per_year.get(year, 0) < 30}
    assert not thin, f"years under 30 release events: {thin}"
    cutoff = q.build_info(shipped_engine)["cutoff"]
    assert per_year.get(int(cutoff[:4]), 0) >= 10, "the current year is covered up to the cut-off"


def test_every_model_has_its_inclusion_clauses(tables):
    from db.vocab import INCLUSION_CLAUSES

    clauses = tables["models"]["inclusion"].map(split_list)
    assert clauses.map(bool).all()
    assert set().union(*clauses) <= set(INCLUSION_CLAUSES)
    seed = set(tables["models"].loc[clauses.map(lambda c: "seed" in c), "model_id"])
    assert set(SEED_MODELS) - {"t5", "llama"} <= seed


def test_half_of_the_models_since_2020_have_training_compute_with_its_basis(tables):
    first = tables["releases"].groupby("model_id")["date"].min()
    recent = tables["models"][tables["models"]["model_id"].map(first) >= "2020-01-01"]
    with_compute = recent[recent["training_compute_flop"].notna()]
    assert len(with_compute) >= len(recent) / 2, f"{len(with_compute)} of {len(recent)}"
    assert with_compute["compute_basis"].isin(["disclosed", "estimated"]).all()
    estimated = with_compute[with_compute["compute_basis"] == "estimated"]
    assert estimated["compute_estimated_by"].notna().all()


def test_legal_and_regulatory_proceedings_say_when_their_status_was_checked(tables):
    incidents = tables["incidents"]
    proceedings = incidents[incidents["court"].notna() | incidents["docket"].notna()]
    assert len(proceedings) >= 20
    unchecked = proceedings[proceedings["status_checked"].isna()]["incident_id"].tolist()
    assert not unchecked, f"no status_checked: {unchecked}"


@pytest.mark.parametrize("model_id", SEED_MODELS)
def test_seed_model_present_with_a_release(tables, model_id):
    assert model_id in ids(tables, "models")
    assert model_id in set(tables["releases"]["model_id"]), f"{model_id} has no release event"


@pytest.mark.parametrize("incident_id", SEED_INCIDENTS + ISSUE_INCIDENTS)
def test_seed_incident_present(tables, incident_id):
    assert incident_id in ids(tables, "incidents")


@pytest.mark.parametrize("event_id", SEED_CONTEXT_EVENTS)
def test_seed_context_event_present(tables, event_id):
    assert event_id in ids(tables, "context_events")


@pytest.mark.parametrize(("model_id", "developers"), SEED_DEVELOPERS.items(), ids=list(SEED_DEVELOPERS))
def test_seed_developers(shipped_engine, model_id, developers):
    named = set(q.model_profile(shipped_engine, model_id)["developers"]["organization_id"])
    assert developers <= named


def test_gpt2_staged_release(shipped_engine):
    rel = q.releases_for_model(shipped_engine, "gpt-2")
    steps = rel[rel["event_type"].isin(["staged", "weights", "open"]) & rel["date"].str.startswith("2019")]
    by_month = steps.groupby(steps["date"].str[:7])["openness_level"].max().to_dict()
    assert sorted(by_month) == ["2019-02", "2019-05", "2019-08", "2019-11"]
    assert by_month["2019-02"] == by_month["2019-05"] == by_month["2019-08"] == 1
    assert by_month["2019-11"] >= 4
    withholding = q.incident_links(shipped_engine, incident_types=["safety"])
    assert "gpt-2" in set(withholding[withholding["incident_id"] == "gpt-2-withholding"]["model_id"])


def test_llama_gated_release_and_leak(shipped_engine):
    rel = q.releases_for_model(shipped_engine, "llama")
    gated = rel[(rel["event_type"] == "gated") & (rel["gating"] == "approval")]
    leaks = rel[rel["event_type"] == "leak"]
    assert len(gated) >= 1 and len(leaks) >= 1
    assert gated["date"].min().startswith("2023-02")
    assert leaks["date"].min() >= gated["date"].min()
    links = q.model_profile(shipped_engine, "llama")["incidents"]
    leak_link = links[links["incident_id"] == "llama-weights-leak"]
    assert list(leak_link["pathway"]) == ["leak"]
    assert set(leak_link["release_id"]) <= set(leaks["release_id"])


def test_release_levels_of_the_seed_story(shipped_engine):
    """Closed, API and open releases as the seed article tells them, each checked against its first event."""

    def first(model_id: str, **where) -> pd.Series:
        rel = q.releases_for_model(shipped_engine, model_id)
        for key, value in where.items():
            rel = rel[rel[key] == value]
        assert not rel.empty, (model_id, where)
        return rel.iloc[0]

    for model_id in ("chinchilla", "palm", "mt-nlg", "sparsely-gated-moe"):
        assert first(model_id)["openness_level"] == 0, model_id
    assert first("gpt-3", event_type="api")["date"].startswith("2020")
    assert first("gpt-3", event_type="api")["openness_level"] == 3
    assert first("instructgpt", event_type="api")["openness_level"] == 3
    opt = first("opt-175b", event_type="gated")
    assert (opt["date"][:7], opt["openness_level"], opt["gating"], opt["licence_family"]) == (
        "2022-05",
        4,
        "approval",
        "non-commercial",
    )
    sd = first("stable-diffusion-1", event_type="weights")
    assert (sd["date"][:7], sd["openness_level"], sd["licence_family"]) == ("2022-08", 4, "open-rail")
    bloom = first("bloom", openness_level=5)
    assert (bloom["date"][:7], bloom["licence_family"]) == ("2022-07", "open-rail")
    gpt4 = q.model_profile(shipped_engine, "gpt-4")["model"]
    assert gpt4["parameters"].isna().all(), "GPT-4's size is undisclosed and must stay empty"


def test_getty_cases_are_separate(tables):
    inc = tables["incidents"].set_index("incident_id")
    assert inc.loc["getty-v-stability-uk", "jurisdiction"] == "GB"
    assert inc.loc["getty-v-stability-us", "jurisdiction"] == "US"
    links = tables["incident_links"]
    for case in ("getty-v-stability-uk", "getty-v-stability-us", "andersen-v-stability"):
        assert inc.loc[case, "type"] == "copyright"
        assert "stable-diffusion-1" in set(links[links["incident_id"] == case]["model_id"]), case


def test_lawsuits_have_a_status_history(tables):
    steps = tables["incident_steps"]
    for case in ["getty-v-stability-uk", "getty-v-stability-us", "andersen-v-stability", *ISSUE_INCIDENTS[:6]]:
        history = steps[steps["incident_id"] == case]
        assert len(history) >= 2, case
        assert "filed" in set(history["status"]), case


def test_both_gpt3_cost_estimates_kept(tables):
    events = tables["context_events"]
    estimates = events[(events["kind"] == "cost-estimate") & events["model_ids"].fillna("").str.contains("gpt-3")]
    assert len(estimates) >= 2


def test_every_fact_row_cites_a_resolvable_source(shipped_engine, tables):
    with shipped_engine.connect() as conn:
        cited = pd.read_sql(
            text("SELECT c.entity, c.entity_id, s.url FROM citations c JOIN sources s ON s.source_id = c.source_id"),
            conn,
        )
    known = set(tables["sources"]["source_id"])
    for table in spec.TABLES:
        if not table.needs_source:
            continue
        df = tables[table.name]
        assert df["source_ids"].map(lambda v: bool(split_list(v))).all(), table.name
        assert df["source_ids"].map(lambda v: set(split_list(v)) <= known).all(), table.name
        key = {"incident_links": "link_id", "incident_steps": "step_id"}.get(table.name, table.key[0])
        uncited = set(df[key]) - set(cited[cited["entity"] == table.name]["entity_id"])
        assert not uncited, f"{table.name}: {sorted(uncited)[:5]}"
    assert cited["url"].str.match(r"^https?://").all()
    assert tables["sources"]["date_accessed"].notna().all()


def test_coverage_across_years_modalities_and_regions(shipped_engine, tables):
    years = set(tables["releases"]["year"])
    assert set(range(2018, 2026)) <= years
    modalities = set(tables["models"]["modality"])
    assert {"text", "image", "audio", "video", "code"} <= modalities
    countries = set(q.models(shipped_engine).merge(tables["organizations"], on="organization_id")["country"])
    assert {"US", "CN"} <= countries
    assert countries & {"GB", "FR", "DE", "NL", "CH", "SE", "FI", "IT", "ES", "AT", "BE", "DK", "IE", "PL", "PT"}
    events = set(tables["releases"]["event_type"])
    assert {"relicence", "leak", "gated", "staged", "api", "weights"} <= events


def test_licence_families_account_for_every_release(shipped_engine, tables):
    unlicensed = tables["releases"]["licence_id"].isna().sum()
    assert q.count_releases(shipped_engine, licence_families=["unknown"]) == unlicensed
    assert q.licence_families_by_year(shipped_engine)["releases"].sum() == len(tables["releases"])
    assert q.releases_by_year_level(shipped_engine)["releases"].sum() == len(tables["releases"])


def test_shipped_build_is_idempotent(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data, ignore=shutil.ignore_patterns("parts", "*.db*", "*.md"))
    target = tmp_path / "shipped.db"
    url = f"sqlite:///{target}"
    assert build(data, url) is not None
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    assert build(data, url) is None
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_cli_refuses_a_corrupted_copy_of_the_shipped_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data, ignore=shutil.ignore_patterns("parts", "*.db*", "*.md"))
    target = tmp_path / "observatory.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}"}
    command = [sys.executable, "-m", "db.build", "--data", str(data)]
    assert subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    for file, column, value in [
        ("releases.csv", "date", "2019-13-45"),
        ("releases.csv", "licence_id", "LicenseRef-No-Such-Licence"),
        ("incident_links.csv", "model_id", "no-such-model"),
    ]:
        frame = pd.read_csv(data / file, dtype=str, keep_default_na=False)
        frame.loc[0, column] = value
        frame.to_csv(data / file, index=False)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "data/releases.csv:2: column 'date': '2019-13-45' is not a valid date" in result.stderr
    assert "data/releases.csv:2: column 'licence_id': 'LicenseRef-No-Such-Licence' is not in licences" in result.stderr
    assert "data/incident_links.csv:2: column 'model_id': 'no-such-model' is not in models" in result.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_benchmark_results_cover_the_census_and_tell_vendors_apart(tables):
    ev, bench = tables["evaluations"], tables["benchmarks"]
    assert len(ev) >= 250 and ev["model_id"].nunique() >= 100
    assert {"developer", "independent"} <= set(ev["reporter_role"])
    assert ev["source_ids"].notna().all() and ev["release_id"].notna().all()
    for b in bench.itertuples():
        assert b.why and b.caveats, f"{b.benchmark_id} does not say why it is here or what can go wrong"
    releases = tables["releases"].set_index("release_id")
    owners = releases.loc[ev["release_id"], "model_id"].to_numpy()
    assert (owners == ev["model_id"].to_numpy()).all(), "a result is tied to another model's release"


def test_competing_compute_estimates_are_kept_side_by_side(tables):
    est = tables["compute_estimates"]
    gpt3_costs = est[(est["model_id"] == "gpt-3") & (est["quantity"] == "training-cost-usd")]
    assert {27_600_000, 4_600_000} <= set(gpt3_costs["value"].round())
    assert (est.loc[est["basis"] == "estimated", "estimated_by"].notna()).all()
    assert est["model_id"].nunique() >= 150
