"""`spinepath mme`: per-line and total MME/day as JSON; one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spinepath.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"
EXAMPLE = json.dumps(
    [
        {"drug": "oxycodone", "dose_mg": 10, "doses_per_day": 4},
        {"drug": "fentanyl-patch", "mcg_per_hour": 25},
    ]
)


def mme(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["mme", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data: dict[str, object] = json.loads(out)
    return data


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["mme", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_example_from_the_issue(capsys: pytest.CaptureFixture[str]) -> None:
    data = mme(capsys, "--json", EXAMPLE)
    lines = data["lines"]
    assert isinstance(lines, list)
    assert [line["mme_per_day"] for line in lines] == [60.0, 60.0]
    assert data["total_mme_per_day"] == 120.0
    assert data["flags"] == ["mme_ge_50", "mme_ge_90"]
    assert data["factors"] == "cdc2022" and data["complete"] is True


def test_cdc_worked_examples(capsys: pytest.CaptureFixture[str]) -> None:
    data = mme(capsys, "--json", '[{"drug": "hydrocodone", "dose_mg": 5, "doses_per_day": 4}]')
    assert data["total_mme_per_day"] == 20 and data["flags"] == []
    data = mme(capsys, "--json", '[{"drug": "oxycodone", "dose_mg": 10, "doses_per_day": 2}]')
    assert data["total_mme_per_day"] == 30


def test_buprenorphine_and_2016_table(capsys: pytest.CaptureFixture[str]) -> None:
    lines = json.dumps(
        [
            {"drug": "buprenorphine", "dose_mg": 8, "doses_per_day": 2},
            {"drug": "tramadol", "dose_mg": 50, "doses_per_day": 4},
            {"drug": "hydromorphone", "dose_mg": 2, "doses_per_day": 6},
        ]
    )
    data = mme(capsys, "--json", lines, "--factors", "cdc2016")
    statuses = [line["status"] for line in data["lines"]]  # type: ignore[attr-defined]
    assert statuses == ["not calculated", "not calculated", "calculated"]
    assert data["total_mme_per_day"] == 48 and data["flags"] == ["incomplete_total"]
    data = mme(capsys, "--json", lines)
    assert data["total_mme_per_day"] == 40 + 60 and "mme_ge_90" in data["flags"]  # type: ignore[operator]


def test_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lines.json"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert mme(capsys, "--json", f"@{path}")["total_mme_per_day"] == 120
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(EXAMPLE))
    assert mme(capsys, "--json", "-")["total_mme_per_day"] == 120


def test_thresholds_option(capsys: pytest.CaptureFixture[str]) -> None:
    data = mme(capsys, "--json", EXAMPLE, "--thresholds", "100,200")
    assert data["flags"] == ["mme_ge_100"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--json", '[{"drug": "heroin", "dose_mg": 1, "doses_per_day": 1}]'], "unknown drug"),
     (["--json", '[{"drug": "fentanyl", "dose_mg": 1, "doses_per_day": 1}]'], "fentanyl-patch"),
     (["--json", EXAMPLE, "--factors", "cdc2019"], "unknown MME factor table"),
     (["--json", "not json"], "not valid JSON"),
     (["--json", '{"drug": "morphine"}'], "JSON list"),
     (["--json", '[{"drug": "morphine", "dose_mg": 10}]'], "doses_per_day"),
     (["--json", '[{"drug": "fentanyl-patch", "dose_mg": 25, "doses_per_day": 1}]'],
      "mcg_per_hour"),
     (["--json", "@/nonexistent/lines.json"], "cannot read"),
     (["--json", EXAMPLE, "--thresholds", "fifty"], "--thresholds")],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = fails(capsys, *argv)
    assert err.startswith("spinepath mme: ") and message in err


def test_subprocess() -> None:
    installed = Path(sys.executable).with_name("spinepath")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "spinepath.cli"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    ok = subprocess.run(
        [*command, "mme", "--json", EXAMPLE], capture_output=True, text=True, env=env, check=False
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["total_mme_per_day"] == 120
    bad = subprocess.run(
        [*command, "mme", "--json", "[]", "--factors", "x"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
