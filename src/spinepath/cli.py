"""The `spinepath` command.

Each subcommand lives in ``spinepath.commands.<name>`` and exposes
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Command modules import only argparse at module level; Django, the clinical
core and anything heavy are imported inside ``run`` so that
``spinepath --help`` answers in a few tens of milliseconds.

Exit codes: 0 success, 1 failure while working, 2 bad input (one line on
stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from spinepath.commands import UsageError

# Order is the order shown in --help.
COMMANDS: tuple[str, ...] = (
    "demo",
    "serve",
    "worker",
    "migrate",
    "createuser",
    "score",
    "mme",
    "assess",
    "synth",
    "registry",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; a one-line message is what the
        # stable CLI promises for bad input.
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spinepath",
        description=(
            "spinepath runs a minimally invasive spine surgery programme: intake, surgery, "
            "same-day discharge, home recovery, outcomes and registry."
        ),
        epilog="Run 'spinepath COMMAND --help' for the options of one command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"spinepath.commands.{name.replace('-', '_')}")
        command_parser = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args))
    except UsageError as exc:
        sys.stderr.write(f"spinepath {args.command}: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
