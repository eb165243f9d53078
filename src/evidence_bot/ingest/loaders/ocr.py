"""OCR for PDF pages without a text layer (scans): the page rendered by pdfium (pypdfium2) and read by Tesseract
(Debian's tesseract-ocr, run as a program), each line with its position, height and the engine's confidence.

Only pages that need it are read; a machine without Tesseract gets a warning naming the pages left out, never
an error for the rest of the document. The numbers here are in docs/formats.md with how they were chosen."""

import csv
import io
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pypdfium2  # no type information: its objects are Any

OCR_DPI = 300  # Tesseract reads body text best at about 300 dpi (its documentation); 200 lost accents and digits
MIN_PAGE_CHARS = 20  # a page whose text layer holds fewer characters than this is read by OCR
MAX_OCR_PAGES = 100  # per document: about 2 s a page here, so a 500-page scan is refused (split it) not read
PAGE_SECONDS = 120  # one page that takes longer is left out with a warning
LANGUAGE = "eng"
# Tesseract's box for a line runs from its tallest letter to its lowest descender: about this many times the
# size the line was set in.
LINE_HEIGHT_PER_POINT = 1.2


@dataclass
class OcrLine:
    y: float  # points from the bottom of the page to the line's baseline, as PDF text positions are
    size: float  # the estimated size of the type, in points
    text: str


@dataclass
class OcrPage:
    lines: list[OcrLine]
    confidence: float  # Tesseract's mean word confidence, 0-1


class OcrUnavailable(Exception):
    """Tesseract is not installed: the pages that need it are left out, with a warning."""


def tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        raise OcrUnavailable("Tesseract is not installed (Debian: apt-get install tesseract-ocr)")
    return found


def read_page(document: "pypdfium2.PdfDocument", index: int) -> OcrPage:
    """OCR of page `index` (from 0) of a pypdfium2 PdfDocument."""
    page = document[index]
    height = page.get_height()
    image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    result = subprocess.run([tesseract(), "stdin", "stdout", "-l", LANGUAGE, "--psm", "3", "tsv"],
                            input=png.getvalue(), capture_output=True, timeout=PAGE_SECONDS, check=True,
                            env={**os.environ, "OMP_THREAD_LIMIT": "1"})  # its threads slow it down (its FAQ)
    return page_lines(result.stdout.decode("utf-8", "replace"), height)


def page_lines(tsv: str, page_height: float) -> OcrPage:
    """Tesseract's words (TSV, level 5) gathered into lines, top of the page first."""
    lines: dict[tuple[int, int, int], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip() and float(row.get("conf") or -1) >= 0:
            lines.setdefault((int(row["block_num"]), int(row["par_num"]), int(row["line_num"])), []).append(row)
    scale = 72 / OCR_DPI
    found: list[OcrLine] = []
    confidences: list[float] = []
    for words in lines.values():
        bottom = max(int(w["top"]) + int(w["height"]) for w in words)
        height = statistics.median(int(w["height"]) for w in words)
        text = " ".join(w["text"].strip() for w in sorted(words, key=lambda w: int(w["left"])))
        found.append(OcrLine(round(page_height - bottom * scale, 1), round(height * scale / LINE_HEIGHT_PER_POINT, 1),
                             text))
        confidences.extend(float(w["conf"]) / 100 for w in words)
    found.sort(key=lambda line: -line.y)
    return OcrPage(found, round(statistics.fmean(confidences), 3) if confidences else 0.0)
