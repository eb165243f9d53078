"""The threshold rule and the abstention model's columns (evaluation/abstention_fit.py): logic, no model load."""

import numpy as np

from evidence_bot.evaluation.abstention_fit import best_threshold, fit_answer_model


def test_a_clean_split_puts_the_threshold_between_right_and_wrong_answers():
    confidences = np.tile([0.1, 0.2, 0.25, 0.8, 0.85, 0.9], 20)
    correct = np.tile([False, False, False, True, True, True], 20)
    answerable = np.tile([False, True, False, True, True, True], 20)
    threshold = best_threshold(confidences, correct, answerable)
    assert 0.25 < threshold <= 0.8


def test_the_threshold_sits_inside_a_flat_stretch_of_cost_not_at_its_cheapest_edge():
    # From 0.4 to 0.6 two right answers alternate with one to a question the evidence cannot answer: each three
    # cost 2 answered (the invention) and 2 abstained (the right ones lost), so the cost is flat there. Two more
    # inventions at 0.59 make the single cheapest point 0.6, by less than the cost's noise: the band's middle is
    # chosen, not that edge (the exact lowest point's plateau gives 0.595).
    middle = np.linspace(0.4, 0.6, 45)
    confidences = np.concatenate([np.linspace(0.05, 0.3, 30), middle, [0.59, 0.59], np.linspace(0.75, 0.95, 30)])
    right = np.concatenate([np.zeros(30, bool), np.arange(45) % 3 != 0, [False, False], np.ones(30, bool)])
    threshold = best_threshold(confidences, right, right)
    assert 0.4 <= threshold <= 0.56


def test_answering_an_unanswerable_question_costs_more_than_a_false_abstention():
    # Two answers at 0.5: one right, one to a question the evidence cannot answer. Answering both costs 2,
    # abstaining on both costs 1 (the right one lost), so the threshold rises above them.
    confidences = np.array([0.5, 0.5] * 20 + [0.9] * 5)
    correct = np.array([True, False] * 20 + [True] * 5)
    answerable = np.array([True, False] * 20 + [True] * 5)
    assert best_threshold(confidences, correct, answerable) > 0.5


class Outcome:
    def __init__(self, row, correct):
        self.answer_row, self.correct = np.asarray(row, float), correct


def test_a_yes_no_column_is_not_standardised_and_a_graded_one_is():
    rng = np.random.default_rng(1)
    outcomes = [Outcome([rng.normal(), float(i % 50 == 0)], bool(rng.random() < 0.5)) for i in range(400)]
    model = fit_answer_model(outcomes)
    assert model["mean"][1] == 0.0 and model["scale"][1] == 1.0
    assert model["scale"][0] != 1.0 and model["mean"][0] != 0.0
