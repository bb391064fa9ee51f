"""The registry dataset this server shows: opened once per process through its analytics
store (spinepath.registry.store), and opened again when a new extract (or synthetic
dataset) replaces it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from spinepath.registry.analytics import Registry

log = logging.getLogger(__name__)
_lock = threading.Lock()
_loaded: dict[Path, tuple[float, Registry]] = {}


def data_dir() -> Path:
    return Path(settings.SPINEPATH["REGISTRY_DATA_DIR"])


def current_registry() -> Registry | None:
    """None when no dataset has been written yet; DatasetError when it cannot be read."""
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
            try:
                registry = open_registry(
                    directory, memory_limit=settings.SPINEPATH["REGISTRY_MEMORY_LIMIT"]
                )
            except OSError as exc:
                # No store can be written beside a read-only dataset: this process loads
                # the dataset itself (slower to open, more memory) rather than fail.
                log.warning(
                    "registry store unavailable for %s (%s); loading in memory", directory, exc
                )
                registry = Registry(directory)
            _loaded[directory] = (stamp, registry)
        return _loaded[directory][1]
