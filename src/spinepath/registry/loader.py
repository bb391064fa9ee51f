"""The registry dataset this server shows: opened once per process through its analytics
store (spinepath.registry.store), and opened again when a new extract (or synthetic
dataset) replaces it."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from spinepath.registry.analytics import Registry

_lock = threading.Lock()
_loaded: dict[Path, tuple[float, Registry]] = {}


def data_dir() -> Path:
    return Path(settings.SPINEPATH["REGISTRY_DATA_DIR"])


def current_registry() -> Registry | None:
    """None when no dataset has been written yet."""
    from spinepath.registry.store import open_registry

    directory = data_dir()
    manifest = directory / "manifest.json"
    if not manifest.is_file():
        return None
    stamp = manifest.stat().st_mtime
    with _lock:
        cached = _loaded.get(directory)
        if cached is None or cached[0] != stamp:
            # Reports of the old dataset go with it (they hold it in memory).
            from spinepath.registry.report import forget_reports

            forget_reports()
            if cached is not None:
                cached[1].close()
            registry = open_registry(
                directory, memory_limit=settings.SPINEPATH["REGISTRY_MEMORY_LIMIT"]
            )
            _loaded[directory] = (stamp, registry)
        return _loaded[directory][1]
