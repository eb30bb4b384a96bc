"""Combining reviewers' scores: methods, fewer than 3 reviewers, spread, abstentions, gate overrides."""

from __future__ import annotations

import pytest

from shifan.review.model import Verification
from shifan.review.reconcile import Decision, ReviewerEntry, combine, gate_decision, scored_decision
from shifan.rules.vocab import Status


def entries(*scores: float | None, overrides: tuple[str | None, ...] = ()) -> list[ReviewerEntry]:
    result = []
    for index, score in enumerate(scores):
        override = overrides[index] if index < len(overrides) else None
        result.append(
            ReviewerEntry(
                reviewer=f"专家{index}",
                score=score,
                remark="",
                verification=Verification.NOT_CHECKED,
                override=override,  # type: ignore[arg-type]
                override_reason="理由" if override else "",
            )
        )
    return result


@pytest.mark.parametrize(
    ("scores", "expected", "used"),
    [
        ([6, 8], 7.0, "mean"),  # 2 reviewers: nothing can be dropped, plain mean
        ([3, 8, 10], 8.0, "trimmed_mean"),  # 3: drop 3 and 10
        ([2, 7, 7.5, 8, 10], 7.5, "trimmed_mean"),  # 5: drop 2 and 10, mean of 7, 7.5, 8
        ([5], 5.0, "mean"),
    ],
)
def test_trimmed_mean_with_two_three_and_five_reviewers(scores: list[float], expected: float, used: str) -> None:
    assert combine(scores, "trimmed_mean") == (expected, used)


def test_trimmed_mean_drops_only_one_of_equal_extremes() -> None:
    assert combine([4, 4, 9, 9], "trimmed_mean") == (6.5, "trimmed_mean")


def test_mean_and_median() -> None:
    assert combine([1, 2, 6], "mean") == (3.0, "mean")
    assert combine([1, 2, 6], "median") == (2.0, "median")
    assert combine([1, 2, 6, 9], "median") == (4.0, "median")


def test_combine_rounds_to_two_decimals() -> None:
    assert combine([1, 1, 2], "mean") == (1.33, "mean")


def test_empty_scores_are_refused() -> None:
    with pytest.raises(ValueError):
        combine([], "mean")


def test_blank_scores_abstain_and_unscored_items_keep_computed_points() -> None:
    scored = scored_decision(Status.PASS, 10.0, entries(None, 6, None), "trimmed_mean", 2.0)
    assert scored.points == 6.0 and scored.basis == "reviewers"
    unscored = scored_decision(Status.PARTIAL, 4.0, entries(None, None), "trimmed_mean", 2.0)
    assert unscored == Decision(Status.PARTIAL, 4.0, "computed")


def test_spread_above_max_spread_is_flagged_and_equal_is_not() -> None:
    assert scored_decision(Status.PASS, 10.0, entries(5, 8), "mean", 2.0).disagreement is True
    assert scored_decision(Status.PASS, 10.0, entries(6, 8), "mean", 2.0).disagreement is False
    assert scored_decision(Status.PASS, 10.0, entries(0, 10), "mean", None).disagreement is False


def test_not_applicable_items_ignore_scores() -> None:
    result = scored_decision(Status.NOT_APPLICABLE, 0.0, entries(5), "mean", 2.0)
    assert result.points == 0.0 and result.basis == "not_applicable"


def test_fail_override_by_one_reviewer_vetoes() -> None:
    result, records = gate_decision("A1", "资质", Status.PASS, entries(None, None, None, overrides=(None, "fail")), 3)
    assert result.status is Status.FAIL and result.basis == "override"
    assert [r.effective for r in records] == [True]


def test_pass_override_needs_a_majority_and_no_fail() -> None:
    minority, records = gate_decision("A3", "事件", Status.FAIL, entries(None, None, None, overrides=("pass",)), 3)
    assert minority.status is Status.FAIL and minority.disagreement is True
    assert records[0].effective is False
    majority, records = gate_decision(
        "A3", "事件", Status.FAIL, entries(None, None, None, overrides=("pass", "pass")), 3
    )
    assert majority.status is Status.PASS and all(r.effective for r in records)
    conflict, _ = gate_decision("A3", "事件", Status.FAIL, entries(None, None, overrides=("pass", "fail")), 2)
    assert conflict.status is Status.FAIL and conflict.disagreement is True


def test_override_agreeing_with_data_changes_nothing() -> None:
    result, records = gate_decision("A1", "资质", Status.PASS, entries(None, overrides=("pass",)), 1)
    assert result.status is Status.PASS and result.basis == "computed" and not result.disagreement
    assert records[0].effective is False
