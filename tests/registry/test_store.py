"""The analytics store: one DuckDB file per dataset version, opened read-only, giving the
same figures as the dataset loaded into memory."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from spinepath.registry import report as report_module
from spinepath.registry import store
from spinepath.registry.analytics import DatasetError, Filters, Registry
from spinepath.registry.report import build_report, compute_report, forget_reports


@pytest.fixture
def dataset(synth_dataset, tmp_path) -> Path:
    """A private copy: these tests build, replace and remove stores."""
    copy = tmp_path / "registry"
    shutil.copytree(synth_dataset, copy, ignore=shutil.ignore_patterns(store.STORE_DIR))
    return copy


def _same(a, b) -> bool:
    """Equal, numbers to 1e-12 (parallel sums may add in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def _stores(directory: Path) -> list[Path]:
    return sorted((directory / store.STORE_DIR).glob("*.duckdb"))


def test_the_store_gives_the_same_figures_as_the_dataset_in_memory(dataset):
    in_memory = Registry(dataset)
    stored = store.open_registry(dataset)
    assert stored.read_only and not in_memory.read_only
    for filters in (Filters(), Filters(site="s003"), Filters(year_from=2023, approach="open")):
        for figure in ("summary", "rates", "continuous", "mcid", "trajectories"):
            assert _same(getattr(stored, figure)(filters), getattr(in_memory, figure)(filters))
        # The expected risks were fitted when the store was built; in memory they are
        # fitted now, by the same model, so the funnels agree.
        assert _same(
            report_module.funnels(stored, filters), report_module.funnels(in_memory, filters)
        )
        assert _same(
            report_module.comparisons(stored, filters),
            report_module.comparisons(in_memory, filters),
        )


def test_the_unfiltered_report_is_kept_and_served_from_the_store(dataset):
    stored = store.open_registry(dataset)
    kept = stored.stored_report(report_module.REPORT_VERSION)
    assert kept is not None
    fresh = json.loads(json.dumps(compute_report(Registry(dataset), Filters())))
    assert _same(kept, fresh)
    forget_reports()
    assert build_report(stored, Filters()) == kept
    # A report computed by another version of the methods is never served.
    assert stored.stored_report("an older version") is None
    # Filtered views are computed, not looked up.
    assert (
        build_report(stored, Filters(site="s001"))["summary"]["episodes"]
        < (kept["summary"]["episodes"])
    )


def test_built_once_then_reused(dataset):
    first = store.prepare(dataset)
    built_at = first.stat().st_mtime_ns
    assert store.prepare(dataset) == first
    assert first.stat().st_mtime_ns == built_at
    assert _stores(dataset) == [first]
    assert not list((dataset / store.STORE_DIR).glob("*.building*"))


def test_a_new_dataset_version_gets_a_new_store_and_the_old_one_goes(dataset):
    first = store.prepare(dataset)
    manifest = json.loads((dataset / "manifest.json").read_text())
    manifest["seed"] = "changed"
    (dataset / "manifest.json").write_text(json.dumps(manifest))
    second = store.prepare(dataset)
    assert second != first
    assert _stores(dataset) == [second]


def test_a_new_report_version_gets_a_new_store(dataset, monkeypatch):
    first = store.store_path(dataset)
    monkeypatch.setattr(report_module, "REPORT_VERSION", "another")
    assert store.store_path(dataset) != first


def test_processes_that_open_it_together_build_it_once(dataset, monkeypatch):
    builds: list[str] = []
    real_build = store._build

    def counted(*args, **kwargs):
        builds.append("built")
        real_build(*args, **kwargs)

    monkeypatch.setattr(store, "_build", counted)
    paths: list[Path] = []
    threads = [
        threading.Thread(target=lambda: paths.append(store.prepare(dataset))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == ["built"]
    assert len(set(paths)) == 1 and paths[0].is_file()


def test_a_failed_build_leaves_nothing_behind(dataset, monkeypatch):
    def broken(registry):
        raise RuntimeError("model failed")

    monkeypatch.setattr(report_module, "prepare_expected", broken)
    with pytest.raises(RuntimeError, match="model failed"):
        store.prepare(dataset)
    assert _stores(dataset) == []
    assert not list((dataset / store.STORE_DIR).glob("*.building*"))


def test_the_stages_are_reported_in_order(dataset):
    seen: list[str] = []
    store.prepare(dataset, seen.append)
    assert seen == list(store.STAGES)


def test_not_a_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="not a registry dataset"):
        store.prepare(tmp_path)
    with pytest.raises(DatasetError, match="not a registry dataset"):
        store.open_registry(tmp_path / "missing")
