"""`spinepath registry SUBCOMMAND`: the pseudonymised registry dataset.

Each subcommand is a (name, help, description, add_arguments, run) entry in SUBCOMMANDS;
``run(args) -> int`` imports Django and the registry only when it runs, like every
command module (spinepath.cli). To add one (``report``), write its two functions and
list it there.
"""

import argparse
from collections.abc import Callable
from typing import NamedTuple

HELP = "the pseudonymised registry dataset: extract it, report on it"
DESCRIPTION = """The registry dataset is pseudonymised Parquet, partitioned by site and year
(spinepath.registry.dataset; columns in docs/data-dictionary.md).

Run 'spinepath registry SUBCOMMAND --help' for the options of one."""

EXTRACT_HELP = "write the pseudonymised Parquet dataset of the operated episodes"
EXTRACT_DESCRIPTION = """Write the operated episodes of this database to DIR as the registry
dataset: episodes, outcomes and complications, partitioned by site and year of surgery.

No names, contacts, MRNs, birth or other dates: records are keyed by HMAC pseudonyms under
SPINEPATH_REGISTRY_KEY (required in production; in development one is derived from
SECRET_KEY, with a warning), and days are counted from the surgery date.

Incremental: DIR/manifest.json fingerprints each partition's source rows, and a later run
rewrites only the partitions that changed (and removes those left without rows).
--since-scratch (or --from-scratch) rewrites every partition. Each file is written
beside its place and renamed into it, so readers never see half a file.

Then builds the dataset's analytics store (DIR/.analytics/): the dataset loaded into DuckDB,
the national case-mix models fitted and the unfiltered report computed, once per extract,
so that the dashboards open at once.

Prints a JSON summary on stdout (partitions written, unchanged and removed; rows) and a
progress bar on stderr.

Examples:
  spinepath registry extract --out /srv/spinepath/registry
  spinepath registry extract --out /srv/spinepath/registry --since-scratch"""


def _add_extract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="the dataset directory")
    parser.add_argument(
        "--since-scratch",
        "--from-scratch",
        dest="from_scratch",
        action="store_true",
        help="ignore the manifest and rewrite every partition",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _run_extract(args: argparse.Namespace) -> int:
    import json
    import sys

    from spinepath.commands import UsageError
    from spinepath.commands._django import setup

    if not args.out.strip():
        raise UsageError("--out needs a directory")
    setup()
    from spinepath.registry.extract import ExtractError, extract

    try:
        summary = extract(args.out, from_scratch=args.from_scratch, progress=not args.no_progress)
    except ExtractError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        sys.stderr.write(f"spinepath registry extract: cannot write {args.out}: {exc.strerror}\n")
        return 1
    sys.stdout.write(json.dumps(summary.to_json()) + "\n")
    sys.stdout.flush()
    # The dashboards read the dataset through its analytics store: built here, once per
    # extract, rather than by the first page view.
    from spinepath.registry.analytics import DatasetError
    from spinepath.registry.store import prepare, prepare_with_bar

    try:
        prepare(args.out) if args.no_progress else prepare_with_bar(args.out)
    except (DatasetError, OSError) as exc:
        sys.stderr.write(
            f"spinepath registry extract: the dataset is written, but its analytics store "
            f"could not be built ({exc}); the dashboards will try again\n"
        )
        return 1
    return 0


REPORT_HELP = "print the registry report (every dashboard figure) as JSON"
REPORT_DESCRIPTION = """Compute the registry report over a dataset written by 'registry extract'
or 'synth': rates with 95 % confidence intervals, MCID attainment at 3 and 12 months,
questionnaire trajectories, length of stay, blood loss, operative time, discharge opioids,
MISS against open surgery crude and adjusted for case mix, and funnel plots by surgeon and
site. The same figures as the /registry/ dashboards, for the same filters.

The dataset is read through its analytics store (DIR/.analytics/), built on the first run
if 'registry extract' or 'synth' did not build it; the unfiltered report is kept there.

Examples:
  spinepath registry report --data /srv/spinepath/registry --json
  spinepath registry report --data DIR --json --site s012 --year-from 2024 --approach miss"""


def _add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="DIR", help="the dataset directory")
    parser.add_argument(
        "--json", action="store_true", help="JSON on stdout (the only format so far)"
    )
    parser.add_argument("--year-from", type=int, metavar="YYYY", help="first year of surgery")
    parser.add_argument("--year-to", type=int, metavar="YYYY", help="last year of surgery")
    parser.add_argument("--site", help="one site code")
    parser.add_argument("--surgeon", metavar="KEY", help="one surgeon pseudonym")
    parser.add_argument("--procedure", help="one procedure id")
    parser.add_argument("--approach", choices=["miss", "open", "converted"])


def _run_report(args: argparse.Namespace) -> int:
    import json
    import sys

    from spinepath.commands import UsageError

    if args.year_from and args.year_to and args.year_from > args.year_to:
        raise UsageError("--year-from is after --year-to")
    from spinepath.registry.analytics import DatasetError, Filters
    from spinepath.registry.report import build_report
    from spinepath.registry.store import open_registry

    try:
        registry = open_registry(args.data)
    except DatasetError as exc:
        raise UsageError(str(exc)) from None
    filters = Filters(
        year_from=args.year_from,
        year_to=args.year_to,
        site=args.site,
        surgeon=args.surgeon,
        procedure=args.procedure,
        approach=args.approach,
    )
    report = build_report(registry, filters)
    sys.stdout.write(json.dumps(report, allow_nan=False) + "\n")
    return 0


class Subcommand(NamedTuple):
    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("extract", EXTRACT_HELP, EXTRACT_DESCRIPTION, _add_extract_arguments, _run_extract),
    Subcommand("report", REPORT_HELP, REPORT_DESCRIPTION, _add_report_arguments, _run_report),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(
        dest="registry_command", metavar="SUBCOMMAND", parser_class=type(parser)
    )
    for command in SUBCOMMANDS:
        command_parser = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(command_parser)
        command_parser.set_defaults(_registry_run=command.run)


def run(args: argparse.Namespace) -> int:
    from spinepath.commands import UsageError

    chosen = getattr(args, "_registry_run", None)
    if chosen is None:
        names = ", ".join(command.name for command in SUBCOMMANDS)
        raise UsageError(f"choose a subcommand: {names}")
    return int(chosen(args))
