import argparse

HELP = "create or update the database tables"
DESCRIPTION = """Apply every pending database migration (SQLite by default, or the database
named by DATABASE_URL). Safe to run repeatedly."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="exit 1 if migrations are pending")


def run(args: argparse.Namespace) -> int:
    from spinepath.commands._django import setup

    setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if args.check:
        try:
            call_command("migrate", check=True, plan=True, verbosity=0)
        except SystemExit as exc:
            return int(exc.code or 1)
        return 0
    call_command("migrate", interactive=False, verbosity=1)
    return 0
