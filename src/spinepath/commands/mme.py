import argparse

HELP = "morphine milligram equivalents per day for a list of opioid prescriptions (JSON)"
DESCRIPTION = """Compute MME/day per medication line and in total, with threshold flags.

LINES is a JSON list of medication lines, given literally, as @FILE, or as - to
read standard input. Each line has "drug" and either "dose_mg" (per dose) and
"doses_per_day", or, for transdermal fentanyl ("fentanyl-patch"), "mcg_per_hour".
An optional "label" is copied to the output.

Drugs: codeine, fentanyl-patch, hydrocodone, hydromorphone, methadone, morphine,
oxycodone, oxymorphone, tapentadol, tramadol; buprenorphine is reported as
"not calculated" and never added to the total (the total is then flagged
"incomplete_total").

Factor tables: cdc2022 (default) or cdc2016 (hydromorphone 4, methadone tiered by
total daily dose, tramadol and tapentadol not calculated).
Flags: mme_ge_50 and mme_ge_90 when the total reaches 50 or 90 MME/day
(change with --thresholds). The factors estimate exposure; they are not for
converting one opioid into another.

Examples:
  spinepath mme --json '[{"drug": "oxycodone", "dose_mg": 10, "doses_per_day": 4},
                         {"drug": "fentanyl-patch", "mcg_per_hour": 25}]'
  spinepath mme --json @discharge-meds.json --factors cdc2016
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", dest="lines", required=True, metavar="LINES", help="JSON list, @FILE or -"
    )
    parser.add_argument("--factors", default="cdc2022", help="cdc2022 (default) or cdc2016")
    parser.add_argument(
        "--thresholds", default="50,90", help="comma-separated MME/day flags (default 50,90)"
    )


def _load(lines: str) -> object:
    import json
    import sys

    from spinepath.commands import UsageError

    source = "LINES"
    try:
        if lines == "-":
            text, source = sys.stdin.read(), "standard input"
        elif lines.startswith("@"):
            source = lines[1:]
            with open(source, encoding="utf-8-sig") as handle:
                text = handle.read()
        else:
            text = lines
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}") from None


def _thresholds(text: str) -> list[float]:
    from spinepath.commands import UsageError

    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"--thresholds must be numbers separated by commas, got {text!r}"
        raise UsageError(message) from None


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from spinepath.clinical.opioids import mme_for_lines
    from spinepath.commands import UsageError

    lines = _load(args.lines)
    if not isinstance(lines, list):
        raise UsageError("LINES must be a JSON list of medication lines")
    try:
        result = mme_for_lines(lines, factors=args.factors, thresholds=_thresholds(args.thresholds))
    except ValueError as exc:  # unknown drug or table, bad dose fields, bad thresholds
        raise UsageError(str(exc)) from None
    sys.stdout.write(json.dumps(result.to_json()) + "\n")
    return 0
