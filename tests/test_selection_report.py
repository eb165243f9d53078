"""The selector's report tables and plots (evaluation/selection_report.py), on hand-made records whose figures
were worked out by hand."""

import subprocess
import sys

import numpy as np
import pytest

from evidence_bot.evaluation.selection_report import (
    brier,
    coverage_curve,
    expected_calibration_error,
    markdown_table,
    per_group_table,
    plot_coverage,
    plot_reliability,
    reliability_table,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def record(probability, answerable, correct, fold, category="single_fact"):
    return {"probability": probability, "answerable": answerable, "correct": correct, "category": category,
            "fold": fold, "set": "hand"}


# Four answerable (A, B, D, F) and two unanswerable (C, E) questions.
RECORDS = [
    record(0.9, True, True, 1),                     # A
    record(0.8, True, False, 1),                    # B: answered wrongly when answered
    record(0.6, False, False, 1, "unanswerable"),   # C
    record(0.4, True, True, 2),                     # D
    record(0.2, False, False, 2, "unanswerable"),   # E
    record(0.9, True, True, 2),                     # F: same probability as A, one threshold for both
]


def test_perfectly_calibrated_bins_give_no_calibration_error():
    # bin [0, 0.5): four at 0.25, one right; bin [0.5, 1]: four at 0.75, three right.
    probabilities, outcomes = [0.25] * 4 + [0.75] * 4, [1, 0, 0, 0] + [1, 1, 1, 0]
    table = reliability_table(probabilities, outcomes, bins=2)
    assert table == [
        {"lower": 0.0, "upper": 0.5, "count": 4, "mean_predicted": 0.25, "observed_rate": 0.25},
        {"lower": 0.5, "upper": 1.0, "count": 4, "mean_predicted": 0.75, "observed_rate": 0.75},
    ]
    assert expected_calibration_error(probabilities, outcomes, bins=2) == pytest.approx(0.0)


def test_overconfident_selector_has_the_hand_computed_calibration_error_and_brier_score():
    # Four at 0.9 with two right (gap 0.4), two at 0.2 with none right (gap 0.2):
    # ECE = 4/6 * 0.4 + 2/6 * 0.2 = 1/3; Brier = (2 * 0.01 + 2 * 0.81 + 2 * 0.04) / 6 = 1.72 / 6.
    probabilities, outcomes = [0.9, 0.9, 0.9, 0.9, 0.2, 0.2], [True, True, False, False, False, False]
    table = reliability_table(probabilities, outcomes)
    assert reliability_table(np.array(probabilities), np.array(outcomes)) == table  # arrays as well as lists
    assert [row["count"] for row in table] == [0, 0, 2, 0, 0, 0, 0, 0, 0, 4]
    assert table[9]["mean_predicted"] == pytest.approx(0.9) and table[9]["observed_rate"] == 0.5
    assert table[2]["mean_predicted"] == pytest.approx(0.2) and table[2]["observed_rate"] == 0.0
    assert table[0]["mean_predicted"] is None and table[0]["observed_rate"] is None
    assert expected_calibration_error(probabilities, outcomes) == pytest.approx(1 / 3)
    assert brier(probabilities, outcomes) == pytest.approx(1.72 / 6)


def test_bin_edges_belong_to_the_bin_above_and_one_to_the_last():
    table = reliability_table([0.0, 0.5, 1.0, 0.3], [0, 1, 1, 0], bins=2)
    assert [row["count"] for row in table] == [2, 2]
    assert reliability_table([0.3], [1], bins=10)[3]["count"] == 1  # 0.3 is the lower edge of bin 3


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        reliability_table([0.5, 0.6], [1])
    with pytest.raises(ValueError):
        reliability_table([1.2], [1])
    with pytest.raises(ValueError):
        brier([], [])


def test_coverage_curve_matches_the_hand_computed_rows():
    curve = coverage_curve(RECORDS)
    assert [row["threshold"] for row in curve] == [0.2, 0.4, 0.6, 0.8, 0.9]
    assert [row["answered"] for row in curve] == [6, 5, 4, 3, 2]
    expected = {  # coverage, accuracy among answered, false abstention, abstention recall, fact accuracy
        0.2: (6 / 6, 3 / 6, 0 / 4, 0 / 2, 3 / 4),  # everything answered
        0.4: (5 / 6, 3 / 5, 0 / 4, 1 / 2, 3 / 4),  # E held back
        0.6: (4 / 6, 2 / 4, 1 / 4, 1 / 2, 2 / 4),  # D held back too
        0.8: (3 / 6, 2 / 3, 1 / 4, 2 / 2, 2 / 4),  # C held back: A, B, F answered
        0.9: (2 / 6, 2 / 2, 2 / 4, 2 / 2, 2 / 4),  # only A and F
    }
    for row in curve:
        assert (row["coverage"], row["accuracy"], row["false_abstention"], row["abstention_recall"],
                row["fact_accuracy"]) == pytest.approx(expected[row["threshold"]])


def test_a_rate_with_nothing_to_count_is_none():
    curve = coverage_curve([record(0.7, True, True, 1)])
    assert curve == [{"threshold": 0.7, "answered": 1, "coverage": 1.0, "accuracy": 1.0, "false_abstention": 0.0,
                      "abstention_recall": None, "fact_accuracy": 1.0}]


def test_per_group_table_by_fold_and_by_category():
    # At 0.6: fold 1 answers A, B, C (A right); fold 2 answers F only (D and E held back).
    assert per_group_table(RECORDS, "fold", threshold=0.6) == [
        {"fold": 1, "n": 3, "answerable": 2, "fact_accuracy": 0.5, "false_abstention": 0.0, "abstention_recall": 0.0},
        {"fold": 2, "n": 3, "answerable": 2, "fact_accuracy": 0.5, "false_abstention": 0.5, "abstention_recall": 1.0},
    ]
    by_category = per_group_table(RECORDS, "category", threshold=0.6)
    assert [row["category"] for row in by_category] == ["single_fact", "unanswerable"]
    assert by_category[0] == {"category": "single_fact", "n": 4, "answerable": 4, "fact_accuracy": 0.5,
                              "false_abstention": 0.25, "abstention_recall": None}
    assert by_category[1] == {"category": "unanswerable", "n": 2, "answerable": 0, "fact_accuracy": None,
                              "false_abstention": None, "abstention_recall": 0.5}


def test_per_group_table_without_a_threshold_takes_each_records_own_decision():
    # As if each fold had its own threshold: fold 1 answered A and C, fold 2 answered D and F.
    decided = [dict(r, abstained=abstained) for r, abstained in zip(RECORDS, [False, True, False, False, True, False])]
    assert per_group_table(decided, "fold") == [
        {"fold": 1, "n": 3, "answerable": 2, "fact_accuracy": 0.5, "false_abstention": 0.5, "abstention_recall": 0.0},
        {"fold": 2, "n": 3, "answerable": 2, "fact_accuracy": 1.0, "false_abstention": 0.0, "abstention_recall": 1.0},
    ]
    with pytest.raises(KeyError):
        per_group_table(RECORDS, "fold")


def test_markdown_table():
    rows = per_group_table(RECORDS, "category", threshold=0.6)
    assert markdown_table(rows, ["category", "n", "fact_accuracy", "abstention_recall"]) == (
        "| category | n | fact_accuracy | abstention_recall |\n"
        "|---|---|---|---|\n"
        "| single_fact | 4 | 0.500 | - |\n"
        "| unanswerable | 2 | - | 0.500 |\n")
    assert markdown_table([{"set": "a|b", "fold": 1, "kept": True, "rate": None}]) == (
        "| set | fold | kept | rate |\n|---|---|---|---|\n| a\\|b | 1 | yes | - |\n")


def assert_png(path):
    from matplotlib.image import imread

    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_SIGNATURE)
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def test_plots_are_written_as_png(tmp_path):
    probabilities = [r["probability"] for r in RECORDS]
    outcomes = [r["answerable"] and r["correct"] for r in RECORDS]
    reliability = plot_reliability(reliability_table(probabilities, outcomes), tmp_path / "reliability.png",
                                   "hand-made records")
    coverage = plot_coverage(coverage_curve(RECORDS), tmp_path / "coverage.png", "hand-made records",
                             chosen_threshold=0.6)
    plain = plot_coverage(coverage_curve(RECORDS), tmp_path / "coverage-plain.png", "no threshold marked")
    for path in (reliability, coverage, plain):
        assert_png(path)


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, evidence_bot.evaluation.selection_report; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
