import argparse
from collections.abc import Callable
from typing import TypeVar

HELP = "score a questionnaire or discharge score and print the result as JSON"
DESCRIPTION = """Score one response given on the command line, or a CSV file of responses.

Answers are whole numbers in the published item order; '-' marks a missing answer.
One JSON object is printed: {"instrument", "version", "score" (null when not
scorable, with "reason"), ...} plus the instrument's own keys.

Instruments and answers:
  odi, ndi      10 sections, 0-5 each                     -> band, raw_sum (ndi: raw /50)
  nrs, nrs-back, nrs-leg   one answer 0-10
  promis-10     Global01..Global10 by item number: Global07 0-10, Global08r and
                Global10r as stored in v1.2 (5 = none), the others 1-5
                                                          -> gph_raw, gph_t, gmh_raw, gmh_t
  eq5d-5l       five levels 1-5: MO SC UA PD AD           -> index, profile
                --value-set us (default) | england | uk | us-crosswalk | uk-crosswalk
  eq5d-3l       five levels 1-3                           --value-set us (default) | uk
  startback     items 1-8 as 0/1 (disagree/agree), item 9 as 0-4 (not at all ... extremely)
                                                          -> total, subscale, risk
  aldrete       activity, respiration, circulation, consciousness, oxygen saturation (0-2)
  padss         vital signs, activity and mental status, pain/nausea/vomiting,
                surgical bleeding, intake and output (0-2)
  mpadss        vital signs, ambulation, nausea and vomiting, pain, surgical bleeding (0-2)
                                                          -> total, ready (>= 9)

CSV (--csv FILE, or - for standard input): a header row, then one response per row.
The header names the item ids in published order (as in the JSON definitions, e.g.
odi.1 ... odi.10, Global01 ... Global10r, MO SC UA PD AD, startback.1 ...
startback.9, vital_signs ...), optionally preceded by an 'id' column that is copied
to the output. An empty cell or '-' is a missing answer. Scores are written as CSV
to standard output (lists joined with ';'); nothing is written if any row is
invalid. A progress bar is shown on standard error for large files.

Examples:
  spinepath score odi 3 2 1 2 1 2 1 - 2 2
  spinepath score eq5d-5l 1 1 1 1 2 --value-set uk-crosswalk
  spinepath score mpadss 2 2 2 1 2
  spinepath score promis-10 --csv responses.csv > scores.csv
"""

_T = TypeVar("_T")
DISCHARGE_SCORES = ("aldrete", "padss", "mpadss")
PROGRESS_MIN_ROWS = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instrument", metavar="INSTRUMENT", help="odi, ndi, promis-10, ...")
    parser.add_argument(
        "answers", nargs="*", metavar="ANSWER", help="answers in item order ('-' = missing)"
    )
    parser.add_argument("--value-set", dest="value_set", help="EQ-5D value set")
    parser.add_argument(
        "--max-missing",
        dest="max_missing",
        type=int,
        help="odi/ndi: sections that may be missing (default 1)",
    )
    parser.add_argument("--csv", metavar="FILE", help="score every row of a CSV file")


class _Scorer:
    """One instrument, validated options, and the item ids it expects."""

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        from spinepath.clinical import discharge
        from spinepath.clinical.instruments import get_instrument
        from spinepath.clinical.instruments.nrs import NRS_ANY
        from spinepath.commands import UsageError

        self.name = name
        self.options: dict[str, object] = {}
        if name in DISCHARGE_SCORES:
            items = {
                "aldrete": discharge.ALDRETE_ITEMS,
                "padss": discharge.PADSS_ITEMS,
                "mpadss": discharge.MPADSS_ITEMS,
            }[name]
            self.item_ids = [item.id for item in items]
            self.instrument = None
        else:
            self.instrument = NRS_ANY if name == "nrs" else get_instrument(name)
            self.item_ids = [item.id for item in self.instrument.items]
        for option, value, applies in (
            ("value_set", args.value_set, ("eq5d-5l", "eq5d-3l")),
            ("max_missing", args.max_missing, ("odi", "ndi")),
        ):
            if value is None:
                continue
            if name not in applies:
                flag = "--" + option.replace("_", "-")
                raise UsageError(f"{flag} applies only to {' and '.join(applies)}")
            self.options[option] = value

    def score(self, answers: list[int | None]) -> dict[str, object]:
        from spinepath.clinical import discharge
        from spinepath.commands import UsageError

        if self.instrument is not None:
            return self.instrument.score(answers, **self.options).to_json()
        if len(answers) != len(self.item_ids):
            raise UsageError(
                f"{self.name}: expected {len(self.item_ids)} answers "
                f"({', '.join(self.item_ids)}), got {len(answers)}"
            )
        missing = [i for i, a in zip(self.item_ids, answers, strict=True) if a is None]
        if missing:
            raise UsageError(f"{self.name}: every criterion must be scored; missing {missing[0]}")
        scorer = {
            "aldrete": discharge.score_aldrete,
            "padss": discharge.score_padss,
            "mpadss": discharge.score_mpadss,
        }[self.name]
        return scorer([a for a in answers if a is not None]).to_json()


def _parse_answer(token: str, where: str) -> int | None:
    from spinepath.commands import UsageError

    token = token.strip()
    if token in ("", "-"):
        return None
    try:
        return int(token)
    except ValueError:
        raise UsageError(f"{where}: {token!r} is not a whole number or '-'") from None


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from spinepath.commands import UsageError

    scorer = _make_scorer(args)
    if args.csv is not None:
        if args.answers:
            raise UsageError("give answers or --csv FILE, not both")
        return _run_csv(scorer, args.csv)
    if not args.answers:
        raise UsageError(f"no answers given ({scorer.name} expects {len(scorer.item_ids)})")
    answers = [
        _parse_answer(token, f"answer {position}")
        for position, token in enumerate(args.answers, start=1)
    ]
    result = _guarded(lambda: scorer.score(answers))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def _make_scorer(args: argparse.Namespace) -> _Scorer:
    return _guarded(lambda: _Scorer(args.instrument.strip().lower(), args))


def _guarded(action: Callable[[], _T]) -> _T:
    """Turn the clinical core's input errors into one-line usage errors."""
    from spinepath.clinical.discharge import InvalidCriteriaScoreError
    from spinepath.clinical.instruments import (
        InvalidAnswerError,
        InvalidOptionError,
        UnknownInstrumentError,
    )
    from spinepath.commands import UsageError

    try:
        return action()
    except UnknownInstrumentError as exc:
        names = "odi, ndi, nrs, nrs-back, nrs-leg, promis-10, eq5d-5l, eq5d-3l, startback, "
        message = str(exc).split(" (known")[0]
        raise UsageError(f"{message} (known: {names}{', '.join(DISCHARGE_SCORES)})") from None
    except (InvalidAnswerError, InvalidOptionError, InvalidCriteriaScoreError) as exc:
        raise UsageError(str(exc)) from None


def _read_rows(path: str) -> list[list[str]]:
    import csv
    import sys

    from spinepath.commands import UsageError

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    return list(csv.reader(text.splitlines()))


def _cell(value: object) -> str:
    import json

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return json.dumps(value, separators=(",", ":"))


def _run_csv(scorer: _Scorer, path: str) -> int:
    import csv
    import sys
    from functools import partial

    from tqdm import tqdm

    from spinepath.commands import UsageError

    rows = _read_rows(path)
    numbered = [
        (line, row) for line, row in enumerate(rows, start=1) if any(c.strip() for c in row)
    ]
    if not numbered:
        raise UsageError(f"{path}: no header row")
    _, header = numbered[0]
    names = [cell.strip().lower() for cell in header]
    has_id = bool(names) and names[0] == "id"
    expected = [item_id.lower() for item_id in scorer.item_ids]
    if (names[1:] if has_id else names) != expected:
        raise UsageError(
            f"{path}: the header must be [id,] {','.join(scorer.item_ids)} (got {','.join(header)})"
        )

    results: list[tuple[str | None, dict[str, object]]] = []
    body = numbered[1:]
    progress = tqdm(
        body,
        total=len(body),
        file=sys.stderr,
        unit="row",
        desc=f"scoring {scorer.name}",
        disable=True if len(body) < PROGRESS_MIN_ROWS else None,
    )
    for line, row in progress:
        if len(row) != len(header):
            raise UsageError(f"{path} line {line}: expected {len(header)} columns, got {len(row)}")
        cells = row[1:] if has_id else row
        answers = [_parse_answer(cell, f"{path} line {line}") for cell in cells]
        try:
            result = _guarded(partial(scorer.score, answers))
        except UsageError as exc:
            raise UsageError(f"{path} line {line}: {exc}") from None
        results.append((row[0] if has_id else None, result))

    columns: list[str] = []
    for _, result in results:
        columns.extend(key for key in result if key not in columns)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow((["id"] if has_id else []) + columns)
    for row_id, result in results:
        cells = [_cell(result.get(key)) for key in columns]
        writer.writerow(([row_id or ""] if has_id else []) + cells)
    return 0
