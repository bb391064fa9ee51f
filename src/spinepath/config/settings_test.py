"""Settings for the test suite: the real settings with SPINEPATH_ENV=test.

DATABASE_URL still decides the engine, so the same suite runs on SQLite and,
with DATABASE_URL=postgresql://…, on PostgreSQL.
"""

import os

os.environ["SPINEPATH_ENV"] = "test"

from spinepath.config.settings import *  # noqa: F403

AXES_ENABLED = True
