import argparse

HELP = "run the background worker (alerts, reminders, notifications, housekeeping)"
DESCRIPTION = """Run the background worker. Every tick it flags monitored patients who have
stopped checking in; once a day per patient reviews the recovery course (a late
physiotherapy start, opioids still taken at 90 days); escalates alerts nobody has
acknowledged within their SLA to the next level of the care team; marks follow-up
questionnaires missed when their window closes and queues their reminders (when
the window opens and on the due date); sends due e-mails and text messages from
the outbox (retrying with backoff while the mail server or SMS gateway is down,
every attempt recorded) and purges old rate-limit counters. Several workers may run at once on
PostgreSQL (rows are claimed with SKIP LOCKED). Stop with Ctrl-C or SIGTERM;
the current tick finishes first."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="run one tick and exit")
    parser.add_argument(
        "--tick", type=float, default=None, help="seconds between ticks (default 5)"
    )


def run(args: argparse.Namespace) -> int:
    import logging
    import signal
    import time

    from spinepath.commands import UsageError
    from spinepath.commands._django import setup

    if args.tick is not None and args.tick <= 0:
        raise UsageError("--tick must be positive")
    setup(channel="worker")
    from django.conf import settings
    from django.db import close_old_connections

    from spinepath.tasks import TICK_TASKS

    log = logging.getLogger("spinepath.worker")
    tick = args.tick or settings.SPINEPATH["WORKER_TICK_SECONDS"]
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started, tick %ss", tick)
    while not stopping:
        close_old_connections()
        for task in TICK_TASKS:
            try:
                done = task()
            except Exception:
                # One failing task must not stop the others, nor the worker.
                log.exception("task %s failed", task.__name__)
            else:
                if done:
                    log.info("%s: %s", task.__name__, done)
        if args.once:
            break
        deadline = time.monotonic() + tick
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, tick))
    log.info("worker stopped")
    return 0
