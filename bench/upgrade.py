"""Bring a bench database up to the current schema in place: `python bench/upgrade.py DB DATA_DIR`.

A 1M build takes about 20 minutes; after a change that only adds a derived table or an index, this makes
the tables db.build derives from the others again (with the build's own code), adds the schema's missing
indexes and records the data hash the current build would, so bench/bench_pages.py measures it without a
rebuild. For bench databases only: a real deployment rebuilds (python -m db.build --force).
"""

import sys
from pathlib import Path

from sqlalchemy import update

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import build, schema  # noqa: E402
from db.engine import make_engine  # noqa: E402

DERIVED = {"link_states": build.fill_link_states, "model_firsts": build.fill_model_firsts}


def upgrade(db: Path, data_dir: Path) -> list[str]:
    """Make and fill the derived tables again, create missing indexes, stamp the data hash; what was done."""
    engine = make_engine(f"sqlite:///{db}")
    done = []
    with engine.begin() as conn:
        for name, fill in DERIVED.items():  # made again: cheap, and sure to match the current definition
            schema.metadata.tables[name].drop(conn, checkfirst=True)
            schema.metadata.tables[name].create(conn)
            done.append(f"{name}: {fill(conn)} rows")
        # by name from sqlite_master: reflection skips expression indexes
        have = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
        for table in schema.metadata.sorted_tables:
            for index in table.indexes:
                if index.name not in have:
                    index.create(conn)
                    done.append(f"index {index.name}")
        info = schema.build_info.c
        digest = build.data_hash(data_dir)
        conn.execute(update(schema.build_info).where(info.key == "data_hash").values(value=digest))
        conn.execute(update(schema.build_info).where(info.key == "schema_version").values(value=build.SCHEMA_VERSION))
    engine.dispose()
    return done


if __name__ == "__main__":
    for line in upgrade(Path(sys.argv[1]), Path(sys.argv[2])):
        print(line)
