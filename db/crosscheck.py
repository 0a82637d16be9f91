"""`python -m db.crosscheck [--tracker ID]...`: where trackers' dates or licences differ from ours, for curators.

Lists every assessment whose date lies more than a month from our model's
first release event, or whose licence text names none of the licences our
release events record. It reads the database (built from data/ if stale) and
changes nothing.
"""

import argparse
import sys

from db import queries
from db.build import ensure_database
from db.cli import exit_cleanly_on_signals
from db.engine import make_engine
from db.validate import ValidationError, printable


def report(rows) -> str:
    """The differences as text, one per line, grouped by check."""
    if rows.empty:
        return "No differences: every tracker's date and licence agree with ours."
    lines = []
    for check, group in rows.groupby("check", sort=True):
        lines.append(f"{check}: {len(group)} difference(s)")
        for r in group.to_dict("records"):
            apart = f" ({r['days_apart']} days apart)" if check == "date" else ""
            lines.append(
                f"  {r['model_id']} / {r['tracker_id']} '{r['external_name']}': theirs {r['theirs']}, "
                f"ours {r['ours']}{apart}  {r['url']}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.crosscheck", description=__doc__.splitlines()[0])
    parser.add_argument("--tracker", action="append", help="only this tracker (repeatable)")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    try:
        ensure_database()
    except ValidationError as exc:
        print("The data does not validate; fix it first:", file=sys.stderr)
        print(printable(exc.report()), file=sys.stderr)
        return 1
    engine = make_engine(readonly=True)
    try:
        print(printable(report(queries.crosscheck(engine, tracker_ids=args.tracker))))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
