"""Named read queries, one module per area; every public function is re-exported here."""

from db.queries.core import *  # noqa: F403
