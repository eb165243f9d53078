"""Refit the statement mapping and measure it: `make fit-mapping`.

    python evals/fit_mapping.py --write \
        --train evals/mapping-wider.jsonl:../shared/corpus-wider --test evals/mapping.jsonl:../shared/corpus \
        --second evals/mapping-second.jsonl

Fits on the --train labels (other councils' pages; no Thurrock label), and any --train-pack labels (an
evaluation pack's documents, evals/mapping-packs, each pack one fold), choosing the decision rule on folds
of whole councils; reports the held-out figures, the CQC statement pages' findings, and the --test labels
(Thurrock, never used in fitting) beside a second annotator's labels of the same passages (--second), the
agreement a model can hope for. Writes evals/results/mapping-<date>.md/.json; with --write, the model
goes to src/evidence_bot/data/mapping-v1.json with its record. Deterministic."""

import argparse
import hashlib
import json
import sys
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from evidence_bot.config import Settings
from evidence_bot.evaluation import mapping_fit as fit
from evidence_bot.evaluation.mapping import load_labels
from evidence_bot.evidence.frameworks.framework import load_frameworks
from evidence_bot.service import EvidenceBot

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "src/evidence_bot/data/mapping-v1.json"
RESULTS = ROOT / "evals/results"


def council_of(label) -> str:
    """The fold: the council a page is about (file names start with it: 'westminster-safeguarding.txt')."""
    return Path(label.document).name.split("-")[0].split("_")[0]


def pack_fold(name: str):
    """An evaluation pack's fold: the pack itself (its file names are kinds, "cqc-…", "news-…", not councils)."""
    return lambda _label: name


def indexed(name: str, corpus: Path) -> EvidenceBot:
    bot = EvidenceBot(Settings(index_dir=RESULTS / "tmp" / f"fit-{name}"))
    print(f"{name}: {bot.library().ingest([corpus]).summary()}")
    return bot


def train_name(labels: Path) -> str:
    """The index folder of a training set: 'wider' for evals/mapping-wider.jsonl (the name the Makefile's eval uses)."""
    return labels.stem.removeprefix("mapping-")


def statement_page(frameworks, passage) -> str | None:
    """The statement a CQC statement page (its title names exactly one) is about."""
    if not passage.label.document.startswith("cqc/"):
        return None
    title = passage.heading.lower()
    named = {s.id for s in frameworks["cqc-la"].statements for n in s.names() if n.lower() in title}
    return named.pop() if len(named) == 1 else None


def findings_share(frameworks, scored, headings_note: str) -> dict:
    """Of the CQC statement pages' labelled passages filed under the page's statement, the share whose top
    statement is the page's own."""
    kept = [(p, probs) for p, probs in scored
            if (page := statement_page(frameworks, p)) and page in p.label.statements]
    hits = sum(fit.ids_of(frameworks, p)[int(probs.argmax())] == statement_page(frameworks, p) for p, probs in kept)
    return {"passages": len(kept), "top_is_page_statement": round(hits / len(kept), 3) if kept else None,
            "headings": headings_note}


def without_headings(frameworks, base, passages):
    """Held-out probabilities with the passages' titles and headings hidden: what the words alone say."""
    result = []
    for group in sorted({p.group for p in passages}):
        model, fitted = fit.fit_pairs(frameworks, base, [p for p in passages if p.group != group])
        for p in passages:
            if p.group == group:
                framework = frameworks[p.label.framework]
                rows = fit.features_of(p, framework, fitted[framework.id], headings=False)
                result.append((p, model.predict_proba(rows)[:, 1]))
    return result


def refresh_seconds(bot: EvidenceBot) -> float:
    """The whole mapping of the test corpus computed again (both frameworks), as after a framework change."""
    import time

    bot.embedder.embed(["warm the model"])
    bot.catalog.db.execute("DELETE FROM framework_versions")
    bot.catalog.db.commit()
    started = time.perf_counter()
    bot.library().refresh_mapping()
    return round(time.perf_counter() - started, 2)


def scores_against(frameworks, scored, rule, labels_by_id=None) -> dict:
    pairs = [(p.label.framework, (labels_by_id or {}).get(p.label.id, p.label.statements),
              fit.choose(probs, fit.ids_of(frameworks, p), rule)) for p, probs in scored]
    return {"overall": fit.pair_scores([(g, a) for _, g, a in pairs]), "per_statement": fit.per_statement(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True, action="append",
                        help="LABELS:CORPUS of other councils' evidence (repeat for several sets)")
    parser.add_argument("--train-pack", action="append", default=[],
                        help="LABELS:CORPUS of one evaluation pack (evals/blindN): held out as one fold, its "
                             "documents naming no council by their file names")
    parser.add_argument("--test", help="LABELS:CORPUS never used in fitting (Thurrock)")
    parser.add_argument("--second", type=Path, help="a second annotator's labels of the --test passages")
    parser.add_argument("--write", action="store_true", help=f"write the model to {SHIPPED.relative_to(ROOT)}")
    parser.add_argument("--check", type=Path, help="exit 1 below the floors of this file's [mapping-heldout.min]")
    args = parser.parse_args()
    frameworks = {fid: f for fid, f in load_frameworks().items() if fid in ("cqc-la", "ofsted-ilacs")}
    train_sets = [tuple(Path(x) for x in spec.split(":", 1)) for spec in args.train + args.train_pack]
    packs = {Path(spec.split(":", 1)[0]) for spec in args.train_pack}
    passages = []
    for labels_path, corpus in train_sets:
        bot = indexed(train_name(labels_path), corpus)
        group_of = pack_fold(train_name(labels_path)) if labels_path in packs else council_of
        passages += fit.labelled_passages(bot, corpus, load_labels(labels_path), group_of)
    base = fit.base_vectors(frameworks, bot.embedder.embed)
    scored = fit.held_out(frameworks, base, passages)
    rule = fit.best_rule(frameworks, scored)
    report: dict[str, Any] = {"date": date.today().isoformat(), "train": [str(labels) for labels, _ in train_sets],
              "passages": len(passages),
              "councils": len({p.group for p in passages}), "rule": list(rule),
              "held_out": scores_against(frameworks, scored, rule),
              "cqc_findings_held_out": findings_share(frameworks, scored, "shown"),
              "cqc_findings_held_out_words_only": findings_share(
                  frameworks, without_headings(frameworks, base, passages), "hidden")}
    model, fitted = fit.fit_pairs(frameworks, base, passages)
    if args.test:
        test_labels, test_corpus = (Path(x) for x in args.test.split(":", 1))
        test_bot = indexed(test_labels.stem if test_labels.stem != "mapping" else "thurrock", test_corpus)
        tests = fit.labelled_passages(test_bot, test_corpus, load_labels(test_labels), lambda label: label.document)
        probs = [(p, model.predict_proba(fit.features_of(p, frameworks[p.label.framework],
                                                         fitted[p.label.framework]))[:, 1]) for p in tests]
        report["test"] = scores_against(frameworks, probs, rule)
        report["test_refresh_seconds"] = refresh_seconds(test_bot)
        report["test_top_statement"] = fit.top_statement_share(probs, frameworks, lambda p: True)[0]
        if args.second:
            second = {label.id: label.statements for label in load_labels(args.second)}
            first = {p.label.id: p.label.statements for p in tests}
            report["second_annotator_vs_test_labels"] = fit.pair_scores([(first[i], second[i]) for i in first])
            report["model_vs_second_annotator"] = scores_against(frameworks, probs, rule, second)["overall"]
    record = {"labels": {str(labels): hashlib.sha256(labels.read_bytes()).hexdigest()[:16] for labels, _ in train_sets},
              "passages": len(passages), "councils": report["councils"], "fitted": report["date"],
              "regularisation": fit.REGULARISATION, "held_out_f1": report["held_out"]["overall"]["f1"],
              "rule_chosen_on": "held-out councils (folds by council), highest F1 over pairs"}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"mapping-{'check-' if args.check and not args.write else ''}{report['date']}.json"
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k not in ("held_out", "test")}, indent=1))
    print("held out:", report["held_out"]["overall"])
    if "test" in report:
        print("test:", report["test"]["overall"])
    if args.write:
        SHIPPED.write_text(json.dumps(fit.model_file(model, fitted, frameworks, rule, record)) + "\n", encoding="utf-8")
        print(f"wrote {SHIPPED.relative_to(ROOT)}")
    print(f"report: {out.relative_to(ROOT)}")
    if args.check:
        failures = below_floors(report, args.check)
        for failure in failures:
            print(f"FAILED: {failure}")
        sys.exit(1 if failures else 0)


def below_floors(report: dict, thresholds: Path) -> list[str]:
    floors = tomllib.loads(thresholds.read_text(encoding="utf-8")).get("mapping-heldout", {}).get("min", {})
    measured = {"f1": report["held_out"]["overall"]["f1"],
                "cqc_findings_top": report["cqc_findings_held_out"]["top_is_page_statement"] or 0.0}
    return [f"held-out {name} {measured[name]:.3f} is below {floor}" for name, floor in floors.items()
            if measured.get(name, 0.0) < floor]


if __name__ == "__main__":
    main()
