"""A gunicorn logger that keeps sign-in link tokens out of the access log.

A sign-in link is ``/accounts/link/<token>/``; whoever reads the token before it is
used or expires can sign in as its owner. gunicorn's access log writes the request
line, the path and the query string (and, with a custom format, any header or
environ value), so ``spinepath serve`` runs gunicorn with
``--logger-class spinepath.gunicorn_logging.RedactingLogger``: every value that
names a path under ``/accounts/link/<something>`` is logged with that part as
``/accounts/link/[redacted]/``, and the query string of such a request as
``[redacted]``. ``/accounts/link/`` (the request page) and ``/accounts/link/sign-in/``
(where the button posts, token in the body) carry no token and are logged as they are.

A reverse proxy in front keeps its own access log: it must not log paths or query
strings under /accounts/link/ either (docs/decisions.md, "Sign-in links").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from gunicorn.glogging import Logger

REDACTED_PATH = "/accounts/link/[redacted]/"
REDACTED = "[redacted]"

# /accounts/link/ followed by anything but "?", "#" or the end (the request page), and
# other than exactly "sign-in/": the rest up to the next whitespace, query included.
_TOKEN_PATH = re.compile(r"/accounts/link/(?!sign-in/?(?:[?#\s]|$))[^?#\s][^\s]*", re.IGNORECASE)


def is_token_path(path: str) -> bool:
    """Whether a request path (decoded, as PATH_INFO) may carry a sign-in token."""
    return bool(_TOKEN_PATH.search(path)) or bool(_TOKEN_PATH.search(unquote(path)))


def redact(value: str) -> str:
    """``value`` with any sign-in link path in it redacted.

    A value that shows a link path only once percent-decoded (``/accounts/%6Cink/…``)
    is replaced whole: rewriting the decoded text could put decoded control
    characters into the log.
    """
    if "%" not in value and "link" not in value.lower():
        return value
    redacted = _TOKEN_PATH.sub(REDACTED_PATH, value)
    if redacted == value and "%" in value and _TOKEN_PATH.search(unquote(value)):
        return REDACTED
    return redacted


class RedactingLogger(Logger):
    """gunicorn's Logger with sign-in link tokens redacted from every access-log atom."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        safe = {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
        if is_token_path(environ.get("PATH_INFO") or "") or is_token_path(
            environ.get("RAW_URI") or ""
        ):
            for key in ("q", "{query_string}e"):
                if safe.get(key):
                    safe[key] = REDACTED
        return safe
