import argparse

HELP = "serve spinepath over HTTP (gunicorn; --dev for Django's auto-reloading server)"
DESCRIPTION = """Serve the web application. By default runs gunicorn, a production-grade
server, with several workers; --dev runs Django's development server with
auto-reload and debug pages. Static files are served by WhiteNoise.

Use a reverse proxy (TLS) in front in production and set SPINEPATH_ENV=production."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--dev", action="store_true", help="Django development server")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")


def run(args: argparse.Namespace) -> int:
    import os

    from spinepath.commands import UsageError

    if not 0 < args.port < 65536:
        raise UsageError("--port must be between 1 and 65535")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinepath.config.settings")
    # One BLAS thread per worker: the workers already share the cores, and the registry's
    # models run their own two threads; oversubscribed BLAS threads slowed them twentyfold
    # on a 2-core machine (docs/performance.md). Set before NumPy is first imported.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    if args.dev:
        from spinepath.commands._django import setup

        setup()
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{args.port}")
        return 0
    from spinepath.commands._django import setup

    setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    import sys

    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "spinepath.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        # Sign-in link tokens travel in the path: log it as /accounts/link/[redacted]/.
        "--logger-class",
        "spinepath.gunicorn_logging.RedactingLogger",
        "--forwarded-allow-ips",
        os.environ.get("SPINEPATH_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    os.execv(argv[0], argv)  # noqa: S606 - replace this process with gunicorn
    return 0  # pragma: no cover
