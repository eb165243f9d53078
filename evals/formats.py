"""Issue 19's figures: scans read by OCR and tables read from PDFs, on the Thurrock corpus (`make eval-formats`).

1. The Ofsted action-plan PDF and its scanned rendition (every page an image, no text layer): the Thurrock
   questions about that report asked of each alone; answered the same way, and the character error rate of OCR
   against the text layer.
2. The Thurrock self-assessment's table questions asked of its PDF rendition alone (tables found, and not, as
   before) and of its Word rendition alone.

Prints the figures and saves evals/results/formats-<date>.json. Nothing here is fitted: the question sets and the
documents are the Thurrock evaluation's own."""

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from rapidfuzz.distance import Levenshtein  # noqa: E402

from evidence_bot import EvidenceBot, Settings  # noqa: E402
from evidence_bot.evaluation.matching import fact_present  # noqa: E402
from evidence_bot.evaluation.questions import load_questions  # noqa: E402
from evidence_bot.evaluation.report import check_thresholds  # noqa: E402
from evidence_bot.ingest.loaders import load_document  # noqa: E402

from helpers.scanmaker import write_scan  # noqa: E402

OFSTED = "pdf/ofsted-action-plan-progress.pdf"
SELF_ASSESSMENT = {"pdf": "pdf/better-care-together-self-assessment.pdf",
                   "docx": "docx/better-care-together-self-assessment.docx"}


def questions_about(questions_path: Path, document: str, category: str | None = None) -> list:
    """The answerable questions whose gold passages include this document."""
    return [q for q in load_questions(questions_path) if q.answerable and (category is None or q.category == category)
            and any(document in gold.documents for gold in q.gold)]


def one_document_corpus(corpus: Path, relative: str, folder: Path, replacement: Path | None = None) -> Path:
    """A corpus of one document of `corpus`, with its sources.yaml entry; replacement: other bytes under its name."""
    import yaml

    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(replacement or corpus / relative, target)
    sources = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    entries = [e for e in sources["documents"] if e["path"] == relative]
    (folder / "sources.yaml").write_text(yaml.safe_dump({"documents": entries}), encoding="utf-8")
    return folder


def answered(corpus: Path, questions: list, index: Path, **settings) -> dict:
    """Each question's answer over an index of the corpus: whether it holds the asked facts, what it cites."""
    bot = EvidenceBot(Settings(index_dir=index, **settings))
    try:
        report = bot.library().ingest([corpus])
        assert report.ok, report.failed
        results = {}
        for question in questions:
            answer = bot.reader().ask(question.question, question.history)
            results[question.id] = {"facts": not answer.abstained and all(fact_present(answer.answer, f)
                                                                           for f in question.facts),
                                    "abstained": answer.abstained, "answer": answer.answer,
                                    "ocr": any(c.ocr for c in answer.citations)}
        return {"questions": results, "pages": report.pages,
                "fact_accuracy": round(sum(r["facts"] for r in results.values()) / max(len(results), 1), 3)}
    finally:
        bot.close()


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def scanned(corpus: Path, questions_path: Path, scratch: Path) -> dict:
    questions = questions_about(questions_path, OFSTED)
    original = corpus / OFSTED
    scan = write_scan(original, scratch / "ofsted-scan.pdf")
    started = time.perf_counter()
    read = load_document(scan, [])
    seconds = time.perf_counter() - started
    truth, ocr = normalised(load_document(original, []).text), normalised(read.text)
    text_layer = answered(one_document_corpus(corpus, OFSTED, scratch / "text-layer"), questions, scratch / "i1")
    from_scan = answered(one_document_corpus(corpus, OFSTED, scratch / "scan", scan), questions, scratch / "i2")
    same = [q for q in text_layer["questions"]
            if text_layer["questions"][q]["facts"] == from_scan["questions"][q]["facts"]]
    return {"questions": len(questions), "text_layer": text_layer, "scan": from_scan,
            "answered_the_same_way": len(same), "character_error_rate": round(Levenshtein.distance(truth, ocr)
                                                                             / len(truth), 4),
            "ocr_pages": len(read.ocr_pages), "ocr_seconds": round(seconds, 1),
            "ocr_pages_per_second": round(len(read.ocr_pages) / seconds, 3),
            "ocr_confidence": min(read.ocr_pages.values(), default=None)}


def tables(corpus: Path, questions_path: Path, scratch: Path) -> dict:
    questions = questions_about(questions_path, SELF_ASSESSMENT["pdf"], "table_figure")
    results = {}
    for name, relative in SELF_ASSESSMENT.items():
        folder = one_document_corpus(corpus, relative, scratch / name)
        results[name] = answered(folder, questions, scratch / f"t-{name}")  # PDF: as configured (tables off)
    results["pdf_with_tables"] = answered(one_document_corpus(corpus, SELF_ASSESSMENT["pdf"], scratch / "tables"),
                                          questions, scratch / "t-tables", pdf_tables=True)
    return {"questions": len(questions), **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "thurrock.jsonl")
    parser.add_argument("--results", type=Path, default=ROOT / "evals" / "results")
    parser.add_argument("--thresholds", type=Path, help="Fail (exit 1) when a figure misses its [formats] floor.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evidence-bot-formats-") as tmp:
        figures = {"scan": scanned(args.corpus, args.questions, Path(tmp)),
                   "tables": tables(args.corpus, args.questions, Path(tmp))}
    scan, table = figures["scan"], figures["tables"]
    print(f"Scanned Ofsted action plan: {scan['answered_the_same_way']} of {scan['questions']} questions answered "
          f"the same way (facts {scan['text_layer']['fact_accuracy']} from the text layer, "
          f"{scan['scan']['fact_accuracy']} from the scan); character error rate {scan['character_error_rate']:.2%}; "
          f"OCR {scan['ocr_pages']} pages in {scan['ocr_seconds']} s ({scan['ocr_pages_per_second']} pages/s)")
    print(f"Self-assessment table questions ({table['questions']}): fact accuracy from the PDF alone "
          f"{table['pdf']['fact_accuracy']} (with its tables found: {table['pdf_with_tables']['fact_accuracy']}), "
          f"from the Word document alone {table['docx']['fact_accuracy']}")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"formats-{date.today().isoformat()}.json"
    out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"Saved {out}")
    if args.thresholds:
        failures = check_thresholds({"set": "formats", "overall": overall(figures)}, args.thresholds)
        for failure in failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1 if failures else 0)


def overall(figures: dict) -> dict:
    """The figures the gate reads ([formats.min] / [formats.max] in evals/thresholds.toml)."""
    scan, table = figures["scan"], figures["tables"]
    return {"character_error_rate": scan["character_error_rate"],
            "scan_answered_the_same_way": scan["answered_the_same_way"] / max(scan["questions"], 1),
            "pdf_table_fact_accuracy": table["pdf"]["fact_accuracy"],
            "pdf_table_gap_to_word": round(table["docx"]["fact_accuracy"] - table["pdf"]["fact_accuracy"], 3)}


if __name__ == "__main__":
    main()
