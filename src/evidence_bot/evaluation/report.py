"""Evaluation reports: the printed table, the JSON record, the Markdown summary and the threshold gate."""

import json
import tomllib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evidence_bot.evaluation.metrics import QuestionOutcome, by_category, summarise

RETRIEVAL = ("hit@1", "hit@4", "hit@10", "mrr@10")
ANSWERS = ("fact_accuracy", "citation_support", "abstention_precision", "abstention_recall", "false_abstention")
LATENCY = ("latency_p50_ms", "latency_p95_ms")


def build_report(name: str, date: str, ours: list[QuestionOutcome], peer: list[QuestionOutcome] | None,
                 context: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = {"set": name, "date": date, **context, "overall": summarise(ours),
                              "categories": by_category(ours), "outcomes": [asdict(o) for o in ours]}
    if peer is not None:
        report["peer"] = {"overall": summarise(peer), "categories": by_category(peer),
                          "ranks": {o.id: o.gold_rank for o in peer}}
    return report


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if value >= 10 else f"{value:.3f}"


def overall_rows(report: dict[str, Any]) -> list[list[str]]:
    ours, peer = report["overall"], report.get("peer", {}).get("overall")
    rows = []
    for metric in ("questions",) + RETRIEVAL + ANSWERS + LATENCY:
        if metric not in ours:
            continue
        row = [metric, fmt(ours[metric])]
        if peer is not None:
            theirs = peer.get(metric) if metric in RETRIEVAL + LATENCY + ("questions",) else None
            ratio = ours[metric] / theirs if theirs else None
            row += [fmt(theirs), f"{ratio:.2f}x" if ratio and metric != "questions" else "-"]
        rows.append(row)
    return rows


def category_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, m in report["categories"].items():
        peer = report.get("peer", {}).get("categories", {}).get(name, {})
        rows.append([name, fmt(m["questions"]), fmt(m.get("hit@4")), fmt(peer.get("hit@4")), fmt(m.get("mrr@10")),
                     fmt(m.get("fact_accuracy")), fmt(m.get("abstention_recall")), fmt(m.get("citation_support"))])
    return rows


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    line: Callable[[list[str]], str] = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


OVERALL_HEADER = ["metric", "ours"]
PEER_HEADER = ["peer (LangChain tutorial)", "ours/peer"]
CATEGORY_HEADER = ["category", "n", "hit@4", "peer hit@4", "mrr@10", "facts", "abst. recall", "cit. support"]


def render_text(report: dict[str, Any]) -> str:
    header = OVERALL_HEADER + (PEER_HEADER if "peer" in report else [])
    return "\n\n".join([f"Evaluation of {report['set']} ({report['date']})", table(header, overall_rows(report)),
                        table(CATEGORY_HEADER, category_rows(report))])


def render_markdown(report: dict[str, Any], failures: list[str]) -> str:
    def md(header: list[str], rows: list[list[str]]) -> str:
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] +
                         ["| " + " | ".join(r) + " |" for r in rows])
    header = OVERALL_HEADER + (PEER_HEADER if "peer" in report else [])
    misses = [o for o in report["outcomes"] if (o["answerable"] and not o["facts_found"]) or
              (not o["answerable"] and not o["abstained"])]
    lines = [f"# Evaluation: {report['set']}, {report['date']}", "",
             f"Corpus: `{report.get('corpus')}`; {report['overall']['questions']} questions; "
             f"abstention threshold {report.get('abstain_threshold')}.", "",
             md(header, overall_rows(report)), "", "## By category", "", md(CATEGORY_HEADER, category_rows(report)),
             "", "## Thresholds", "", "All met." if not failures else "\n".join(f"- FAILED: {f}" for f in failures),
             "", f"## Wrong answers and missed abstentions ({len(misses)})", ""]
    lines += [f"- `{o['id']}` ({o['category']}): " + ("answered although unanswerable" if not o["answerable"] else
              "abstained" if o["abstained"] else "required fact missing") + f", confidence {o['confidence']:.3f}"
              for o in misses]
    return "\n".join(lines) + "\n"


def check_thresholds(report: dict[str, Any], path: Path) -> list[str]:
    """Failures against the thresholds for this set ([<set>.min], [<set>.max], beat_peer)."""
    config = tomllib.loads(Path(path).read_text(encoding="utf-8")).get(report["set"], {})
    overall, failures = report["overall"], []
    for metric, floor in config.get("min", {}).items():
        if overall.get(metric, 0.0) < floor:
            failures.append(f"{metric} {overall.get(metric, 0.0):.3f} is below {floor}")
    for metric, ceiling in config.get("max", {}).items():
        if overall.get(metric, 0.0) > ceiling:
            failures.append(f"{metric} {overall.get(metric, 0.0):.3f} is above {ceiling}")
    if config.get("beat_peer") and "peer" in report:
        for metric in RETRIEVAL:
            theirs = report["peer"]["overall"][metric]
            if overall[metric] < theirs or overall[metric] == theirs < 1.0:  # a shared 1.0 cannot be beaten
                failures.append(f"{metric} {overall[metric]:.3f} does not beat the peer's {theirs:.3f}")
    return failures


def missed_targets(report: dict[str, Any], path: Path) -> list[str]:
    """The issue's targets ([<set>.target], minimums; names ending _max are ceilings): reported, not gated."""
    targets = tomllib.loads(Path(path).read_text(encoding="utf-8")).get(report["set"], {}).get("target", {})
    missed = []
    for metric, goal in targets.items():
        name, ceiling = (metric[:-4], True) if metric.endswith("_max") else (metric, False)
        value = report["overall"].get(name, 0.0)
        if (value > goal) if ceiling else (value < goal):
            missed.append(f"{name} {value:.3f} misses the target {'<=' if ceiling else '>='} {goal}")
    return missed


def write_report(report: dict[str, Any], failures: list[str], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{report['set']}-{report['date']}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps({**report, "failures": failures}, indent=1), encoding="utf-8")
    md_path.write_text(render_markdown(report, failures), encoding="utf-8")
    return json_path, md_path
