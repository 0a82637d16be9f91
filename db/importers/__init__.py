"""Importers of other trackers' published data: `python -m db.importers TRACKER SOURCE`.

Each importer reads one tracker's snapshot (a folder, a bare git repository at
the snapshot commit, or for Epoch AI its CSV files), validates every entry
(file, line, field and reason), maps the tracker's names to our models
(data/tracker_names.csv: curators' rows first, then the exact-name rule) and
rewrites that tracker's rows of data/assessments.csv. All or nothing: if any
entry is invalid or a name matches two of our models, nothing is written.
"""
