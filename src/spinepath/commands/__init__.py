"""Subcommands of the `spinepath` command; see spinepath.cli for the contract."""


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""
