import argparse

HELP = "generate a synthetic registry dataset (Parquet, the extract's format)"
DESCRIPTION = """Write a synthetic, realistic registry dataset in the format of
'spinepath registry extract': episodes, outcomes and complications as Parquet,
partitioned by site and year (DIR/<table>/site=<code>/year=<yyyy>/), and
DIR/manifest.json (dataset version, seed, parameters, counts, planted outliers).

The data are made up: sites, surgeons and patients do not exist. The case mix,
questionnaire trajectories (baseline, 2 w, 6 w, 3 m, 12 m, some 24 m) and the
MISS-versus-open effects follow the meta-analyses in the clinical reference
(Goldstein 2016, Park 2018): less blood loss and shorter stays after MIS fusion,
fewer infections and medical adverse events, a slightly larger ODI improvement.
Healthier patients are more often operated on through MISS, so crude
comparisons overstate the benefit that risk adjustment recovers. A few surgeons
and sites are planted outliers (listed in manifest.json).

Then builds the dataset's analytics store (DIR/.analytics/, see 'spinepath registry
extract --help'), which the dashboards and 'registry report' read.

The same --seed and options give the same files. A progress bar is shown on
standard error; a JSON summary (counts, files, bytes, seconds) is printed on
standard output. DIR must be empty or new; --force replaces a dataset that
this command wrote before.

Examples:
  spinepath synth --episodes 5000 --out var/registry-demo
  spinepath synth --episodes 1000000 --out /data/synth --seed 7
  spinepath synth --episodes 20000 --out var/small --sites 20 --surgeons 60 --years 3
"""

MAX_EPISODES = 50_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--episodes", type=int, required=True, metavar="N", help="number of surgical episodes"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="dataset directory")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--sites", type=int, default=300, help="number of sites (default 300)")
    parser.add_argument(
        "--surgeons", type=int, default=1000, help="number of surgeons (default 1000)"
    )
    parser.add_argument(
        "--start-year", dest="start_year", type=int, default=2019, help="first year (default 2019)"
    )
    parser.add_argument("--years", type=int, default=7, help="number of years (default 7)")
    parser.add_argument(
        "--force", action="store_true", help="replace a synthetic dataset already in DIR"
    )


def _params(args: argparse.Namespace) -> object:
    from spinepath.commands import UsageError
    from spinepath.registry.synth import SynthParams

    if not 1 <= args.episodes <= MAX_EPISODES:
        raise UsageError(f"--episodes must be between 1 and {MAX_EPISODES:,}")
    if not 1 <= args.sites <= 9999:
        raise UsageError("--sites must be between 1 and 9999")
    if args.surgeons < args.sites:
        raise UsageError("--surgeons must be at least --sites (every site has a surgeon)")
    if args.surgeons > 1_000_000:
        raise UsageError("--surgeons must be at most 1,000,000")
    if not 1900 <= args.start_year <= 2200:
        raise UsageError("--start-year must be between 1900 and 2200")
    if not 1 <= args.years <= 30:
        raise UsageError("--years must be between 1 and 30")
    if args.seed < 0:
        raise UsageError("--seed must not be negative")
    params = SynthParams(
        episodes=args.episodes,
        sites=args.sites,
        surgeons=args.surgeons,
        start_year=args.start_year,
        years=args.years,
    )
    # With few sites or surgeons, plant fewer outliers rather than refuse.
    outlier_surgeons = params.outlier_surgeon_odds_ratios[: args.surgeons // 2]
    outlier_sites = params.outlier_site_odds_ratios[: args.sites // 2]
    params = params.replace(
        outlier_surgeon_odds_ratios=outlier_surgeons, outlier_site_odds_ratios=outlier_sites
    )
    try:
        params.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return params


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from tqdm import tqdm

    from spinepath.commands import UsageError
    from spinepath.registry.synth import (
        OutputNotEmptyError,
        SynthParams,
        check_output,
        generate,
    )

    params = _params(args)
    assert isinstance(params, SynthParams)
    out = Path(args.out)
    try:
        check_output(out, overwrite=args.force)
    except OutputNotEmptyError as exc:
        raise UsageError(str(exc)) from None
    progress = tqdm(
        total=params.episodes,
        file=sys.stderr,
        unit="episode",
        unit_scale=True,
        desc="synth",
        disable=None,  # shown on a terminal, silent when standard error is redirected
    )
    try:
        with progress:
            summary = generate(
                out, params, seed=args.seed, overwrite=args.force, progress=progress.update
            )
    except OutputNotEmptyError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        sys.stderr.write(f"spinepath synth: cannot write {out}: {exc.strerror or exc}\n")
        return 1
    sys.stdout.write(json.dumps(summary.to_json()) + "\n")
    sys.stdout.flush()
    # The dashboards and 'registry report' read the dataset through its analytics store.
    from spinepath.registry.analytics import DatasetError
    from spinepath.registry.store import prepare_with_bar

    try:
        prepare_with_bar(out)
    except (DatasetError, OSError) as exc:
        sys.stderr.write(f"spinepath synth: the dataset is written, but not its store: {exc}\n")
        return 1
    return 0
