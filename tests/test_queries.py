"""Every query in db/queries/core.py, on the fixture database made by the real build."""

import pandas as pd
import pytest

from db import queries as q
from db.build import build, data_hash
from db.engine import make_engine
from tests.conftest import FIXTURE_DATA

ALL_RELEASES = {
    "gpt-2-2019-02",
    "gpt-2-2019-11",
    "gpt-3-2020-06",
    "llama-2023-02",
    "llama-2023-03-leak",
    "sd-2022-08",
}
ALL_INCIDENTS = {"gpt-2-withholding", "llama-weights-leak", "andersen-v-stability", "eu-ai-act-in-force"}

# (filters, the release events that pass them)
RELEASE_CASES = [
    ({}, ALL_RELEASES),
    ({"start": "2019-06-01", "end": "2022-12-31"}, {"gpt-2-2019-11", "gpt-3-2020-06", "sd-2022-08"}),
    ({"start": "2019-02-14", "end": "2019-02-14"}, {"gpt-2-2019-02"}),
    ({"start": "2023-03-01"}, {"llama-2023-03-leak"}),
    ({"end": "2019-12-31"}, {"gpt-2-2019-02", "gpt-2-2019-11"}),
    ({"licence_families": ["permissive"]}, {"gpt-2-2019-02", "gpt-2-2019-11"}),
    ({"licence_families": ["unknown"]}, {"llama-2023-03-leak"}),
    ({"licence_families": ["unknown", "open-rail"]}, {"llama-2023-03-leak", "sd-2022-08"}),
    ({"licence_families": ["non-commercial", "proprietary"]}, {"llama-2023-02", "gpt-3-2020-06"}),
    ({"licence_ids": ["MIT", "LicenseRef-LLaMA-1"]}, {"gpt-2-2019-02", "gpt-2-2019-11", "llama-2023-02"}),
    ({"openness_levels": [4]}, {"gpt-2-2019-11", "llama-2023-02", "llama-2023-03-leak", "sd-2022-08"}),
    ({"openness_levels": [1, 3]}, {"gpt-2-2019-02", "gpt-3-2020-06"}),
    ({"openness_levels": ["3"]}, {"gpt-3-2020-06"}),
    ({"openness_levels": [0, 2, 5]}, set()),
    ({"organizations": ["meta"]}, {"llama-2023-02", "llama-2023-03-leak", "sd-2022-08"}),
    ({"organizations": ["stability-ai"]}, {"sd-2022-08"}),
    ({"organizations": ["openai", "stability-ai"]}, {"gpt-2-2019-02", "gpt-2-2019-11", "gpt-3-2020-06", "sd-2022-08"}),
    ({"modalities": ["image"]}, {"sd-2022-08"}),
    ({"modalities": ["text"]}, ALL_RELEASES - {"sd-2022-08"}),
    ({"modalities": ["audio"]}, set()),
    (
        {"organizations": ["meta"], "openness_levels": [4], "start": "2023-01-01"},
        {"llama-2023-02", "llama-2023-03-leak"},
    ),
    ({"licence_families": ["permissive"], "openness_levels": [4]}, {"gpt-2-2019-11"}),
    ({"licence_families": ["unknown"], "organizations": ["openai"]}, set()),
    ({"licence_families": [], "licence_ids": None, "organizations": [""]}, ALL_RELEASES),
]
RELEASE_IDS = [f"releases-{i}" for i in range(len(RELEASE_CASES))]

# (filters, the incidents that pass them)
INCIDENT_CASES = [
    ({}, ALL_INCIDENTS),
    ({"start": "2023-01-01"}, {"llama-weights-leak", "andersen-v-stability", "eu-ai-act-in-force"}),
    ({"start": "2019-01-01", "end": "2023-01-13"}, {"gpt-2-withholding", "andersen-v-stability"}),
    ({"incident_types": ["copyright", "leak"]}, {"andersen-v-stability", "llama-weights-leak"}),
    ({"incident_types": ["policy"]}, {"eu-ai-act-in-force"}),
    ({"organizations": ["meta"]}, {"llama-weights-leak", "andersen-v-stability"}),
    ({"organizations": ["openai"]}, {"gpt-2-withholding"}),
    ({"modalities": ["image"]}, {"andersen-v-stability"}),
    ({"openness_levels": [1]}, {"gpt-2-withholding"}),
    ({"openness_levels": [3]}, set()),
    ({"licence_families": ["unknown"]}, {"llama-weights-leak"}),
    ({"licence_ids": ["LicenseRef-OpenAI-Terms"]}, set()),
    ({"licence_ids": ["MIT"], "start": "2019-01-01"}, {"gpt-2-withholding"}),
    ({"organizations": ["meta"], "incident_types": ["leak"]}, {"llama-weights-leak"}),
    ({"organizations": ["meta"], "end": "2023-02-01"}, {"andersen-v-stability"}),
]
INCIDENT_IDS = [f"incidents-{i}" for i in range(len(INCIDENT_CASES))]

INJECTIONS = ["' OR 1=1 --", "x'); DROP TABLE releases;--", '" OR ""="', "1; DELETE FROM models"]


@pytest.mark.parametrize(("filters", "expected"), RELEASE_CASES, ids=RELEASE_IDS)
def test_releases_filter(fixture_engine, filters, expected):
    df = q.releases(fixture_engine, **filters)
    assert set(df["release_id"]) == expected
    assert len(df) == len(expected)
    assert q.count_releases(fixture_engine, **filters) == len(expected)
    assert list(df["date"]) == sorted(df["date"])


@pytest.mark.parametrize(("filters", "expected"), RELEASE_CASES, ids=RELEASE_IDS)
def test_release_aggregates_match_rows(fixture_engine, filters, expected):
    rows = q.releases(fixture_engine, **filters)
    by_level = q.releases_by_year_level(fixture_engine, **filters)
    assert by_level["releases"].sum() == len(expected)
    if expected:
        want = rows.groupby(["year", "openness_level"]).size().rename("releases").reset_index()
        pd.testing.assert_frame_equal(by_level, want, check_dtype=False)
    by_family = q.licence_families_by_year(fixture_engine, **filters)
    assert by_family["releases"].sum() == len(expected)
    if expected:
        want = rows.groupby(["year", "licence_family"]).size().rename("releases").reset_index()
        pd.testing.assert_frame_equal(by_family, want, check_dtype=False)


def test_release_columns(fixture_engine):
    df = q.releases(fixture_engine).set_index("release_id")
    leak = df.loc["llama-2023-03-leak"]
    assert (leak["licence"], leak["licence_family"], leak["openness"]) == ("unknown", "unknown", "downloadable")
    sd = df.loc["sd-2022-08"]
    assert (sd["organization"], sd["modality"], sd["licence_family"]) == ("Stability AI", "image", "open-rail")
    assert sd["source_urls"] == "https://stability.ai/news/stable-diffusion-public-release"
    assert df.loc["gpt-2-2019-02", "openness"] == "staged"
    assert df.loc["gpt-3-2020-06", "openness"] == "API"
    assert len(q.releases(fixture_engine, limit=2)) == 2


def test_unknown_licence_family_counted_once(fixture_engine):
    by_family = q.licence_families_by_year(fixture_engine)
    assert by_family.set_index(["year", "licence_family"]).loc[(2023, "unknown"), "releases"] == 1
    assert set(by_family["licence_family"]) == {"permissive", "proprietary", "open-rail", "non-commercial", "unknown"}


@pytest.mark.parametrize(("filters", "expected"), INCIDENT_CASES, ids=INCIDENT_IDS)
def test_incidents_filter(fixture_engine, filters, expected):
    df = q.incidents(fixture_engine, **filters)
    assert set(df["incident_id"]) == expected
    assert len(df) == len(expected)
    assert q.count_incidents(fixture_engine, **filters) == len(expected)
    by_type = q.incidents_by_year_type(fixture_engine, **filters)
    assert by_type["incidents"].sum() == len(expected)
    if expected:
        want = df.groupby(["year", "type"]).size().rename("incidents").reset_index()
        pd.testing.assert_frame_equal(by_type, want, check_dtype=False)


def test_model_filters_keep_only_linked_incidents(fixture_engine):
    """A policy event linked to no model disappears as soon as any model-scoped filter is set."""
    for key, value in [
        ("organizations", ["openai", "meta", "stability-ai"]),
        ("modalities", ["text", "image"]),
        ("openness_levels", [0, 1, 2, 3, 4, 5]),
        ("licence_families", ["permissive", "proprietary", "open-rail", "non-commercial", "unknown"]),
    ]:
        ids = set(q.incidents(fixture_engine, **{key: value})["incident_id"])
        assert ids == ALL_INCIDENTS - {"eu-ai-act-in-force"}, key


def test_incident_search_and_status(fixture_engine):
    assert list(q.incidents(fixture_engine, search="STABILITY")["incident_id"]) == ["andersen-v-stability"]
    assert list(q.incidents(fixture_engine, search="posted publicly")["incident_id"]) == ["llama-weights-leak"]
    assert q.incidents(fixture_engine, search="%").empty
    assert q.incidents(fixture_engine, search="_").empty
    assert list(q.incidents(fixture_engine, statuses=["pending"])["incident_id"]) == ["andersen-v-stability"]
    assert q.incidents(fixture_engine, statuses=["settled"]).empty
    df = q.incidents(fixture_engine).set_index("incident_id")
    assert df.loc["andersen-v-stability", "models"] == "Stable Diffusion 1"
    assert pd.isna(df.loc["eu-ai-act-in-force", "models"])
    assert list(q.incidents(fixture_engine, limit=1)["incident_id"]) == ["gpt-2-withholding"]


def test_incident_links(fixture_engine):
    df = q.incident_links(fixture_engine).set_index("model_id")
    assert set(df.index) == {"gpt-2", "llama", "stable-diffusion-1"}
    # the level and licence when the incident began: GPT-2 was staged (level 1) on the day of its withholding
    assert df.loc["gpt-2", "openness_level"] == 1 and df.loc["gpt-2", "licence_id"] == "MIT"
    assert df.loc["llama", "openness_level"] == 4 and pd.isna(df.loc["llama", "licence_id"])  # the leak: no licence
    assert df.loc["gpt-2", "first_release"] == "2019-02-14"
    assert df.loc["stable-diffusion-1", "pathway"] == "training-data"
    assert df.loc["stable-diffusion-1", "openness_mattered"] == "disputed"
    staged_only = q.incident_links(fixture_engine, openness_levels=[1])
    assert list(staged_only["model_id"]) == ["gpt-2"]
    assert list(staged_only["openness_level"]) == [1]
    assert set(q.incident_links(fixture_engine, organizations=["meta"])["model_id"]) == {"llama", "stable-diffusion-1"}
    assert set(q.incident_links(fixture_engine, start="2023-01-01")["incident_id"]) == {
        "llama-weights-leak",
        "andersen-v-stability",
    }
    assert list(q.incident_links(fixture_engine, incident_types=["leak"])["model_id"]) == ["llama"]
    # a level filter matches the level at the time: GPT-2 reached level 4 after its withholding
    assert set(q.incident_links(fixture_engine, openness_levels=[4])["incident_id"]) == {
        "llama-weights-leak",
        "andersen-v-stability",
    }
    assert list(q.incident_links(fixture_engine, licence_families=["unknown"])["incident_id"]) == ["llama-weights-leak"]
    assert q.count_incidents(fixture_engine, licence_families=["non-commercial"]) == 0
    assert q.incident_links(fixture_engine, modalities=["audio"]).empty


def test_release_to_incident_lag(fixture_engine):
    df = q.release_to_incident_lag(fixture_engine).set_index("model_id")
    assert df["lag_days"].to_dict() == {"gpt-2": 0, "llama": 5, "stable-diffusion-1": 144}
    assert df.loc["llama", "first_incident"] == "2023-03-01"
    empty = q.release_to_incident_lag(fixture_engine, modalities=["audio"])
    assert empty.empty and "lag_days" in empty.columns


def test_models(fixture_engine):
    df = q.models(fixture_engine).set_index("model_id")
    assert df["openness_level"].to_dict() == {"gpt-2": 4, "gpt-3": 3, "llama": 4, "stable-diffusion-1": 4}
    assert df.loc["llama", "first_release"] == "2023-02-24"
    assert df.loc["stable-diffusion-1", "organization"] == "Stability AI"
    assert list(q.models(fixture_engine, openness_levels=[1])["openness_level"]) == [1]
    assert set(q.models(fixture_engine, organizations=["meta"])["model_id"]) == {"llama", "stable-diffusion-1"}
    assert set(q.models(fixture_engine, licence_families=["unknown"])["model_id"]) == {"llama"}
    assert set(q.models(fixture_engine, start="2020-01-01", end="2022-12-31")["model_id"]) == {
        "gpt-3",
        "stable-diffusion-1",
    }


def test_model_lookups(fixture_engine):
    assert list(q.model_list(fixture_engine)["model_id"]) == ["gpt-2", "gpt-3", "llama", "stable-diffusion-1"]
    assert q.model_exists(fixture_engine, "llama")
    assert not q.model_exists(fixture_engine, "llama-9")
    rel = q.releases_for_model(fixture_engine, "llama")
    assert list(rel["release_id"]) == ["llama-2023-02", "llama-2023-03-leak"]
    assert list(rel["licence_family"]) == ["non-commercial", "unknown"]
    profile = q.model_profile(fixture_engine, "stable-diffusion-1")
    assert list(profile["developers"]["organization_id"]) == ["stability-ai", "meta"]
    assert list(profile["releases"]["release_id"]) == ["sd-2022-08"]
    assert list(profile["incidents"]["incident_id"]) == ["andersen-v-stability"]
    assert set(profile["sources"]["source_id"]) == {"s-sd"}
    assert set(profile["sources"]["entity"]) == {"models", "releases", "incidents"}
    nothing = q.model_profile(fixture_engine, "no-such-model")
    assert all(df.empty for df in nothing.values())


def test_licences(fixture_engine):
    df = q.licences(fixture_engine).set_index("licence_id")
    assert df["releases"].to_dict() == {
        "MIT": 2,
        "LicenseRef-LLaMA-1": 1,
        "LicenseRef-CreativeML-OpenRAIL-M": 1,
        "LicenseRef-OpenAI-Terms": 1,
    }
    assert df.loc["LicenseRef-LLaMA-1", "commercial_use"] == "prohibited"
    assert list(q.licences(fixture_engine, licence_families=["open-rail"]).licence_id) == [
        "LicenseRef-CreativeML-OpenRAIL-M"
    ]
    assert list(q.licences(fixture_engine, licence_ids=["MIT"]).licence_id) == ["MIT"]
    assert q.licences(fixture_engine, licence_families=["copyleft"]).empty


def test_steps_events_and_sources(fixture_engine):
    steps = q.incident_steps(fixture_engine, ["andersen-v-stability"])
    assert list(steps["status"]) == ["filed", "dismissed-in-part"]
    assert len(q.incident_steps(fixture_engine)) == 2
    assert q.incident_steps(fixture_engine, []).empty
    assert list(q.context_events(fixture_engine, start="2022-01-01")["event_id"]) == ["helm"]
    assert q.context_events(fixture_engine, end="2021-12-31").empty
    assert list(q.sources(fixture_engine, ["s-sd", "s-lic"])["source_id"]) == ["s-lic", "s-sd"]
    assert len(q.sources(fixture_engine)) == 4
    events = q.events_by_id(fixture_engine, release_ids=["sd-2022-08", "nope"], incident_ids=["gpt-2-withholding"])
    assert list(events["id"]) == ["gpt-2-withholding", "sd-2022-08"]


def test_filter_options_and_tables(fixture_engine):
    opts = q.filter_options(fixture_engine)
    assert (opts["first_date"], opts["last_date"]) == ("2019-02-14", "2024-08-01")
    assert list(opts["organizations"]["organization_id"]) == ["meta", "openai", "stability-ai"]
    assert len(opts["licences"]) == 4
    assert len(q.table(fixture_engine, "releases")) == 6
    with pytest.raises(ValueError, match="unknown table"):
        q.table(fixture_engine, "sqlite_master")
    counts = q.row_counts(fixture_engine)
    assert counts["releases"] == 6 and counts["incidents"] == 4 and counts["context_events"] == 1
    assert q.build_info(fixture_engine)["data_hash"] == data_hash(FIXTURE_DATA)


@pytest.fixture
def writable_engine(tmp_path):
    """A writable engine on a private database, so a working injection could really do damage."""
    url = f"sqlite:///{tmp_path / 'writable.db'}"
    build(FIXTURE_DATA, url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_looking_values_match_nothing(writable_engine, payload):
    before = q.row_counts(writable_engine)
    for key in ("licence_families", "licence_ids", "openness_levels", "organizations", "modalities"):
        assert q.releases(writable_engine, **{key: [payload]}).empty, key
        assert q.count_releases(writable_engine, **{key: [payload]}) == 0, key
        assert q.models(writable_engine, **{key: [payload]}).empty, key
        assert q.incidents(writable_engine, **{key: [payload]}).empty, key
        assert q.incident_links(writable_engine, **{key: [payload]}).empty, key
    assert q.incidents(writable_engine, incident_types=[payload]).empty
    assert q.incidents(writable_engine, search=payload).empty
    assert q.incidents(writable_engine, statuses=[payload]).empty
    assert q.licences(writable_engine, licence_ids=[payload]).empty
    assert q.releases_for_model(writable_engine, payload).empty
    assert not q.model_exists(writable_engine, payload)
    assert q.sources(writable_engine, [payload]).empty
    assert q.incident_steps(writable_engine, [payload]).empty
    assert q.events_by_id(writable_engine, [payload], [payload]).empty
    for key in ("start", "end"):
        q.releases(writable_engine, **{key: payload})
        q.incidents(writable_engine, **{key: payload})
        q.context_events(writable_engine, **{key: payload})
    assert q.row_counts(writable_engine) == before
    assert len(q.releases(writable_engine)) == 6


def test_the_model_catalogue_lists_the_newest_models_first_when_limited(fixture_engine):
    """A limit keeps the models whose first release is newest, with the same rows as the full catalogue."""
    full = q.model_catalogue(fixture_engine)
    newest = full.sort_values(["first_release", "model_id"], ascending=False).head(2)["model_id"]
    limited = q.model_catalogue(fixture_engine, limit=2)
    assert set(limited["model_id"]) == set(newest)
    expected = full[full["model_id"].isin(newest)].reset_index(drop=True)
    pd.testing.assert_frame_equal(limited, expected)
    filtered = q.model_catalogue(fixture_engine, limit=1, openness_levels=(4, 5))
    assert len(filtered) == 1 and q.count_models(fixture_engine, openness_levels=(4, 5)) >= 1
    assert filtered["model_id"].iloc[0] in set(q.model_catalogue(fixture_engine, openness_levels=(4, 5))["model_id"])
