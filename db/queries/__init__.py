"""Named read queries, one module per area; every public function is re-exported here."""

from db.queries.analysis import licence_answers, licence_comparison, model_choices, table_rows  # noqa: F401
from db.queries.capability import benchmarks, compute_estimates, compute_points, evaluation_points  # noqa: F401
from db.queries.core import *  # noqa: F403
from db.queries.coverage import coverage_by_year_level, models_by_clause_year  # noqa: F401
from db.queries.crosswalk import (  # noqa: F401
    crosscheck,
    crosswalk_agreement,
    crosswalk_patterns,
    crosswalk_rows,
    open_washing,
    osaid,
    trackers,
)
from db.queries.risk import incident_lag, models_by_level, risk_by_level  # noqa: F401
from db.queries.timeline import incident_detail, release_detail  # noqa: F401
