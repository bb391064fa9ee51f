import argparse

HELP = "candidacy recommendation for one case or a batch of cases (JSON in, JSON out)"
DESCRIPTION = """Evaluate the candidacy rules on JSON cases and print the recommendations as JSON.

FILE holds one case (a JSON object) or a batch (a JSON list of cases); '-' reads
standard input. One case prints one recommendation object; a list prints a list
of recommendations in the same order. Nothing is printed if any case is invalid:
the error names the field, e.g. "[2].imaging[0].level: must be one of L1-L2, ...".

The case format (fields, enums, an example) is in docs/candidacy-cases.md and the
JSON Schema src/spinepath/schemas/candidacy-case.schema.json. 'red_flags' is
required (an empty list means none present); unknown fields are errors.

Each recommendation has: status (recommendation | needs-more-information |
outside-scope), pathway (urgent | conservative-care | miss-candidate |
open-surgery | not-surgical), ranked options with their rules and cautions,
contraindicated procedures, day_surgery_eligible, missing facts, and every rule
that fired with its source (docs/candidacy-rules.md).

Examples:
  spinepath assess --json case.json
  spinepath assess --json cases.json > recommendations.json
  echo '{"condition": "lumbar_disc_herniation", "red_flags": []}' | spinepath assess --json -
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        dest="file",
        required=True,
        metavar="FILE",
        help="a JSON case or list of cases ('-' = standard input)",
    )


def _read(path: str) -> object:
    import json
    import sys

    from spinepath.commands import UsageError

    source = "standard input" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}") from None


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from spinepath.clinical.candidacy import CaseValidationError, case_from_json, evaluate
    from spinepath.commands import UsageError

    data = _read(args.file)
    batch = isinstance(data, list)
    if not batch and not isinstance(data, dict):
        raise UsageError(f"{args.file}: must hold a JSON object (one case) or a list of cases")
    cases = data if isinstance(data, list) else [data]
    if not cases:
        raise UsageError(f"{args.file}: the list of cases is empty")
    facts = []
    for index, case in enumerate(cases):
        try:
            facts.append(case_from_json(case))
        except CaseValidationError as exc:
            if not batch:
                raise UsageError(str(exc)) from None
            where = f"[{index}]" if exc.field == "case" else f"[{index}].{exc.field}"
            raise UsageError(f"{where}: {exc.message}") from None
    results = [evaluate(f).to_json() for f in facts]
    sys.stdout.write(json.dumps(results if batch else results[0]) + "\n")
    return 0
