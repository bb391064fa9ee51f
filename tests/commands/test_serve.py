"""`spinepath serve` starts a real gunicorn that answers over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SPINEPATH = [sys.executable, "-m", "spinepath.cli"]


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
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "gunicorn" in output.lower() or "Booting worker" in output
