"""`spinepath assess --json FILE`: one case or a batch in, recommendations out; one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spinepath import cli
from spinepath.cli import main

ROOT = Path(__file__).resolve().parents[2]
VIGNETTES = ROOT / "tests" / "clinical" / "vignettes"
CASE: dict[str, Any] = {
    "condition": "lumbar_disc_herniation",
    "red_flags": [],
    "dominant_symptom": "leg_pain",
    "level": "L4-L5",
    "conservative_care": [{"kind": "physiotherapy", "weeks": 8, "response": "none"}],
    "neurological_deficit": "none",
    "imaging": [
        {
            "level": "L4-L5",
            "herniation": "extrusion",
            "herniation_zone": "foraminal",
            "migration": "none",
            "instability": False,
        }
    ],
    "imaging_concordant": True,
    "asa_class": 2,
    "bmi": 26.0,
}


@pytest.fixture(autouse=True)
def assess_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # The lead registers "assess" in cli.COMMANDS; until then the tests add it.
    if "assess" not in cli.COMMANDS:
        monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, "assess"))


def write(tmp_path: Path, data: object, name: str = "cases.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def assess(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(["assess", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.count("\n") == 1
    return json.loads(out)


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["assess", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("spinepath assess: ")
    return err.removeprefix("spinepath assess: ").strip()


def test_one_case_prints_one_recommendation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = assess(capsys, "--json", write(tmp_path, CASE))
    assert data["status"] == "recommendation" and data["pathway"] == "miss-candidate"
    assert data["options"][0]["procedure"] == "endoscopic_transforaminal_discectomy"
    assert data["options"][0]["rules"] == ["OPT-DISCECTOMY", "RK-TF-FORAMINAL"]
    assert all(f["source"] for f in data["rules_fired"])
    assert data["day_surgery_eligible"] is True and data["ruleset_version"]


def test_a_batch_prints_a_list_in_the_same_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    urgent = {**CASE, "red_flags": ["cauda_equina.saddle_anaesthesia"]}
    short = {"condition": "lumbar_spinal_stenosis", "red_flags": []}
    data = assess(capsys, "--json", write(tmp_path, [CASE, urgent, short]))
    assert [d["status"] for d in data] == [
        "recommendation",
        "recommendation",
        "needs-more-information",
    ]
    assert [d["pathway"] for d in data] == ["miss-candidate", "urgent", None]
    assert data[1]["urgency"] == "emergency"
    assert "conservative_care" in data[2]["missing"]


def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps([CASE, CASE])))
    data = assess(capsys, "--json", "-")
    assert len(data) == 2 and data[0] == data[1]


def test_the_vignette_suite_as_a_batch_matches_the_engine(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from spinepath.clinical.candidacy import case_from_json, evaluate

    vignettes = [v for f in sorted(VIGNETTES.glob("*.json")) for v in json.loads(f.read_text())]
    plain = [v for v in vignettes if "settings" not in v]
    data = assess(capsys, "--json", write(tmp_path, [v["case"] for v in plain]))
    assert data == [evaluate(case_from_json(v["case"])).to_json() for v in plain]
    assert [d["pathway"] for d in data] == [v["expect"]["pathway"] for v in plain]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            [CASE, {**CASE, "imaging": [{"level": "L4/5"}]}],
            "[1].imaging[0].level: must be one of L1-L2, L2-L3, L3-L4, L4-L5, L5-S1",
        ),
        (
            {**CASE, "imaging": [{"level": "L4/5"}]},
            "imaging[0].level: must be one of L1-L2, L2-L3, L3-L4, L4-L5, L5-S1",
        ),
        (
            {**CASE, "imaging_concordent": True},
            "imaging_concordent: unknown field (did you mean 'imaging_concordant'?)",
        ),
        ({k: v for k, v in CASE.items() if k != "red_flags"}, "red_flags: required"),
        ([CASE, "L4-L5"], "[1]: must be a JSON object"),
        ([CASE, {**CASE, "bmi": "27"}], "[1].bmi: must be a number from 10 to 100"),
    ],
)
def test_bad_cases_name_the_field_and_print_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: object, message: str
) -> None:
    assert fails(capsys, "--json", write(tmp_path, data)).startswith(message)


def test_bad_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "is not valid JSON" in fails(capsys, "--json", write(tmp_path, "{'condition': 1}"))
    assert fails(capsys, "--json", str(tmp_path / "nope.json")).startswith("cannot read")
    assert "must hold a JSON object" in fails(capsys, "--json", write(tmp_path, "42"))
    assert "the list of cases is empty" in fails(capsys, "--json", write(tmp_path, []))
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"condition": "\xe9"}')
    assert "is not UTF-8 text" in fails(capsys, "--json", str(latin))


def test_json_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["assess"])
    assert exited.value.code == 2
    assert "--json" in capsys.readouterr().err


def test_help_describes_the_format_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["assess", "--help"])
    out = capsys.readouterr().out
    assert "spinepath assess --json cases.json" in out and "red_flags" in out


def test_the_command_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, spinepath.commands.assess as m; "
        "assert m.HELP and m.DESCRIPTION and m.add_arguments and m.run; "
        "assert not any(n.startswith(('spinepath.clinical', 'django')) for n in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
