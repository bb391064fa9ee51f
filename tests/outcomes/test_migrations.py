"""0003-0005 give existing scheduled questionnaires distinct public ids, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_their_own_public_ids():
    executor = MigrationExecutor(connection)
    executor.migrate([("outcomes", "0002_scheduledquestionnaire")])
    old = executor.loader.project_state([("outcomes", "0002_scheduledquestionnaire")]).apps
    site = old.get_model("accounts", "Site").objects.create(code="m", name="M")
    patient = old.get_model("patients", "Patient").objects.create(
        site=site, given_name="A", family_name="B", date_of_birth=date(1970, 1, 1)
    )
    episode = old.get_model("patients", "Episode").objects.create(
        patient=patient, condition="lumbar_disc_herniation"
    )
    Scheduled = old.get_model("outcomes", "ScheduledQuestionnaire")
    for instrument in ("odi", "nrs-back", "nrs-leg"):
        Scheduled.objects.create(
            episode=episode,
            instrument=instrument,
            timepoint="2w",
            due=date(2026, 3, 16),
            window_start=date(2026, 3, 12),
            window_end=date(2026, 3, 23),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    ids = list(
        new.get_model("outcomes", "ScheduledQuestionnaire").objects.values_list(
            "public_id", flat=True
        )
    )
    assert len(ids) == 3 and None not in ids and len(set(ids)) == 3
