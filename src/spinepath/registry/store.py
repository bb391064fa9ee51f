"""The analytics store: a dataset's DuckDB file, built once per version of the dataset and
opened read-only by every process that shows it.

Loading a national dataset from its Parquet files takes seconds and, in memory, gigabytes
per process; fitting the national case-mix models and the adjusted comparisons of the
unfiltered report takes seconds more. All of it depends only on the dataset, so it is done
once, when the dataset is written ('registry extract', 'synth') or else by the first
process that opens it, and kept in ``DIR/.analytics/<fingerprint>.duckdb``: the tables the
queries read (episodes, per-episode scores, the cubes), each episode's expected risks for
the funnel plots, and the unfiltered report. Web workers open that file read-only, so they
share the operating system's cache of it instead of each holding a copy.

The fingerprint covers the manifest (which a new extract or synthetic dataset always
rewrites) and the versions of this store and of the report, so a changed dataset or a
changed method never serves old figures.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from spinepath.registry import report
from spinepath.registry.analytics import DatasetError, Filters, Registry

log = logging.getLogger(__name__)

STORE_DIR = ".analytics"
STORE_VERSION = "2026.11-1"  # bump when the tables the queries read change

Progress = Callable[[str], None]  # called with each stage's name as it starts
STAGES = (
    "loading the dataset",
    "fitting the national case-mix models",
    "computing the unfiltered report",
)


def fingerprint(data_dir: Path) -> str:
    manifest = data_dir / "manifest.json"
    try:
        content = manifest.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{data_dir} is not a registry dataset (no manifest.json)") from None
    digest = hashlib.sha256()
    for part in (STORE_VERSION.encode(), report.REPORT_VERSION.encode(), content):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:20]


def store_path(data_dir: Path | str) -> Path:
    data_dir = Path(data_dir)
    return data_dir / STORE_DIR / f"{fingerprint(data_dir)}.duckdb"


def prepare(data_dir: Path | str, progress: Progress | None = None) -> Path:
    """The store of the dataset in ``data_dir``, built if it is not there yet (one process
    builds it, others wait for it). Returns its path."""
    data_dir = Path(data_dir)
    path = store_path(data_dir)
    if path.is_file():
        return path
    folder = path.parent
    folder.mkdir(exist_ok=True)
    with (folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = store_path(data_dir)
        if path.is_file():
            return path
        _build(data_dir, path, progress or (lambda stage: None))
    return path


def _build(data_dir: Path, path: Path, progress: Progress) -> None:
    building = path.with_suffix(f".{os.getpid()}.building")
    _remove(building)
    version = fingerprint(data_dir)
    try:
        progress(STAGES[0])
        try:
            registry = Registry(data_dir, database=building)
            try:
                progress(STAGES[1])
                report.prepare_expected(registry)
                progress(STAGES[2])
                registry.store_report(
                    report.REPORT_VERSION, report.compute_report(registry, Filters())
                )
            finally:
                registry.close()
        except duckdb.Error as exc:
            # Files that do not match the contract (a column missing, a wrong type).
            raise DatasetError(f"{data_dir} cannot be read as a registry dataset: {exc}") from exc
        if fingerprint(data_dir) != version:
            raise DatasetError(f"{data_dir} changed while it was being prepared; run it again")
        os.replace(building, path)
    finally:
        _remove(building)
    # Older versions go: a process still reading one keeps it open until it reloads.
    for other in path.parent.iterdir():
        if other.name != path.name and other.suffix in {".duckdb", ".wal", ".building"}:
            _remove(other)


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def is_prepared(data_dir: Path | str) -> bool:
    return store_path(data_dir).is_file()


def open_registry(
    data_dir: Path | str, *, memory_limit: str | None = None, progress: Progress | None = None
) -> Registry:
    """The dataset in ``data_dir`` through its store (built first if need be). Where no
    store can be written (a read-only dataset directory) the dataset is loaded into this
    process's memory instead: slower to open, more memory, the same figures."""
    try:
        path = prepare(data_dir, progress)
    except OSError as exc:
        log.warning("no analytics store for %s (%s); loading it in memory", data_dir, exc)
        return Registry(data_dir)
    return Registry(data_dir, database=path, read_only=True, memory_limit=memory_limit)


def prepare_with_bar(data_dir: Path | str) -> Path:
    """``prepare`` with a progress bar on standard error (silent when it is redirected),
    for the commands that write a dataset."""
    import sys

    from tqdm import tqdm

    with tqdm(
        total=len(STAGES), desc="analytics store", unit="step", file=sys.stderr, disable=None
    ) as bar:

        def step(stage: str) -> None:
            bar.update(STAGES.index(stage) - bar.n)
            bar.set_postfix_str(stage)

        path = prepare(data_dir, step)
        bar.update(len(STAGES) - bar.n)
    return path
