"""`spinepath serve` starts a real gunicorn that answers over HTTP."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SPINEPATH = [sys.executable, "-m", "spinepath.cli"]
TOKEN = "secret-value:1u2v3w:AbC-dEf_GhIjKlMnOpQrStUvWxYz0123456789abcd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_gunicorn_on_the_given_port(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SPINEPATH_DATA_DIR": str(tmp_path),
        "SPINEPATH_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "spinepath.config.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([*SPINEPATH, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*SPINEPATH, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert b'"status": "ok"' in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/spinepath/site.css", timeout=2
        ) as r:
            assert r.status == 200
        # A sign-in link (not a valid one: refused with 400) reaches the access log redacted.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/link/{TOKEN}/", timeout=5)
        assert refused.value.code == 400
        refused.value.close()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "gunicorn" in output.lower() or "Booting worker" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log is written
    assert '"GET /accounts/link/[redacted]/ HTTP/1.1" 400' in output
    assert TOKEN not in output and "secret-value" not in output


def test_serve_runs_gunicorn_with_the_redacting_logger(monkeypatch) -> None:
    import django.core.management

    from spinepath.commands import _django, serve

    monkeypatch.setattr(_django, "setup", lambda channel="cli": None)  # Django is set up
    commands: list[tuple] = []
    exec_calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(django.core.management, "call_command", lambda *a, **k: commands.append(a))
    monkeypatch.setattr(os, "execv", lambda path, argv: exec_calls.append((path, argv)))
    args = argparse.Namespace(port=8123, host="127.0.0.1", dev=False, workers=2)
    assert serve.run(args) == 0
    [(path, argv)] = exec_calls
    assert path == sys.executable and argv[1:4] == [
        "-m",
        "gunicorn",
        "spinepath.config.wsgi:application",
    ]
    assert argv[argv.index("--logger-class") + 1] == "spinepath.gunicorn_logging.RedactingLogger"
    assert argv[argv.index("--access-logfile") + 1] == "-"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
