"""Writers importing and readers querying at the same time: no "database is locked", consistent counts."""

import threading
import time

from sqlalchemy import func, select

from db import ingest, queries, schema
from db.build import build
from db.engine import make_engine
from db.service import Actor
from tests.conftest import FIXTURE_DATA

WRITERS, READERS, SECONDS, ROWS_PER_FILE, FILES_PER_WRITER = 4, 8, 5.0, 20, 6
HEADER = (
    "release_id,model_id,date,date_precision,event_type,openness_level,gating,licence_id,"
    "weights,inference_code,training_code,training_data,documentation,notes,source_ids"
)


def _file(writer: int, batch: int) -> tuple[bytes, set[str]]:
    ids = [f"w{writer}-b{batch}-{i}" for i in range(ROWS_PER_FILE)]
    rows = [f"{r},llama,2023-03-01,day,weights,4,none,,open,open,closed,closed,open,,s-llama" for r in ids]
    return "\n".join((HEADER, *rows, "")).encode(), set(ids)


def _releases_and_their_citations():
    """Both counts in one statement, so from one snapshot: equal whenever every write is atomic."""
    cited = select(func.count()).select_from(schema.citations).where(schema.citations.c.entity == "releases")
    return select(
        select(func.count()).select_from(schema.releases).scalar_subquery(),
        cited.scalar_subquery(),
    )


def test_writers_and_readers_at_once_see_no_locks_and_consistent_counts(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    build(FIXTURE_DATA, url)
    reader_engine = make_engine(url, readonly=True)
    base = queries.count_releases(reader_engine)
    deadline = time.monotonic() + SECONDS
    errors: list[str] = []
    written: set[str] = set()
    imports, reads = [0], [0]
    lock = threading.Lock()

    def writer(n: int) -> None:
        actor = Actor(f"writer-{n}", "test")
        batch = 0
        while time.monotonic() < deadline:
            data, ids = _file(n, batch % FILES_PER_WRITER)  # files come round again: re-imports are upserts
            try:
                ingest.import_bytes(actor, "releases.csv", data, url=url)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and fails the test
                errors.append(f"writer {n}: {exc!r}")
                return
            with lock:
                written.update(ids)
                imports[0] += 1
            batch += 1

    def reader(n: int) -> None:
        last = 0
        while time.monotonic() < deadline:
            try:
                with reader_engine.connect() as conn:
                    releases, cited = conn.execute(_releases_and_their_citations()).one()
                assert releases == cited, f"torn read: {releases} releases, {cited} release citations"
                assert releases >= last, "a reader saw the count go down"
                last = releases
                queries.releases(reader_engine, limit=50, openness_levels=[4])
                queries.releases_by_year_level(reader_engine)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"reader {n}: {exc!r}")
                return
            with lock:
                reads[0] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert imports[0] >= WRITERS and reads[0] >= READERS
    with reader_engine.connect() as conn:
        releases, cited = conn.execute(_releases_and_their_citations()).one()
    assert releases == cited == base + len(written)
    reader_engine.dispose()
    print(f"\nstress: {imports[0]} imports and {reads[0]} read rounds in {SECONDS:.0f} s, no errors")
