"""The registry dataset this server shows: opened once per process through its analytics
store (spinepath.registry.store), and opened again when a new extract (or synthetic
dataset) replaces it.

A dataset whose store is not built yet (copied in by hand, or read by a newer version of
the report) is prepared on a thread of its own: a request waits a few seconds for it, then
is told the registry is being prepared, so no request holds a worker for the minute a
national dataset takes. A dataset that cannot be read is said so, once per manifest, and
not retried until a new extract replaces it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from spinepath.registry.analytics import DatasetError, Registry

log = logging.getLogger(__name__)

PREPARE_WAIT_SECONDS = 5.0

_lock = threading.Lock()
_loaded: dict[Path, tuple[float, Registry]] = {}
_failed: dict[Path, tuple[float, str]] = {}
_opening: dict[Path, threading.Event] = {}


class RegistryPreparingError(Exception):
    """The dataset's analytics store is being built; ask again in a moment."""


def data_dir() -> Path:
    return Path(settings.SPINEPATH["REGISTRY_DATA_DIR"])


def current_registry() -> Registry | None:
    """None when no dataset has been written yet; DatasetError when it cannot be read;
    RegistryPreparingError while its store is being built."""
    directory = data_dir()
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        return None
    stamp = manifest.stat().st_mtime
    with _lock:
        cached = _loaded.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        failed = _failed.get(directory)
        if failed is not None and failed[0] == stamp:
            raise DatasetError(failed[1])
        done = _opening.get(directory)
        if done is None:
            done = _opening[directory] = threading.Event()
            threading.Thread(
                target=_open, args=(directory, stamp, done), name="registry-open", daemon=True
            ).start()
    done.wait(PREPARE_WAIT_SECONDS)
    with _lock:
        cached = _loaded.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        failed = _failed.get(directory)
        if failed is not None and failed[0] == stamp:
            raise DatasetError(failed[1])
    raise RegistryPreparingError(str(directory))


def _open(directory: Path, stamp: float, done: threading.Event) -> None:
    from spinepath.registry.report import forget_reports
    from spinepath.registry.store import open_registry

    try:
        registry = open_registry(
            directory, memory_limit=settings.SPINEPATH["REGISTRY_MEMORY_LIMIT"]
        )
    except DatasetError as exc:
        with _lock:
            _failed[directory] = (stamp, str(exc))
    except Exception as exc:  # said on the page, not retried on every request
        log.exception("cannot open the registry dataset in %s", directory)
        with _lock:
            _failed[directory] = (stamp, f"{type(exc).__name__}: {exc}")
    else:
        with _lock:
            # Reports of the old dataset go with it. The old registry is not closed: a
            # request on another thread may still be reading it.
            forget_reports()
            _loaded[directory] = (stamp, registry)
    finally:
        with _lock:
            _opening.pop(directory, None)
        done.set()


def forget() -> None:
    """Drop what this process holds (tests, or a settings change)."""
    with _lock:
        _loaded.clear()
        _failed.clear()
