"""Start Django for a command that needs the database (imported lazily)."""

from __future__ import annotations

import os


def setup(channel: str = "cli") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinepath.config.settings")
    import django

    django.setup()
    from spinepath.audit.context import RequestOrigin, set_origin

    set_origin(RequestOrigin(channel=channel))
