"""The registry report: every figure checked by hand on a tiny dataset, then the whole
report on a synthetic registry, the dashboard, its CSV and PDF, and who may see them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spinepath.registry.analytics import DatasetError, Filters, Registry
from spinepath.registry.dataset import DATASET_VERSION, TABLES
from spinepath.registry.report import build_report, table_rows

BASE = {
    "patient_key": "p",
    "surgeon_key": "s1",
    "surgery_month": 3,
    "procedure": "tubular_microdiscectomy",
    "procedure_group": "decompression",
    "levels": 1,
    "diagnosis": "lumbar_disc_herniation",
    "age": 50,
    "sex": "female",
    "bmi": 27.0,
    "asa": 2,
    "smoker": False,
    "diabetes": False,
    "baseline_odi": 40.0,
    "baseline_ndi": None,
    "baseline_nrs_back": 6.0,
    "baseline_nrs_leg": 7.0,
    "ebl_ml": 50,
    "op_minutes": 60,
    "los_hours": 6.0,
    "same_day": True,
    "discharge_mme": 0.0,
    "persistent_opioid": None,
    "complication": False,
    "major_complication": False,
    "ssi": False,
    "readmit_30": False,
    "readmit_90": False,
    "reop_30": False,
    "reop_90": False,
    "follow_up_months": 13,
}


def write(directory: Path, table: str, site: str, year: int, rows: list[dict]) -> None:
    schema = TABLES[table]
    folder = directory / table / f"site={site}" / f"year={year}"
    folder.mkdir(parents=True, exist_ok=True)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    pq.write_table(pa.table(columns, schema=schema), folder / "part-0.parquet")


@pytest.fixture
def tiny(tmp_path) -> Path:
    """Five hand-made episodes: three MISS at site A, two open at site B."""
    episodes_a = [
        {**BASE, "episode_key": "e1", "approach": "miss", "complication": True, "los_hours": 4.0},
        {**BASE, "episode_key": "e2", "approach": "miss", "ssi": True, "los_hours": 6.0},
        {**BASE, "episode_key": "e3", "approach": "miss", "los_hours": 8.0, "ssi": None},
    ]
    episodes_b = [
        {
            **BASE,
            "episode_key": "e4",
            "approach": "open",
            "complication": True,
            "readmit_30": True,
            "los_hours": 30.0,
            "same_day": False,
        },
        {**BASE, "episode_key": "e5", "approach": "open", "los_hours": 50.0, "same_day": False},
    ]
    write(tmp_path, "episodes", "A", 2024, episodes_a)
    write(tmp_path, "episodes", "B", 2025, episodes_b)
    odi = [
        # e1: 40 → 20 at 3 m (50 % better: improved), 40 → 30 at 12 m (25 %: not)
        ("e1", "baseline", -10, 40.0),
        ("e1", "3m", 92, 20.0),
        ("e1", "12m", 360, 30.0),
        # e2: 40 → 28 at 3 m (exactly 30 %: improved)
        ("e2", "baseline", -5, 40.0),
        ("e2", "3m", 95, 28.0),
        # e3: no follow-up: not counted
        ("e3", "baseline", -5, 40.0),
    ]
    write(
        tmp_path,
        "outcomes",
        "A",
        2024,
        [
            {
                "episode_key": k,
                "instrument": "odi",
                "timepoint": t,
                "days_from_surgery": d,
                "score": s,
            }
            for k, t, d, s in odi
        ],
    )
    write(
        tmp_path,
        "outcomes",
        "B",
        2025,
        [
            {
                "episode_key": "e4",
                "instrument": "odi",
                "timepoint": "baseline",
                "days_from_surgery": -3,
                "score": 50.0,
            },
            {
                "episode_key": "e4",
                "instrument": "odi",
                "timepoint": "3m",
                "days_from_surgery": 90,
                "score": 45.0,
            },
        ],
    )
    write(
        tmp_path,
        "complications",
        "A",
        2024,
        [
            {
                "episode_key": "e1",
                "days_from_surgery": 5,
                "clavien_dindo": "I",
                "ssi_depth": None,
                "related": True,
                "readmitted": False,
                "reoperated": False,
                "reported_by": "staff",
            },
        ],
    )
    write(
        tmp_path,
        "complications",
        "B",
        2025,
        [
            {
                "episode_key": "e4",
                "days_from_surgery": 12,
                "clavien_dindo": "II",
                "ssi_depth": None,
                "related": True,
                "readmitted": True,
                "reoperated": False,
                "reported_by": "patient",
            },
        ],
    )
    (tmp_path / "manifest.json").write_text(json.dumps({"dataset_version": DATASET_VERSION}))
    return tmp_path


def _rate(report, outcome, approach):
    return next(r for r in report["rates"] if r["outcome"] == outcome and r["approach"] == approach)


def test_every_figure_on_a_hand_checked_dataset(tiny):
    registry = Registry(tiny)
    report = build_report(registry, Filters())
    assert report["summary"]["episodes"] == 5
    assert report["summary"]["by_approach"] == {"miss": 3, "open": 2}

    complication = _rate(report, "complication", "miss")
    assert (complication["events"], complication["n"]) == (1, 3)
    # Wilson 95 % for 1/3: centre (1 + 1.92)/(3 + 3.84) = 0.4269, half-width
    # 1.96·sqrt(1·2/3 + 0.9604)/6.8415 = 0.3654 → (0.0615, 0.7923).
    assert complication["low"] == pytest.approx(0.0615, abs=1e-3)
    assert complication["high"] == pytest.approx(0.7923, abs=1e-3)
    ssi = _rate(report, "ssi", "miss")
    assert (ssi["events"], ssi["n"]) == (1, 2)  # e3's unknown SSI is not in the denominator
    readmit = _rate(report, "readmit_30", "open")
    assert (readmit["events"], readmit["n"], readmit["rate"]) == (1, 2, 0.5)
    same_day = _rate(report, "same_day", "open")
    assert same_day["events"] == 0 and same_day["rate"] == 0.0

    los = next(
        r for r in report["continuous"] if r["outcome"] == "los_hours" and r["approach"] == "miss"
    )
    assert (los["n"], los["mean"], los["median"]) == (3, 6.0, 6.0)
    assert (los["q1"], los["q3"]) == (5.0, 7.0)

    odi_miss = next(
        m for m in report["mcid"] if m["instrument"] == "odi" and m["approach"] == "miss"
    )
    assert (odi_miss["3m"]["events"], odi_miss["3m"]["n"]) == (2, 2)
    assert (odi_miss["12m"]["events"], odi_miss["12m"]["n"]) == (0, 1)
    odi_open = next(
        m for m in report["mcid"] if m["instrument"] == "odi" and m["approach"] == "open"
    )
    assert (odi_open["3m"]["events"], odi_open["3m"]["n"]) == (0, 1)  # 50 → 45 is 10 %

    trajectory = {
        (t["approach"], t["timepoint"]): t["mean"]
        for t in report["trajectories"]
        if t["instrument"] == "odi"
    }
    assert trajectory[("miss", "baseline")] == 40.0
    assert trajectory[("miss", "3m")] == 24.0
    assert trajectory[("open", "3m")] == 45.0
    # Too few episodes for a comparison: none is attempted rather than a wild estimate.
    assert report["comparisons"] == []
    json.dumps(report, allow_nan=False)  # no NaN anywhere


def test_filters_restrict_every_figure(tiny):
    registry = Registry(tiny)
    report = build_report(registry, Filters(site="B"))
    assert report["summary"]["episodes"] == 2
    assert {r["approach"] for r in report["rates"]} == {"open"}
    assert build_report(registry, Filters(year_from=2025))["summary"]["episodes"] == 2
    assert build_report(registry, Filters(approach="miss", site="B"))["summary"]["episodes"] == 0


def test_not_a_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="not a registry dataset"):
        Registry(tmp_path)


def test_the_synthetic_registry_report_compares_and_funnels(synth_dataset):
    registry = Registry(synth_dataset)
    report = build_report(registry, Filters())
    groups = {c["procedure_group"] for c in report["comparisons"]}
    assert groups == {"decompression", "fusion"}
    ssi = next(
        c
        for c in report["comparisons"]
        if c["procedure_group"] == "fusion" and c["outcome"] == "ssi"
    )
    assert ssi["kind"] == "odds_ratio" and ssi["estimable"]
    assert ssi["adjusted"]["low"] < ssi["adjusted"]["estimate"] < ssi["adjusted"]["high"]
    funnel = report["funnels"]["major_complication_by_surgeon"]
    assert funnel["points"] and funnel["limits"]["n"]
    for point in funnel["points"]:
        assert point["signal"] in {"inside", "above_95", "above_998", "below_95", "below_998"}
    rows = table_rows(report, "funnels")
    assert rows and {"outcome", "unit", "label", "n"} <= set(rows[0])
    json.dumps(report, allow_nan=False)


# --- the dashboard -----------------------------------------------------------------------


@pytest.fixture
def dashboard_data(tiny, settings):
    from spinepath.registry import loader, store

    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_DATA_DIR": str(tiny)}
    store.prepare(tiny)  # as 'registry extract' does: the page need not wait for it
    loader.forget()
    yield tiny
    loader.forget()


@pytest.mark.django_db
def test_the_dashboard_draws_the_report_for_analysts(client, analyst, dashboard_data):
    client.force_login(analyst)
    page = client.get("/registry/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "5 episodes" in html
    # The charts are images of their own, for the same filters.
    assert html.count('src="/registry/charts/') >= 4
    assert 'src="/registry/charts/forest.svg?"' in html
    filtered = client.get("/registry/", {"site": "B"}).content.decode()
    assert "2 episodes" in filtered
    bad = client.get("/registry/", {"year_from": "2025", "year_to": "2024"})
    assert bad.status_code == 400
    assert "starts after it ends" in bad.content.decode()
    assert client.get("/registry/", {"site": "Z"}).status_code == 400


@pytest.mark.django_db
def test_each_chart_is_an_svg_image_for_the_filters(client, analyst, dashboard_data):
    from spinepath.audit.models import AccessLog

    client.force_login(analyst)
    chart = client.get("/registry/charts/rates-decompression.svg", {"site": "A"})
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart["Content-Security-Policy"].startswith("default-src 'none'")
    assert "private" in chart["Cache-Control"]
    svg = chart.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg
    # The same chart for another site draws other figures.
    other = client.get("/registry/charts/rates-decompression.svg", {"site": "B"})
    assert other.status_code == 200 and other.content != chart.content
    assert AccessLog.objects.filter(purpose="registry chart rates-decompression").count() == 2
    # No fusion in this dataset: a chart of its rates does not exist.
    assert client.get("/registry/charts/rates-fusion.svg").status_code == 404


@pytest.mark.django_db
def test_a_chart_that_is_not_there_or_bad_filters(client, analyst, dashboard_data):
    client.force_login(analyst)
    assert client.get("/registry/charts/secrets.svg").status_code == 404
    assert client.get("/registry/charts/funnel-nothing-unit.svg").status_code == 404
    # A key too long for the access log, or of other characters, is no chart either.
    assert client.get(f"/registry/charts/funnel-{'x' * 200}.svg").status_code == 404
    assert client.get("/registry/charts/forest%00.svg").status_code == 404
    bad = client.get("/registry/charts/forest.svg", {"year_from": "2025", "year_to": "2024"})
    assert bad.status_code == 400 and b"starts after it ends" in bad.content


@pytest.mark.django_db
def test_an_unreadable_dataset_is_said_so_not_a_500(client, analyst, settings, tmp_path):
    from spinepath.registry import loader

    # A manifest, but no tables.
    (tmp_path / "manifest.json").write_text(json.dumps({"dataset_version": DATASET_VERSION}))
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_DATA_DIR": str(tmp_path)}
    loader.forget()
    client.force_login(analyst)
    page = client.get("/registry/")
    assert page.status_code == 503
    assert "cannot be read" in page.content.decode() and "has no episodes files" in (
        page.content.decode()
    )
    assert client.get("/registry/tables/rates.csv").status_code == 503
    assert client.get("/registry/charts/forest.svg").status_code == 503
    loader.forget()


@pytest.mark.django_db
def test_a_dataset_of_an_older_version_is_said_so(client, analyst, settings, tiny):
    from spinepath.registry import loader

    (tiny / "manifest.json").write_text(json.dumps({"dataset_version": "2026.11-1"}))
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_DATA_DIR": str(tiny)}
    loader.forget()
    client.force_login(analyst)
    page = client.get("/registry/")
    assert page.status_code == 503
    assert "of version 2026.11-1" in page.content.decode()
    with pytest.raises(DatasetError, match="write it again"):
        Registry(tiny)
    loader.forget()


@pytest.mark.django_db
def test_a_store_still_being_built_answers_503_then_the_dashboard(
    client, analyst, dashboard_data, monkeypatch
):
    import threading

    from spinepath.registry import loader, store

    release = threading.Event()
    real_prepare = store.prepare

    def slow_prepare(*args, **kwargs):
        release.wait(30)
        return real_prepare(*args, **kwargs)

    monkeypatch.setattr(store, "prepare", slow_prepare)
    monkeypatch.setattr(loader, "PREPARE_WAIT_SECONDS", 0.05)
    loader.forget()
    client.force_login(analyst)
    page = client.get("/registry/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "being prepared" in page.content.decode()
    assert client.get("/registry/tables/rates.csv").status_code == 503
    release.set()
    monkeypatch.setattr(loader, "PREPARE_WAIT_SECONDS", 30)
    page = client.get("/registry/")
    assert page.status_code == 200 and "5 episodes" in page.content.decode()


@pytest.mark.django_db
def test_without_a_writable_store_the_dataset_is_loaded_in_memory(
    client, analyst, dashboard_data, monkeypatch
):
    from spinepath.registry import loader, store

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "prepare", read_only)
    loader.forget()
    client.force_login(analyst)
    page = client.get("/registry/")
    assert page.status_code == 200 and "5 episodes" in page.content.decode()
    assert not loader.current_registry().read_only


@pytest.mark.django_db
def test_csv_tables_and_the_pdf_report(client, analyst, dashboard_data):
    from pypdf import PdfReader

    client.force_login(analyst)
    csv = client.get("/registry/tables/rates.csv", {"site": "A"})
    assert csv.status_code == 200
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("outcome,procedure_group,approach,events,n")
    assert any(line.startswith("complication,decompression,miss,1,3") for line in lines)
    assert client.get("/registry/tables/secrets.csv").status_code == 404
    pdf = client.get("/registry/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "spinepath registry report" in text
    assert "5 episodes" in text


@pytest.mark.django_db
def test_only_analysts_and_admins_see_the_registry(client, nurse, patient, dashboard_data):
    for user in (nurse, patient.user):
        client.force_login(user)
        assert client.get("/registry/").status_code == 403
        assert client.get("/registry/tables/rates.csv").status_code == 403
        assert client.get("/registry/report.pdf").status_code == 403
        assert client.get("/registry/charts/forest.svg").status_code == 403


# --- the command ------------------------------------------------------------------------


def test_registry_report_prints_the_same_figures_as_json(tiny, capsys):
    from spinepath.cli import main

    assert main(["registry", "report", "--data", str(tiny), "--json", "--site", "A"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["episodes"] == 3
    assert report["filters"] == {"site": "A"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--data", "/nonexistent/registry"], "not a registry dataset"),
        (["--year-from", "2025", "--year-to", "2020"], "--year-from is after --year-to"),
    ],
)
def test_registry_report_bad_input_exits_2_with_one_line(tiny, capsys, argv, message):
    from spinepath.cli import main

    args = ["registry", "report", "--json", *argv]
    if "--data" not in argv:
        args += ["--data", str(tiny)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
