"""gunicorn's access log never shows a sign-in link token (spinepath.gunicorn_logging).

The logger is called as gunicorn's workers call it: ``access(resp, req, environ,
request_time)`` with gunicorn's response (status, sent, headers) and request (headers)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from spinepath.gunicorn_logging import REDACTED_PATH, RedactingLogger, redact

TOKEN = "Yk3q9Zx_f0-AbCdEfGhIjKlMnOpQrStU:1u2v3w:AbC-dEf_GhIjKlMnOpQrStUvWxYz0123456789abcd"
SECRET = TOKEN.partition(":")[0]  # the random value the signature covers


def fake_request(method: str, raw_uri: str, referer: str = "-"):
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_USER_AGENT": "Mozilla/5.0",
        "HTTP_REFERER": referer,
    }
    req = SimpleNamespace(headers=[("USER-AGENT", "Mozilla/5.0"), ("REFERER", referer)])
    resp = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
    return resp, req, environ, timedelta(seconds=0, microseconds=1500)


@pytest.fixture
def access_log(tmp_path: Path):
    """A RedactingLogger writing its access log to a file, as --access-logfile does."""
    path = tmp_path / "access.log"

    def make(access_log_format: str | None = None) -> RedactingLogger:
        cfg = Config()
        cfg.set("accesslog", str(path))
        if access_log_format is not None:
            cfg.set("access_log_format", access_log_format)
        return RedactingLogger(cfg)

    yield make, path
    for log in (logging.getLogger("gunicorn.access"), logging.getLogger("gunicorn.error")):
        for handler in list(log.handlers):
            if getattr(handler, "_gunicorn", False):
                log.removeHandler(handler)
                handler.close()


def test_the_default_format_logs_a_link_path_redacted(access_log):
    make, path = access_log
    logger = make()
    logger.access(*fake_request("GET", f"/accounts/link/{TOKEN}/"))
    logger.access(*fake_request("POST", f"/accounts/link/{TOKEN}/?utm_source=mail"))
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert '"GET /accounts/link/[redacted]/ HTTP/1.1" 200 1234' in lines[0]
    assert '"POST /accounts/link/[redacted]/ HTTP/1.1" 200' in lines[1]
    assert "192.0.2.7" in lines[0]  # the rest of the line is kept
    for line in lines:
        assert TOKEN not in line and SECRET not in line
        assert "utm_source" not in line


def test_every_atom_is_redacted(access_log):
    make, path = access_log
    logger = make(
        "%(r)s|%(U)s|%(q)s|%(f)s|%({raw_uri}e)s|%({path_info}e)s|%({query_string}e)s|%({referer}i)s"
    )
    logger.access(
        *fake_request(
            "GET",
            f"/accounts/link/{TOKEN}/?next=/me/",
            referer=f"https://spinepath.example/accounts/link/{TOKEN}/",
        )
    )
    [line] = path.read_text().splitlines()
    assert SECRET not in line
    request_line, path_info, query, referer, raw_uri, environ_path, environ_query, header = (
        line.split("|")
    )
    assert request_line == "GET /accounts/link/[redacted]/ HTTP/1.1"
    assert path_info == environ_path == raw_uri == REDACTED_PATH
    assert query == environ_query == "[redacted]"
    assert referer == header == "https://spinepath.example/accounts/link/[redacted]/"


def test_atoms_called_directly_are_redacted():
    logger = RedactingLogger(Config())
    atoms = logger.atoms(*fake_request("GET", f"/accounts/link/{TOKEN}/?a=1"))
    assert atoms["r"] == "GET /accounts/link/[redacted]/ HTTP/1.1"
    assert atoms["U"] == REDACTED_PATH and atoms["q"] == "[redacted]"
    assert not any(SECRET in str(value) for value in atoms.values())


@pytest.mark.parametrize(
    "uri",
    [
        "/accounts/link/",
        "/accounts/link/?next=/me/plan/",
        "/accounts/link/sign-in/",
        "/me/checkin/?day=3",
        "/static/spinepath/site.css",
    ],
)
def test_paths_without_a_token_are_logged_as_they_are(access_log, uri):
    make, path = access_log
    make().access(*fake_request("POST", uri))
    assert f'"POST {uri} HTTP/1.1" 200' in path.read_text()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"/accounts/link/{TOKEN}/", REDACTED_PATH),
        (f"/accounts/link/{TOKEN}", REDACTED_PATH),  # no trailing slash
        (f"/accounts/link/{TOKEN}/more/?x=1", REDACTED_PATH),
        (f"/accounts/link/{TOKEN}/#frag", REDACTED_PATH),
        (f"/ACCOUNTS/LINK/{TOKEN}/", REDACTED_PATH),
        (f"http://host/accounts/link/{TOKEN}/", f"http://host{REDACTED_PATH}"),
        # Only once percent-decoded: the whole value goes.
        (f"/accounts/%6Cink/{TOKEN}/", "[redacted]"),
        (f"next=%2Faccounts%2Flink%2F{TOKEN}%2F", "[redacted]"),
        ("/accounts/link/", "/accounts/link/"),
        ("/accounts/link/sign-in/", "/accounts/link/sign-in/"),
        ("/accounts/link/sign-in/?x=1", "/accounts/link/sign-in/?x=1"),
        ("/accounts/link/sign-in/oops", REDACTED_PATH),
        ("/linked/things/%20", "/linked/things/%20"),
    ],
)
def test_redact(value, expected):
    assert redact(value) == expected
