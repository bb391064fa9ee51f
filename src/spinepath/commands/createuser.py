import argparse

HELP = "create a user (password from standard input or a prompt, never an argument)"
DESCRIPTION = """Create a user with one role. The password is read from standard input when it
is not a terminal (first line), or prompted for twice.

Roles: patient, caregiver, nurse, surgeon, coordinator, analyst, admin.
Staff and analysts need --site (a site code; created if --site-name is given).
A patient account is linked to its record with --patient PATIENT_ID.

Example:
  printf '%s\\n' "$PASSWORD" | spinepath createuser --email nurse@example.org \\
      --role nurse --site north --name "Ada Nurse"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True)
    parser.add_argument("--name", default="", help="full name shown to colleagues")
    parser.add_argument("--site", help="site code (staff and analysts)")
    parser.add_argument("--site-name", help="create the site with this name if it is new")
    parser.add_argument("--patient", help="patient id to link a patient account to")


def _read_password() -> str:
    import getpass
    import sys

    from spinepath.commands import UsageError

    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise UsageError("no password on standard input")
        return line
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise UsageError("the passwords do not match")
    return first


def run(args: argparse.Namespace) -> int:
    from spinepath.commands import UsageError
    from spinepath.commands._django import setup

    setup()
    from django.db import transaction

    from spinepath.accounts.actions import do_create_user
    from spinepath.accounts.models import SITE_ROLES, Role, Site
    from spinepath.errors import ActionError
    from spinepath.patients.models import Patient

    if args.role not in Role.values:
        raise UsageError(f"unknown role {args.role!r}; choose one of {', '.join(Role.values)}")
    site = None
    if args.role in SITE_ROLES:
        if not args.site:
            raise UsageError(f"a {args.role} needs --site")
        site = Site.objects.filter(code=args.site).first()
        if site is None and not args.site_name:
            raise UsageError(f"no site {args.site!r}; give --site-name to create it")
    elif args.site:
        raise UsageError("patients and caregivers do not belong to a site")
    patient = None
    if args.patient:
        if args.role != Role.PATIENT:
            raise UsageError("--patient is only for patient accounts")
        import uuid

        try:
            patient = Patient.objects.filter(public_id=uuid.UUID(args.patient)).first()
        except ValueError:
            patient = None
        if patient is None:
            raise UsageError("no patient with that id")
        if patient.user_id is not None:
            raise UsageError("that patient already has an account")
    password = _read_password()
    try:
        with transaction.atomic():
            if site is None and args.role in SITE_ROLES:
                site = Site.objects.create(code=args.site, name=args.site_name)
            user = do_create_user(
                email=args.email, role=args.role, password=password, full_name=args.name, site=site
            )
            if patient is not None:
                patient.user = user
                patient.save(update_fields=["user"])
    except ActionError as exc:
        raise UsageError(exc.message) from None
    print(f"created {user.role} {user.email} ({user.public_id})")
    return 0
