"""Settings for the test suite: the real settings with SPINEPATH_ENV=test.

DATABASE_URL still decides the engine, so the same suite runs on SQLite and,
with DATABASE_URL=postgresql://…, on PostgreSQL.
"""

import os

os.environ["SPINEPATH_ENV"] = "test"

from spinepath.config.settings import *  # noqa: F403

AXES_ENABLED = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: concurrent tests then see SQLite's real locking (WAL and
    # IMMEDIATE transactions), as a deployment does.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"spinepath-test-{os.getpid()}.sqlite3")
    }

# No registry dataset unless a test writes one (tests/registry make their own).
SPINEPATH["REGISTRY_DATA_DIR"] = os.path.join(  # noqa: F405
    __import__("tempfile").gettempdir(), f"spinepath-test-registry-{os.getpid()}"
)
