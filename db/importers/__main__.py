"""`python -m db.importers TRACKER SOURCE... [--data DIR]`: import one tracker's snapshot into data/."""

import argparse
import sys
import tempfile
from pathlib import Path

from db.cli import exit_cleanly_on_signals
from db.engine import data_dir as default_data_dir
from db.importers import common, ecosystem_graphs, eosai, epoch, mot
from db.validate import ValidationError, printable

IMPORTERS = {m.TRACKER_ID: m for m in (ecosystem_graphs, eosai, mot, epoch)}


def run(tracker_id: str, sources: list[Path], data_dir: Path) -> common.Outcome:
    """Parse, validate, match and write one tracker's rows; raises ValidationError and writes nothing on a problem."""
    module = IMPORTERS[tracker_id]
    tracker = common.tracker_row(data_dir, tracker_id)
    with tempfile.TemporaryDirectory() as work:
        if module is epoch:
            entries, problems = epoch.parse(sources, tracker["snapshot"])
        else:
            root = common.snapshot_folder(sources[0], tracker["snapshot"], module.FOLDER, Path(work))
            entries, problems = module.parse(root, tracker["snapshot"])
    outcome, match_problems = common.Matcher(data_dir, tracker_id).match(common.qualify_duplicates(entries))
    problems += match_problems
    if problems:
        raise ValidationError(problems)
    common.write(data_dir, tracker_id, outcome, tracker)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.importers", description=__doc__.splitlines()[0])
    parser.add_argument("tracker", choices=sorted(IMPORTERS))
    parser.add_argument(
        "source", type=Path, nargs="+", help="the snapshot: a folder or bare git repository (Epoch: CSV files)"
    )
    parser.add_argument("--data", type=Path, default=None, help="folder of data files (default: data/)")
    parser.add_argument("--quiet", action="store_true", help="do not list the unmatched names")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    try:
        outcome = run(args.tracker, args.source, args.data or default_data_dir())
    except ValidationError as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        print(printable(exc.report()), file=sys.stderr)
        return 1
    by_rule: dict[str, int] = {}
    for _, _, rule in outcome.matched:
        by_rule[rule] = by_rule.get(rule, 0) + 1
    rules = ", ".join(f"{n} by {rule}" for rule, n in sorted(by_rule.items())) or "none"
    print(f"{args.tracker}: {len(outcome.matched)} names matched ({rules}), {len(outcome.unmatched)} unmatched.")
    if not args.quiet:
        for entry, why in sorted(outcome.unmatched, key=lambda u: u[0].external_name.casefold()):
            print(printable(f"  unmatched: {entry.external_name} ({entry.file}:{entry.line}): {why}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
