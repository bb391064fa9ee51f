"""The registry dataset: the pseudonymised Parquet layout that the extract writes, the
synthetic generator imitates, and the analytics read.

Layout under a dataset directory::

    episodes/site=<code>/year=<yyyy>/<part>.parquet
    outcomes/site=<code>/year=<yyyy>/<part>.parquet
    complications/site=<code>/year=<yyyy>/<part>.parquet
    manifest.json

Hive-style partitions (site, year of surgery), read unchanged by DuckDB, Spark or Trino.
No names, contacts, exact dates or local identifiers: episodes, patients and surgeons are
keyed by stable pseudonyms (an HMAC under the registry's own secret), dates are days from
the surgery date, and the surgery itself is known only by year and month. Ages are whole
years at surgery, top-coded at 90 (HIPAA Safe Harbor), and follow-up is counted in completed
months. The columns are described in docs/data-dictionary.md; a test keeps the two in step.
"""

from __future__ import annotations

import pyarrow as pa

DATASET_VERSION = "2026.11-2"

# Ages above this are written as this (HIPAA Safe Harbor aggregates ages over 89).
AGE_TOP_CODE = 90
# follow_up_months counts completed months of this many days (an average Gregorian month,
# 365.25 / 12 = 487 / 16 days): months = floor(days * 16 / 487), exact in integers.
DAYS_PER_MONTH = 30.4375

# Partition columns: in the directory names, not in the files.
PARTITIONS = ("site", "year")

EPISODES = pa.schema(
    [
        ("episode_key", pa.string()),  # pseudonym of the episode
        ("patient_key", pa.string()),  # pseudonym of the patient (one patient, many episodes)
        ("surgeon_key", pa.string()),  # pseudonym of the operating surgeon
        ("surgery_month", pa.int8()),  # 1-12; the year is the partition
        ("procedure", pa.string()),  # clinical.procedures id
        ("procedure_group", pa.string()),  # decompression / fusion / kyphoplasty
        ("approach", pa.string()),  # miss | open | converted (intention to treat: miss)
        ("levels", pa.int8()),  # number of spinal levels operated (the record holds one)
        ("diagnosis", pa.string()),  # patients.Condition value
        ("age", pa.int16()),  # whole years at surgery, top-coded: 90 means 90 or older
        ("sex", pa.string()),  # female | male | other | unknown
        ("bmi", pa.float32()),
        ("asa", pa.int8()),  # ASA physical status 1-5
        ("smoker", pa.bool_()),  # null = not recorded
        ("diabetes", pa.bool_()),
        ("baseline_odi", pa.float32()),  # ODI 0-100 before surgery; null = not scorable/none
        ("baseline_ndi", pa.float32()),  # NDI 0-100 before surgery; null = not scorable/none
        ("baseline_nrs_back", pa.float32()),
        ("baseline_nrs_leg", pa.float32()),
        ("ebl_ml", pa.int32()),  # estimated blood loss
        ("op_minutes", pa.int32()),  # skin to skin
        ("los_hours", pa.float32()),  # start of the operation to discharge; null = not discharged
        ("same_day", pa.bool_()),  # discharged the day of surgery (site calendar)
        ("discharge_mme", pa.float32()),  # prescribed opioid MME/day at discharge
        ("persistent_opioid", pa.bool_()),  # opioids reported on days 90-180; null = unknown
        ("complication", pa.bool_()),  # any complication within 90 days
        ("major_complication", pa.bool_()),  # Clavien-Dindo III or worse within 90 days
        ("ssi", pa.bool_()),  # NHSN SSI within its surveillance window
        ("readmit_30", pa.bool_()),
        ("readmit_90", pa.bool_()),
        ("reop_30", pa.bool_()),
        ("reop_90", pa.bool_()),
        # Completed months (30.4375 days) of follow-up at extract time: days would date the
        # surgery to the day, given the extract date.
        ("follow_up_months", pa.int16()),
    ]
)

OUTCOMES = pa.schema(
    [
        ("episode_key", pa.string()),
        ("instrument", pa.string()),  # odi | ndi | nrs-back | nrs-leg | promis-10 | eq5d-5l
        ("timepoint", pa.string()),  # baseline | 2w | 6w | 3m | 12m | 24m
        ("days_from_surgery", pa.int16()),  # negative before surgery
        ("score", pa.float32()),  # scorable responses only
    ]
)

COMPLICATIONS = pa.schema(
    [
        ("episode_key", pa.string()),
        ("days_from_surgery", pa.int16()),  # onset
        ("clavien_dindo", pa.string()),  # I, II, IIIa, IIIb, IVa, IVb, V
        ("ssi_depth", pa.string()),  # superficial | deep | organ_space | null
        ("related", pa.bool_()),  # related to the surgery; null = not known
        ("readmitted", pa.bool_()),
        ("reoperated", pa.bool_()),
        ("reported_by", pa.string()),  # staff | patient (confirmed by staff)
        ("category", pa.string()),  # ssi | surgical | medical; null = type not recorded
    ]
)
# complications.category values: a surgical site infection (any NHSN depth); another
# complication of the operation itself; a systemic (medical) complication.
COMPLICATION_CATEGORIES = ("ssi", "surgical", "medical")


def follow_up_months(days: int) -> int:
    """Completed months of follow-up: floor(days / 30.4375), never below 0."""
    return max(0, days) * 16 // 487


TABLES: dict[str, pa.Schema] = {
    "episodes": EPISODES,
    "outcomes": OUTCOMES,
    "complications": COMPLICATIONS,
}
