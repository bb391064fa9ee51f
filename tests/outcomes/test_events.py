"""Complications, readmissions and reoperations: what staff record, what patients report
through check-in alerts, and the reconciliation queue where staff confirm or reject those
reports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from spinepath.audit.models import AccessLog
from spinepath.errors import ActionError
from spinepath.outcomes.actions import (
    ComplicationDetails,
    do_confirm_event,
    do_record_complication,
    do_reject_event,
)
from spinepath.outcomes.events import record_patient_reported_event
from spinepath.outcomes.models import Complication, ComplicationStatus, ReportedBy
from spinepath.recovery.models import Alert
from tests.factories import EpisodeFactory, PatientFactory, SurgicalCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

CALM = {"back_pain": "3", "leg_pain": "2", "wound": "dry", "temperature_c": "36.8"}
WOUND = {**CALM, "wound": "discharge"}
OXY = {
    "drug": "oxycodone",
    "strength_mg": 5,
    "dose_mg": 5,
    "doses_per_day": 4,
    "days": 5,
    "as_needed": True,
}


def _surgery_day(episode) -> date:
    case = episode.surgical_case
    return case.surgery_start.astimezone(ZoneInfo(case.site.time_zone)).date()


def _today(episode) -> date:
    return timezone.now().astimezone(ZoneInfo(episode.patient.site.time_zone)).date()


@pytest.fixture
def operated(episode, surgeon):
    """At home three days after a tubular microdiscectomy, with oxycodone 5 mg."""
    from spinepath.recovery.models import Monitoring
    from spinepath.surgery.plans import do_create_discharge_plan, do_update_discharge_plan

    case = SurgicalCaseFactory(
        episode=episode,
        surgeon=surgeon,
        recorded_by=surgeon,
        surgery_start=timezone.now() - timedelta(days=3),
        discharged_at=timezone.now() - timedelta(days=2, hours=20),
    )
    plan = do_create_discharge_plan(actor=surgeon, case=case)
    do_update_discharge_plan(actor=surgeon, plan=plan, medicines=[OXY], staff_notes="")
    Monitoring.objects.create(
        episode=episode,
        enrolled_at=case.discharged_at,
        enrolled_by=surgeon,
        first_checkin_due=timezone.now(),
    )
    return episode


@pytest.fixture
def reported(client, operated):
    """A wound check-in: the alert and the pending event it made."""
    client.force_login(operated.patient.user)
    assert client.post("/me/checkin/", WOUND).status_code == 200
    client.logout()
    return Complication.objects.get()


def _confirm_data(**overrides):
    return {"clavien_dindo": "II", "ssi_depth": "superficial", "related_to_surgery": "yes"} | {
        k: v for k, v in overrides.items()
    }


# --- patient-reported events ----------------------------------------------------------------


def test_a_wound_check_in_makes_a_pending_patient_reported_event(client, operated):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", WOUND)
    alert = Alert.objects.get(rule_id="TR-WOUND")
    event = Complication.objects.get()
    assert event.status == ComplicationStatus.PENDING
    assert event.reported_by == ReportedBy.PATIENT
    assert event.alert == alert
    assert event.clavien_dindo == ""  # left for staff
    assert event.description == "Reported at a check-in: Wound discharge"
    assert event.onset_date == _today(operated)
    assert event.recorded_by == operated.patient.user
    # Staff are asked to record a complication only when an alert is resolved that way.
    assert alert.complication is None
    # A repeat merges into the open alert: no second event.
    client.post("/me/checkin/", {**WOUND, "wound": "opening"})
    assert Complication.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({**CALM, "temperature_c": "38.6"}, "TR-FEVER"),
        ({**CALM, "wound": "opening", "temperature_c": "38.6"}, "TR-FEVER-WOUND"),
    ],
)
def test_fever_alerts_make_events_too(client, operated, data, rule):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", data)
    assert Complication.objects.get().alert.rule_id == rule


def test_other_alerts_make_no_event(client, operated):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "saddle_numbness": "on", "back_pain": "9"})
    assert Alert.objects.filter(rule_id="TR-REDFLAG").exists()
    assert not Complication.objects.exists()
    alert = Alert.objects.get(rule_id="TR-REDFLAG")
    assert record_patient_reported_event(alert) is None


def test_the_database_holds_the_rules_of_a_complication(reported, nurse):
    def refused(**changes):
        with pytest.raises(IntegrityError), transaction.atomic():
            Complication.objects.filter(pk=reported.pk).update(**changes)

    refused(status="confirmed")  # no grade outside a pending report
    refused(status="rejected")  # nor without a reason
    refused(reported_by="staff")  # only patients' reports wait for review
    refused(readmitted=True)  # without the date
    refused(reoperated_on=date(2026, 1, 1))  # a date without the reoperation
    refused(status="unknown", clavien_dindo="II")
    # One report per alert: a second is refused (and logged), the first stays.
    assert record_patient_reported_event(reported.alert) is None
    assert Complication.objects.get() == reported


def test_an_event_that_cannot_be_saved_never_costs_the_check_in_its_alerts(
    client, operated, monkeypatch
):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Complication.objects, "create", broken)
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {**WOUND, "saddle_numbness": "on"})
    assert response.status_code == 200
    assert {a.rule_id for a in Alert.objects.all()} == {"TR-REDFLAG", "TR-WOUND"}
    assert not Complication.objects.exists()


# --- the reconciliation queue ---------------------------------------------------------------


def test_the_queue_lists_pending_events_oldest_first_and_logs_the_listing(
    client, reported, nurse, care_team
):
    second_patient = PatientFactory(site=reported.episode.patient.site, given_name="Zed")
    second = SurgicalCaseFactory(
        episode=EpisodeFactory(patient=second_patient, stage="recovery")
    ).episode
    newer = Complication.objects.create(
        episode=second,
        description="Reported at a check-in: Fever 38.4 °C",
        onset_date=_today(second),
        reported_by="patient",
        status="pending",
        recorded_by=nurse,
    )
    done = Complication.objects.create(
        episode=second,
        description="Confirmed earlier",
        onset_date=_today(second),
        clavien_dindo="I",
        recorded_by=nurse,
    )
    client.force_login(nurse)
    page = client.get("/clinic/events/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 events waiting for review" in html
    assert html.index(str(reported.public_id)) < html.index(str(newer.public_id))
    assert str(done.public_id) not in html
    assert reported.episode.patient.display_name in html
    assert 'href="/clinic/events/"' in html  # the nav item
    logged = AccessLog.objects.filter(action="list", object_type="complication")
    assert sorted(logged.values_list("patient_public_id", flat=True)) == sorted(
        [reported.episode.patient.public_id, second_patient.public_id]
    )


def test_the_queue_costs_the_same_queries_for_one_event_or_many(
    client, nurse, site, django_assert_max_num_queries
):
    def add_event():
        episode = SurgicalCaseFactory(
            episode=EpisodeFactory(patient=PatientFactory(site=site), stage="recovery")
        ).episode
        Complication.objects.create(
            episode=episode,
            description="Reported",
            onset_date=_today(episode),
            reported_by="patient",
            status="pending",
            recorded_by=nurse,
        )

    add_event()
    client.force_login(nurse)
    client.get("/clinic/events/")  # warm the session
    with django_assert_max_num_queries(12) as one:
        assert client.get("/clinic/events/").status_code == 200
    for _ in range(6):
        add_event()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/clinic/events/").status_code == 200


def test_confirming_an_event_grades_it_and_links_the_alert(client, reported, nurse):
    client.force_login(nurse)
    day = _surgery_day(reported.episode) + timedelta(days=2)
    response = client.post(
        f"/clinic/events/{reported.public_id}/confirm/",
        _confirm_data(
            clavien_dindo="IIIb",
            ssi_depth="deep",
            readmitted="on",
            readmitted_on=day.isoformat(),
            reoperated="on",
            reoperated_on=day.isoformat(),
            review_note="Washout under GA",
        ),
    )
    assert response.status_code == 302 and response.url == "/clinic/events/"
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.CONFIRMED
    assert reported.reported_by == ReportedBy.PATIENT
    assert (reported.clavien_dindo, reported.ssi_depth) == ("IIIb", "deep")
    assert reported.readmitted and reported.readmitted_on == day
    assert reported.reoperated and reported.reoperated_on == day
    assert reported.related_to_surgery is True
    assert reported.reviewed_by == nurse and reported.reviewed_at is not None
    assert reported.review_note == "Washout under GA"
    assert reported.readmitted_30 and reported.reoperated_90
    assert reported.ssi_in_window() is True
    reported.alert.refresh_from_db()
    assert reported.alert.complication == reported
    assert "Nothing is waiting for review" in client.get("/clinic/events/").content.decode()


def test_rejecting_needs_a_reason(client, reported, nurse):
    client.force_login(nurse)
    url = f"/clinic/events/{reported.public_id}/reject/"
    blank = client.post(url, {"reason": "   "})
    assert blank.status_code == 400
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.PENDING
    response = client.post(url, {"reason": "Seen in clinic: dressing strike-through only"})
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.REJECTED
    assert reported.review_note == "Seen in clinic: dressing strike-through only"
    assert reported.reviewed_by == nurse


def test_a_second_review_is_a_conflict_and_changes_nothing(client, reported, nurse, surgeon):
    client.force_login(nurse)
    client.post(f"/clinic/events/{reported.public_id}/confirm/", _confirm_data())
    client.force_login(surgeon)
    again = client.post(
        f"/clinic/events/{reported.public_id}/confirm/", _confirm_data(clavien_dindo="IVa")
    )
    assert again.status_code == 409
    assert "already been reviewed" in again.content.decode()
    reject = client.post(f"/clinic/events/{reported.public_id}/reject/", {"reason": "No"})
    assert reject.status_code == 409
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.CONFIRMED
    assert reported.clavien_dindo == "II" and reported.reviewed_by == nurse


def test_another_sites_nurse_gets_not_found(client, reported, other_nurse):
    client.force_login(other_nurse)
    assert str(reported.public_id) not in client.get("/clinic/events/").content.decode()
    assert client.get(f"/clinic/events/{reported.public_id}/").status_code == 404
    url = f"/clinic/events/{reported.public_id}/confirm/"
    assert client.post(url, _confirm_data()).status_code == 404
    assert (
        client.post(f"/clinic/events/{reported.public_id}/reject/", {"reason": "x"}).status_code
        == 404
    )
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.PENDING
    denied = AccessLog.objects.filter(object_type="complication", outcome="denied")
    assert denied.count() == 3


def test_analysts_and_patients_are_refused(client, reported, analyst):
    for user in (analyst, reported.episode.patient.user):
        client.force_login(user)
        assert client.get("/clinic/events/").status_code == 403
        url = f"/clinic/events/{reported.public_id}/confirm/"
        assert client.post(url, _confirm_data()).status_code == 403
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.PENDING
    with pytest.raises(PermissionDenied):
        do_reject_event(actor=analyst, event=reported, reason="no")


def test_malformed_ids_are_not_found(client, nurse):
    client.force_login(nurse)
    assert client.get("/clinic/events/not-a-uuid/").status_code == 404
    assert client.post("/clinic/events/not-a-uuid/confirm/", _confirm_data()).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"clavien_dindo": ""}, "This field is required"),
        ({"clavien_dindo": "VII"}, "Select a valid choice"),
        ({"ssi_depth": "bone"}, "Select a valid choice"),
        ({"readmitted": "on"}, "Give the date of the readmission"),
        ({"readmitted_on": "TODAY"}, "A readmission date was given"),
        ({"readmitted_on": "2026-13-45"}, "Enter a valid date"),
        ({"reoperated": "on", "reoperated_on": "TODAY"}, "grade IIIa or worse"),
        ({"readmitted": "on", "readmitted_on": "TOMORROW"}, "is in the future"),
        ({"readmitted": "on", "readmitted_on": "BEFORE"}, "is before the surgery"),
        ({"clavien_dindo": "V", "disability_at_discharge": "on"}, "takes no"),
        ({"review_note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_confirmations_are_refused_and_change_nothing(client, reported, nurse, data, message):
    today = _today(reported.episode)
    days = {
        "TODAY": today,
        "TOMORROW": today + timedelta(days=1),
        "BEFORE": _surgery_day(reported.episode) - timedelta(days=1),
    }
    data = {k: days[v].isoformat() if v in days else v for k, v in data.items()}
    client.force_login(nurse)
    response = client.post(f"/clinic/events/{reported.public_id}/confirm/", _confirm_data(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.PENDING and reported.clavien_dindo == ""
    assert reported.reviewed_by is None


def test_recording_the_complication_from_the_alert_confirms_the_report(client, reported, nurse):
    alert = reported.alert
    client.force_login(nurse)
    url = client.post(f"/clinic/alerts/{alert.public_id}/resolve/", {"outcome": "readmitted"}).url
    page = client.get(url).content.decode()
    assert "recording it here confirms that report" in page
    response = client.post(
        url,
        {
            "description": "Superficial SSI, readmitted for IV antibiotics",
            "onset_date": reported.onset_date.isoformat(),
            "clavien_dindo": "II",
            "ssi_depth": "superficial",
            "readmitted": "on",
            "readmitted_on": _today(reported.episode).isoformat(),
        },
    )
    assert response.status_code == 302
    confirmed = Complication.objects.get()  # the report, not a second row
    assert confirmed.pk == reported.pk
    assert confirmed.status == ComplicationStatus.CONFIRMED
    assert confirmed.description.startswith("Superficial SSI")
    assert confirmed.readmitted
    alert.refresh_from_db()
    assert alert.complication == confirmed


# --- staff entries --------------------------------------------------------------------------


def test_staff_record_readmissions_and_reoperations(client, operated, nurse):
    client.force_login(nurse)
    day = _surgery_day(operated) + timedelta(days=1)
    response = client.post(
        f"/clinic/episodes/{operated.public_id}/complications/new/",
        {
            "description": "Epidural haematoma evacuated",
            "onset_date": day.isoformat(),
            "clavien_dindo": "IIIb",
            "reoperated": "on",
            "reoperated_on": day.isoformat(),
        },
    )
    assert response.status_code == 302
    c = Complication.objects.get()
    assert (c.status, c.reported_by, c.reoperated, c.reoperated_on) == (
        "confirmed",
        "staff",
        True,
        day,
    )
    assert c.reoperated_30 is True and c.readmitted_30 is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"onset_date": "FUTURE"}, "onset_date"),
        ({"onset_date": "BEFORE"}, "onset_date"),
        ({"readmitted_on": "TODAY"}, "readmitted"),
        ({"reoperated": True}, "reoperated_on"),
        ({"description": "  "}, "description"),
        ({"clavien_dindo": ""}, "clavien_dindo"),
    ],
)
def test_staff_entries_are_checked(operated, nurse, changes, field):
    today = _today(operated)
    days = {
        "FUTURE": today + timedelta(days=1),
        "BEFORE": _surgery_day(operated) - timedelta(days=1),
        "TODAY": today,
    }
    kwargs = {
        "actor": nurse,
        "episode": operated,
        "description": "Urinary retention",
        "onset_date": today,
        "clavien_dindo": "I",
    } | {k: days.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    with pytest.raises(ActionError) as refused:
        do_record_complication(**kwargs)
    assert refused.value.field == field
    assert not Complication.objects.exists()


# --- computed windows ---------------------------------------------------------------------


@pytest.fixture
def fusion(site, surgeon):
    case = SurgicalCaseFactory(
        episode=EpisodeFactory(patient=PatientFactory(site=site), stage="recovery"),
        procedure="mis_tlif",
        surgeon=surgeon,
        surgery_start=datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/London")),
    )
    return case.episode


def _event(episode, user, onset_day: int, **fields):
    operated = date(2025, 3, 10)
    values = {
        "episode": episode,
        "description": "x",
        "onset_date": operated + timedelta(days=onset_day),
        "clavien_dindo": "II",
        "recorded_by": user,
    } | fields
    return Complication(**values)


def test_readmission_and_reoperation_windows_count_from_the_surgery_date(fusion, nurse):
    operated = date(2025, 3, 10)
    day30 = _event(fusion, nurse, 5, readmitted=True, readmitted_on=operated + timedelta(30))
    day31 = _event(fusion, nurse, 5, readmitted=True, readmitted_on=operated + timedelta(31))
    assert day30.readmitted_30 is True and day31.readmitted_30 is False
    assert day31.readmitted_90 is True
    reop = _event(fusion, nurse, 5, reoperated=True, reoperated_on=operated + timedelta(91))
    assert reop.reoperated_90 is False
    assert reop.days_from_surgery() == 5
    unoperated = _event(EpisodeFactory(patient=fusion.patient), nurse, 5, ssi_depth="deep")
    assert unoperated.readmitted_30 is None and unoperated.ssi_in_window() is None


def test_an_ssi_counts_inside_its_nhsn_window(fusion, nurse, surgeon, site):
    # Fusion: deep and organ/space 90 days, superficial 30; day 1 is the procedure date.
    assert _event(fusion, nurse, 89, ssi_depth="deep").ssi_in_window() is True
    assert _event(fusion, nurse, 90, ssi_depth="deep").ssi_in_window() is False
    assert _event(fusion, nurse, 29, ssi_depth="superficial").ssi_in_window() is True
    assert _event(fusion, nurse, 30, ssi_depth="superficial").ssi_in_window() is False
    assert _event(fusion, nurse, 3).ssi_in_window() is False  # not an SSI
    laminectomy = SurgicalCaseFactory(
        episode=EpisodeFactory(patient=PatientFactory(site=site)),
        surgeon=surgeon,
        surgery_start=datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/London")),
    ).episode
    assert _event(laminectomy, nurse, 30, ssi_depth="deep").ssi_in_window() is False
    assert _event(laminectomy, nurse, 29, ssi_depth="organ_space").ssi_in_window() is True


# --- the actions on their own ---------------------------------------------------------------


def test_confirm_refuses_a_rejected_event(reported, nurse):
    do_reject_event(actor=nurse, event=reported, reason="Not an SSI")
    with pytest.raises(ActionError) as conflict:
        do_confirm_event(actor=nurse, event=reported, details=ComplicationDetails("I"))
    assert conflict.value.status == 409
    reported.refresh_from_db()
    assert reported.status == ComplicationStatus.REJECTED


def test_a_staff_entry_is_never_pending(operated, nurse):
    staff = do_record_complication(
        actor=nurse,
        episode=operated,
        description="CSF leak managed with bed rest",
        onset_date=_today(operated),
        clavien_dindo="I",
    )
    with pytest.raises(ActionError) as conflict:
        do_confirm_event(actor=nurse, event=staff, details=ComplicationDetails("II"))
    assert conflict.value.status == 409
    user = UserFactory(role="patient", site=None)
    with pytest.raises(PermissionDenied):
        do_record_complication(
            actor=user,
            episode=operated,
            description="x",
            onset_date=_today(operated),
            clavien_dindo="I",
        )


@pytest.mark.django_db(transaction=True)
def test_existing_complications_become_confirmed_staff_entries():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("outcomes", "0005_scheduledquestionnaire_public_id_unique")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    site = old.get_model("accounts", "Site").objects.create(code="m", name="M")
    user = UserFactory(role="nurse", site=None)  # accounts is not rolled back
    patient = old.get_model("patients", "Patient").objects.create(
        site=site, given_name="A", family_name="B", date_of_birth=date(1970, 1, 1)
    )
    episode = old.get_model("patients", "Episode").objects.create(
        patient=patient, condition="lumbar_disc_herniation"
    )
    old.get_model("outcomes", "Complication").objects.create(
        episode=episode,
        description="UTI",
        onset_date=date(2026, 1, 5),
        clavien_dindo="II",
        recorded_by_id=user.pk,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    row = new.get_model("outcomes", "Complication").objects.get()
    assert (row.status, row.reported_by, row.readmitted, row.reoperated) == (
        "confirmed",
        "staff",
        False,
        False,
    )
    assert row.updated_at is not None and row.alert_id is None


def test_the_episode_page_labels_events_still_to_review(client, nurse, episode):
    from spinepath.recovery.actions import do_submit_checkin

    do_submit_checkin(
        actor=episode.patient.user, episode=episode, back_pain=3, leg_pain=2, wound="discharge"
    )
    client.force_login(nurse)
    page = client.get(f"/clinic/episodes/{episode.public_id}/").content.decode()
    assert "reported by the patient, to review" in page
