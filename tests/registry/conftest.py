"""Synthetic registry datasets shared by the registry tests (generated once per session).

``synth_params`` is small enough to generate in about a second and big enough that every
procedure, approach, timepoint and Clavien-Dindo grade appears; ``synth_tables`` holds its
rows in memory (partition columns ``site`` and ``year`` appended); ``synth_dataset`` is the
same data written as Parquet under a temporary directory (the extract's layout).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SYNTH_SEED = 20261101


@pytest.fixture(scope="session")
def synth_params():
    from spinepath.registry.synth import SynthParams

    return SynthParams(episodes=8_000, sites=20, surgeons=60)


@pytest.fixture(scope="session")
def synth_tables(synth_params):
    from spinepath.registry.synth import generate_tables

    return generate_tables(synth_params, seed=SYNTH_SEED)


@pytest.fixture(scope="session")
def synth_dataset(synth_params, tmp_path_factory) -> Path:
    from spinepath.registry.synth import generate

    out = tmp_path_factory.mktemp("synth") / "registry"
    generate(out, synth_params, seed=SYNTH_SEED)
    return out
