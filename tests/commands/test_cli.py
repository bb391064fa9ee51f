"""The `spinepath` command: help everywhere, users from stdin, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spinepath.accounts.models import User
from spinepath.cli import COMMANDS, main

SPINEPATH = Path(sys.executable).with_name("spinepath")


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [str(SPINEPATH)] if SPINEPATH.exists() else [sys.executable, "-m", "spinepath.cli"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: spinepath " + name)


def test_help_does_not_import_django() -> None:
    code = "import sys; from spinepath.cli import build_parser; build_parser(); print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_unknown_command_is_a_one_line_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.django_db
def test_createuser_reads_the_password_from_stdin_and_never_from_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, site
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-passphrase\n"))
    assert (
        main(
            [
                "createuser",
                "--email",
                "New.Nurse@Example.org",
                "--role",
                "nurse",
                "--site",
                site.code,
            ]
        )
        == 0
    )
    user = User.objects.get(email="new.nurse@example.org")
    assert user.role == "nurse" and user.site == site
    assert user.check_password("a-long-enough-passphrase")
    assert "created nurse" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "a@example.org", "--role", "wizard"], "pw-long-enough\n", "unknown role"),
        (["--email", "a@example.org", "--role", "nurse"], "pw-long-enough\n", "needs --site"),
        (
            ["--email", "a@example.org", "--role", "nurse", "--site", "nowhere"],
            "pw-long-enough\n",
            "no site",
        ),
        (["--email", "a@example.org", "--role", "patient"], "", "no password"),
        (["--email", "a@example.org", "--role", "patient"], "short\n", "too short"),
        (["--email", "not-an-email", "--role", "patient"], "pw-long-enough-1\n", "valid email"),
    ],
)
def test_createuser_bad_input_exits_2_with_one_line(
    args: list[str],
    stdin: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert main(["createuser", *args]) == 2
    err = capsys.readouterr().err
    assert message in err.lower()
    assert len(err.strip().splitlines()) == 1
    assert not User.objects.filter(email="a@example.org").exists()


def test_password_is_not_an_option() -> None:
    result = run("createuser", "--email", "a@example.org", "--role", "patient", "--password", "x")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "0"],
        ["worker", "--tick", "0"],
        ["demo", "--patients", "0", "--no-serve"],
    ],
)
def test_out_of_range_options_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.strip()


@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_every_tick_task(nurse) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from spinepath.intake.models import RateLimitHit
    from spinepath.recovery.models import Notification

    old = RateLimitHit.objects.create(key="consultation:x")
    RateLimitHit.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=2))
    recent = RateLimitHit.objects.create(key="consultation:y")
    Notification.objects.create(
        recipient=nurse, subject="s", body="b", kind="alert", dedupe_key="k", channel="pigeon"
    )
    assert main(["worker", "--once"]) == 0
    assert list(RateLimitHit.objects.values_list("pk", flat=True)) == [recent.pk]
    note = Notification.objects.get()
    assert note.attempts == 1 and "no backend" in note.last_error
