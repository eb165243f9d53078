"""Tables and plots for a learned answer selector: calibration of its confidence, and what each threshold buys.

A record is one question's outcome under the selector, a dict with
- `probability`: the answerer's calibrated confidence in its best answer (it answers when this is >= a threshold);
- `answerable`: whether the corpus holds the answer;
- `correct`: whether the best answer holds the asked facts (false for unanswerable questions; only counted on
  answerable ones);
- `category`, `fold`, `set`: what `per_group_table` can group by.

Definitions match `metrics.py`: fact accuracy is over answerable questions (answered and correct), false abstention
over answerable ones (not answered), abstention recall over unanswerable ones (not answered). Coverage is the
share of all questions answered; accuracy is over the answered ones (answerable and correct). A rate whose
denominator is empty is None.

matplotlib is imported inside the plotting functions, so importing this module does not import it (it comes with
the `eval` extra). The plots draw on a bare Figure with the Agg canvas: no pyplot, no global state, no window.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Record = Mapping[str, Any]  # one question's outcome (see above); a table row read back is one too
Row = dict[str, Any]  # a row of a table made here: its keys are the table's columns


def _pairs(probabilities: Iterable[float], outcomes: Iterable[Any]) -> tuple[list[float], list[float]]:
    probabilities, outcomes = [float(p) for p in probabilities], [float(bool(o)) for o in outcomes]
    if len(probabilities) != len(outcomes):
        raise ValueError(f"{len(probabilities)} probabilities but {len(outcomes)} outcomes")
    if not probabilities:
        raise ValueError("no probabilities")
    if not all(0.0 <= p <= 1.0 for p in probabilities):
        raise ValueError("probabilities must lie in [0, 1]")
    return probabilities, outcomes


def reliability_table(probabilities: Iterable[float], outcomes: Iterable[object], bins: int = 10) -> list[Row]:
    """Equal-width bins over [0, 1]: bin i holds lower <= p < upper (the last also p == 1). One row per bin, empty
    ones included: `lower`, `upper`, `count`, `mean_predicted` and `observed_rate` (None when the bin is empty)."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    probabilities, outcomes = _pairs(probabilities, outcomes)
    edges = [i / bins for i in range(bins + 1)]
    members: list[list[tuple[float, float]]] = [[] for _ in range(bins)]
    for p, y in zip(probabilities, outcomes):
        members[min(bisect_right(edges, p) - 1, bins - 1)].append((p, y))
    return [{"lower": edges[i], "upper": edges[i + 1], "count": len(held),
             "mean_predicted": sum(p for p, _ in held) / len(held) if held else None,
             "observed_rate": sum(y for _, y in held) / len(held) if held else None}
            for i, held in enumerate(members)]


def _ece(table: Sequence[Record]) -> float:
    total = sum(row["count"] for row in table)
    ece: float = sum(row["count"] / total * abs(row["mean_predicted"] - row["observed_rate"])
                     for row in table if row["count"])
    return ece


def expected_calibration_error(probabilities: Iterable[float], outcomes: Iterable[object], bins: int = 10) -> float:
    """Sum over the bins of (share of questions in the bin) x |mean predicted - observed rate|."""
    return _ece(reliability_table(probabilities, outcomes, bins))


def brier(probabilities: Iterable[float], outcomes: Iterable[object]) -> float:
    """Mean squared difference between the probability and the outcome (1 or 0)."""
    probabilities, outcomes = _pairs(probabilities, outcomes)
    return sum((p - y) ** 2 for p, y in zip(probabilities, outcomes)) / len(probabilities)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _rates(records: Sequence[Record], answered: Sequence[bool]) -> Row:
    answerable = [a for r, a in zip(records, answered) if r["answerable"]]
    unanswerable = [a for r, a in zip(records, answered) if not r["answerable"]]
    right = sum(1 for r, a in zip(records, answered) if a and r["answerable"] and r["correct"])
    return {"answered": sum(answered), "coverage": _rate(sum(answered), len(records)),
            "accuracy": _rate(right, sum(answered)),
            "false_abstention": _rate(sum(not a for a in answerable), len(answerable)),
            "abstention_recall": _rate(sum(not a for a in unanswerable), len(unanswerable)),
            "fact_accuracy": _rate(right, len(answerable))}


def coverage_curve(records: Sequence[Record]) -> list[Row]:
    """One row per distinct probability t, lowest first, answering the questions with probability >= t:
    `threshold`, `answered`, `coverage`, `accuracy`, `false_abstention`, `abstention_recall`, `fact_accuracy`."""
    return [{"threshold": t, **_rates(records, [r["probability"] >= t for r in records])}
            for t in sorted({float(r["probability"]) for r in records})]


def _ordered(values: Iterable[Any]) -> list[Any]:
    values = set(values)
    try:
        return sorted(values)
    except TypeError:  # mixed types (a missing fold is None): order by their text
        return sorted(values, key=str)


def _answered(record: Record, threshold: float | None) -> bool:
    if threshold is not None:
        answered: bool = record["probability"] >= threshold
        return answered
    if "abstained" not in record:
        raise KeyError("a record needs 'abstained' when no threshold is given")
    return not record["abstained"]


def per_group_table(records: Sequence[Record], key: str, threshold: float | None = None) -> list[Row]:
    """One row per value of `key` (`fold`, `category`, `set`), in order: the value under `key`, `n`, `answerable`,
    `fact_accuracy`, `false_abstention`, `abstention_recall`. A question counts as answered when its probability
    is >= threshold or, with no threshold, when its record's `abstained` is false (the decision the answerer made,
    say with each fold's own threshold)."""
    rows = []
    for value in _ordered(r.get(key) for r in records):
        group = [r for r in records if r.get(key) == value]
        rates = _rates(group, [_answered(r, threshold) for r in group])
        rows.append({key: value, "n": len(group), "answerable": sum(1 for r in group if r["answerable"]),
                     **{name: rates[name] for name in ("fact_accuracy", "false_abstention", "abstention_recall")}})
    return rows


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Record], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of the given columns (default: the first row's keys; the keys are the headers): floats to
    three places, None and missing values as -, booleans as yes/no."""
    columns = list(columns if columns is not None else rows[0] if rows else [])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(column)) for column in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _figure(size: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size)
    FigureCanvasAgg(figure)
    return figure


def plot_reliability(table: Sequence[Record], path: Path, title: str) -> Path:
    """The reliability diagram (observed rate against mean predicted probability per non-empty bin, with the
    diagonal of perfect calibration and the ECE) above a histogram of the bins' counts. Writes a PNG."""
    figure = _figure((5.5, 6))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    filled = [row for row in table if row["count"]]
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
    top.plot([row["mean_predicted"] for row in filled], [row["observed_rate"] for row in filled], marker="o",
             label=f"selector (ECE {_ece(table):.3f})" if filled else "selector")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("observed rate of correct answers")
    top.set_title(title)
    top.legend(loc="upper left")
    bottom.bar([row["lower"] for row in table], [row["count"] for row in table],
               width=[row["upper"] - row["lower"] for row in table], align="edge", edgecolor="white")
    bottom.set_xlabel("predicted probability")
    bottom.set_ylabel("questions")
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)
    return Path(path)


def plot_coverage(curve: Sequence[Record], path: Path, title: str, chosen_threshold: float | None = None) -> Path:
    """Left: accuracy among answered questions against coverage. Right: coverage, fact accuracy, false abstention
    and abstention recall against the threshold. The chosen threshold, if given, is marked on both. Writes a PNG."""
    figure = _figure((11, 4.5))
    left, right = figure.subplots(1, 2)
    points = [row for row in curve if row["accuracy"] is not None]
    left.plot([row["coverage"] for row in points], [row["accuracy"] for row in points], marker=".")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.set_xlabel("coverage (share of questions answered)")
    left.set_ylabel("accuracy among answered")
    thresholds = [row["threshold"] for row in curve]
    for name, label in (("coverage", "coverage"), ("fact_accuracy", "fact accuracy"),
                        ("false_abstention", "false abstention"), ("abstention_recall", "abstention recall")):
        shown = [(t, row[name]) for t, row in zip(thresholds, curve) if row[name] is not None]
        if shown:
            right.step([t for t, _ in shown], [v for _, v in shown], where="post", label=label)
    right.set_ylim(0, 1.02)
    right.set_xlabel("threshold (answer when probability >= threshold)")
    right.set_ylabel("share")
    if chosen_threshold is not None:
        right.axvline(chosen_threshold, color="black", linestyle=":", label=f"chosen {chosen_threshold:.3f}")
        at = [row for row in points if row["threshold"] >= chosen_threshold]
        if at:  # the first point on the curve that the chosen threshold answers like
            left.plot([at[0]["coverage"]], [at[0]["accuracy"]], marker="o", color="black", linestyle="none",
                      label=f"chosen {chosen_threshold:.3f}")
            left.legend(loc="lower left")
    right.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, format="png", dpi=100)
    return Path(path)
