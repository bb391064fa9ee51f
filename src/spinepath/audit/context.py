"""Where the current request comes from, for the access log.

Guards take (user, id, purpose) as DESIGN.md fixes; "from where" is carried
beside them in a context variable that the middleware sets per request and
the CLI and worker set once for their process.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    channel: str  # "web", "api", "cli", "worker"
    ip_address: str | None = None
    request_id: str = ""


_current: contextvars.ContextVar[RequestOrigin] = contextvars.ContextVar(
    "spinepath_request_origin",
    default=RequestOrigin(channel="internal"),  # noqa: B039 - a frozen dataclass
)


def current_origin() -> RequestOrigin:
    return _current.get()


def set_origin(origin: RequestOrigin) -> contextvars.Token[RequestOrigin]:
    return _current.set(origin)


def reset_origin(token: contextvars.Token[RequestOrigin]) -> None:
    _current.reset(token)
