import argparse

HELP = "set up a demo clinic (migrate, demo data, sign-ins) and serve it with the worker"
DESCRIPTION = """Migrate the database, load a believable demo clinic (two sites, surgeons,
nurses, 120+ patients at every stage of the pathway) and a small synthetic national
registry for the /registry/ dashboards (20,000 episodes at 40 sites), print the demo
sign-ins, then serve on http://127.0.0.1:8000 with the background worker running.

Running it again keeps the data it made before: nothing is duplicated.
Demo data is for trying spinepath; never load it into a real clinic's database."""


DEMO_REGISTRY_EPISODES = 20_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--patients", type=int, default=120, help="patients per demo (default 120)")
    parser.add_argument(
        "--no-serve", action="store_true", help="load the data and print sign-ins, then exit"
    )


def run(args: argparse.Namespace) -> int:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from spinepath.commands import UsageError
    from spinepath.commands._django import setup

    if args.patients < 1 or args.patients > 5000:
        raise UsageError("--patients must be between 1 and 5000")
    os.environ.setdefault("SPINEPATH_ENV", "development")
    # The demo has no mail server: the worker prints the messages it would send.
    os.environ.setdefault("SPINEPATH_EMAIL_URL", "console:")
    setup()
    from django.conf import settings
    from django.core.management import call_command

    from spinepath.demo_data import DEMO_PASSWORD, load_demo

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo(patients=args.patients, progress=True)
    registry_dir = Path(settings.SPINEPATH["REGISTRY_DATA_DIR"])
    if not (registry_dir / "manifest.json").exists():
        from tqdm import tqdm

        from spinepath.registry.synth import SynthParams, generate

        with tqdm(total=DEMO_REGISTRY_EPISODES, desc="synthetic registry", unit="episode") as bar:
            generate(
                registry_dir,
                SynthParams(episodes=DEMO_REGISTRY_EPISODES, sites=40, surgeons=150),
                seed=20261124,
                progress=bar.update,
            )
    if (registry_dir / "manifest.json").exists():
        from spinepath.registry.store import prepare_with_bar

        prepare_with_bar(registry_dir)
    print()
    print("spinepath demo clinic" + (" (already loaded)" if not summary.created else ""))
    print(
        f"  {summary.patients} patients, {summary.episodes} episodes, {summary.alerts} open alerts"
    )
    print(
        f"  Sign in at http://127.0.0.1:{args.port}/accounts/login/ with password {DEMO_PASSWORD}"
    )
    for role, email in summary.sign_ins:
        print(f"  {role:<12} {email}")
    print()
    if args.no_serve:
        return 0
    worker = subprocess.Popen([sys.executable, "-m", "spinepath.cli", "worker"])
    try:
        return subprocess.call(  # noqa: S603
            [sys.executable, "-m", "spinepath.cli", "serve", "--port", str(args.port)]
        )
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
