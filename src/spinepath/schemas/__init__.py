"""JSON Schemas shipped with spinepath (package data), for documentation and clients.

The schemas describe formats; the parsers in spinepath.clinical are what
validate them (e.g. candidacy-case.schema.json ↔
spinepath.clinical.candidacy.case_from_json; a test keeps the two in step).
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

CANDIDACY_CASE = "candidacy-case.schema.json"


def load_schema(name: str = CANDIDACY_CASE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files(__name__).joinpath(name).read_text("utf-8"))
    return data
