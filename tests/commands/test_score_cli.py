"""`spinepath score`: one JSON object per response, CSV in and out, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spinepath.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"


def score(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["score", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1
    data: dict[str, object] = json.loads(out)
    return data


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["score", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_odi_with_one_missing_section(capsys: pytest.CaptureFixture[str]) -> None:
    data = score(capsys, "odi", "3", "2", "1", "2", "1", "2", "1", "-", "2", "2")
    assert data["instrument"] == "odi" and data["score"] == 35.56 and data["band"] == "moderate"


def test_not_scorable_prints_null_and_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    data = score(capsys, "odi", "3", "2", "1", "2", "1", "2", "1", "-", "-", "2")
    assert data["score"] is None and data["scorable"] is False and data["reason"]
    data = score(capsys, "odi", "3", "2", "1", "2", "1", "2", "1", "-", "-", "2",
                 "--max-missing", "2")  # fmt: skip
    assert data["score"] == 35.0


def test_ndi_reports_raw_and_band(capsys: pytest.CaptureFixture[str]) -> None:
    data = score(capsys, "ndi", *["2"] * 10)
    assert (data["score"], data["raw"], data["band"]) == (40.0, 20.0, "moderate")


def test_promis_10(capsys: pytest.CaptureFixture[str]) -> None:
    data = score(capsys, "promis-10", "3", "4", "3", "3", "5", "4", "5", "2", "3", "4")
    assert (data["gph_raw"], data["gph_t"], data["gmh_raw"], data["gmh_t"]) == (12, 39.8, 16, 53.3)
    assert data["score"] == 39.8


@pytest.mark.parametrize(
    ("argv", "index"),
    [(["eq5d-5l", "5", "5", "5", "5", "5", "--value-set", "us"], -0.573),
     (["eq5d-5l", "5", "5", "5", "5", "5", "--value-set", "england"], -0.285),
     (["eq5d-5l", "5", "5", "5", "5", "5", "--value-set", "uk"], -0.567),
     (["eq5d-5l", "1", "1", "1", "1", "2", "--value-set", "uk-crosswalk"], 0.879),
     (["eq5d-5l", "1", "1", "1", "1", "2", "--value-set", "us-crosswalk"], 0.876),
     (["eq5d-3l", "3", "3", "3", "3", "3", "--value-set", "uk"], -0.594)],
)  # fmt: skip
def test_eq5d_value_sets(capsys: pytest.CaptureFixture[str], argv: list[str], index: float) -> None:
    data = score(capsys, *argv)
    assert data["index"] == index == data["score"]
    assert data["value_set"] == argv[-1]


def test_startback(capsys: pytest.CaptureFixture[str]) -> None:
    data = score(capsys, "startback", "0", "0", "0", "0", "1", "1", "1", "1", "0")
    assert (data["total"], data["subscale"], data["risk"]) == (4, 4, "high")


@pytest.mark.parametrize(
    ("name", "answers", "total", "ready"),
    [("mpadss", "2 2 2 2 1", 9, True), ("mpadss", "2 2 2 1 1", 8, False),
     ("padss", "2 2 2 2 1", 9, True), ("aldrete", "2 1 1 2 2", 8, False)],
)  # fmt: skip
def test_discharge_scores(
    capsys: pytest.CaptureFixture[str], name: str, answers: str, total: int, ready: bool
) -> None:
    data = score(capsys, name, *answers.split())
    assert (data["score"], data["total"], data["ready"]) == (total, total, ready)


def test_nrs(capsys: pytest.CaptureFixture[str]) -> None:
    assert score(capsys, "nrs", "7")["score"] == 7
    assert score(capsys, "nrs-leg", "-")["score"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["odi", "1", "2"], "expected 10 answers"),
     (["odi", *["6"] * 10], "odi.1"),
     (["odi", "x", *["1"] * 9], "'x'"),
     (["sf-36", "1"], "unknown instrument 'sf-36'"),
     (["eq5d-5l", "1", "1", "1", "1", "1", "--value-set", "mars"], "unknown value set 'mars'"),
     (["eq5d-3l", "1", "1", "1", "1", "1", "--value-set", "england"], "unknown value set"),
     (["odi", *["1"] * 10, "--value-set", "us"], "--value-set applies only"),
     (["mpadss", "2", "2", "2", "2", "-"], "missing surgical_bleeding"),
     (["aldrete", "2", "2", "2", "2", "3"], "oxygen_saturation"),
     (["odi"], "no answers"),
     (["odi", *["1"] * 10, "--max-missing", "12"], "max_missing")],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = fails(capsys, *argv)
    assert err.startswith("spinepath score: ") and message in err


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_with_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = "id," + ",".join(f"odi.{n}" for n in range(1, 11))
    path = write(tmp_path, f"{header}\np1,3,2,1,2,1,2,1,,2,2\np2,3,2,1,2,1,2,1,-,-,2\n")
    assert main(["score", "odi", "--csv", path]) == 0
    out, _ = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["p1", "p2"]
    assert rows[0]["score"] == "35.56" and rows[0]["band"] == "moderate"
    assert rows[0]["missing"] == "odi.8"
    assert rows[1]["score"] == "" and rows[1]["scorable"] == "false" and rows[1]["reason"]


def test_csv_without_ids_for_eq5d(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "MO,SC,UA,PD,AD\n1,1,1,1,2\n5,5,5,5,5\n")
    assert main(["score", "eq5d-5l", "--csv", path, "--value-set", "uk-crosswalk"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["index"] for r in rows] == ["0.879", "-0.594"]
    assert "id" not in rows[0]


def test_csv_for_a_discharge_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = "vital_signs,ambulation,nausea_vomiting,pain,surgical_bleeding"
    path = write(tmp_path, f"{header}\n2,2,2,2,1\n2,2,2,1,1\n")
    assert main(["score", "mpadss", "--csv", path]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["total"], r["ready"]) for r in rows] == [("9", "true"), ("8", "false")]


@pytest.mark.parametrize(
    ("text", "message"),
    [("odi.1,odi.2\n1,2\n", "header must be"),
     (",".join(f"odi.{n}" for n in (2, 1, *range(3, 11))) + "\n" + "1," * 9 + "1\n",
      "header must be"),
     (",".join(f"odi.{n}" for n in range(1, 11)) + "\n" + "1," * 9 + "1\n" + "1,1\n", "line 3"),
     (",".join(f"odi.{n}" for n in range(1, 11)) + "\n" + "1," * 9 + "9\n", "line 2"),
     ("", "no header")],
)  # fmt: skip
def test_bad_csv_writes_nothing_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    err = fails(capsys, "odi", "--csv", write(tmp_path, text))
    assert message in err


def test_csv_and_answers_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "not both" in fails(capsys, "nrs", "5", "--csv", write(tmp_path, "nrs\n5\n"))
    assert "cannot read" in fails(capsys, "nrs", "--csv", str(tmp_path / "absent.csv"))


def test_large_csv_scores_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = "id," + ",".join(f"startback.{n}" for n in range(1, 10))
    body = "".join(f"r{i},1,1,1,1,0,0,0,0,{i % 5}\n" for i in range(1500))
    assert main(["score", "startback", "--csv", write(tmp_path, header + "\n" + body)]) == 0
    out, _ = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1500
    assert {r["risk"] for r in rows} == {"medium"}
    assert rows[3]["total"] == "5" and rows[2]["total"] == "4"


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    installed = Path(sys.executable).with_name("spinepath")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "spinepath.cli"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [*command, *argv], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_subprocess_prints_json_and_fails_in_one_line() -> None:
    ok = run_cli("score", "eq5d-5l", "5", "5", "5", "5", "5", "--value-set", "us")
    assert ok.returncode == 0 and json.loads(ok.stdout)["index"] == -0.573
    bad = run_cli("score", "odi", "1", "2", "3")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "expected 10 answers" in bad.stderr
