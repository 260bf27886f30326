"""Predikat kinerja: the matrix of PermenPANRB 6/2022, cell by cell."""

from __future__ import annotations

import pytest

from workflow.predicate import CURRENT_RULE, MATRICES, predicate_for

# hasil kerja (rows) x perilaku kerja (columns: di bawah, sesuai, di atas)
PERMENPANRB_6_2022 = {
    "di_atas_ekspektasi": ["Kurang/Misconduct", "Baik", "Sangat Baik"],
    "sesuai_ekspektasi": ["Kurang/Misconduct", "Baik", "Baik"],
    "di_bawah_ekspektasi": ["Sangat Kurang", "Butuh Perbaikan", "Butuh Perbaikan"],
}
BEHAVIOUR = ["di_bawah_ekspektasi", "sesuai_ekspektasi", "di_atas_ekspektasi"]


@pytest.mark.parametrize("work_result", sorted(PERMENPANRB_6_2022))
@pytest.mark.parametrize("column", range(3))
def test_permenpanrb_6_2022_matrix(work_result, column):
    expected = PERMENPANRB_6_2022[work_result][column]
    assert predicate_for(work_result, BEHAVIOUR[column], "permenpanrb-6-2022") == expected


def test_current_rule_is_permenpanrb_6_2022_and_complete():
    assert CURRENT_RULE == "permenpanrb-6-2022"
    assert len(MATRICES[CURRENT_RULE]) == 9


def test_unknown_rating_is_refused():
    with pytest.raises(ValueError):
        predicate_for("luar biasa", "sesuai_ekspektasi")


def test_review_stores_the_predicate_and_the_rule_it_came_from(session, cast):
    from tests.factories import new_record
    from tests.workflow_paths import bring_to
    from workflow import fire

    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    record = fire(
        record,
        "review",
        cast.supervisor,
        via="api",
        payload={
            "work_result_rating": "di_bawah_ekspektasi",
            "behaviour_rating": "di_bawah_ekspektasi",
            "feedback": "Perlu pendampingan intensif.",
            "behaviour_feedback": {"akuntabel": "Laporan sering terlambat."},
        },
    )
    assert (record.predicate, record.predicate_rule) == ("Sangat Kurang", "permenpanrb-6-2022")
    assert record.feedback == "Perlu pendampingan intensif."
