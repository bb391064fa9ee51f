"""Two check-ins at the same moment still give one open alert (real threads, real database)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from spinepath.recovery.actions import do_submit_checkin
from spinepath.recovery.models import Alert, CheckIn, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_red_flag_checkins_merge_into_one_alert(episode):
    user = episode.patient.user
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            do_submit_checkin(
                actor=user,
                episode=episode,
                back_pain=5,
                leg_pain=8,
                wound="dry",
                bladder_change=True,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert CheckIn.objects.count() == 2
    alert = Alert.objects.get(episode=episode)
    assert alert.data["repeats"] == 2
    assert Notification.objects.count() == 1
