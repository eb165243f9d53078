"""A true scan of a PDF: each page rendered to an image (pdfium) and the images wrapped back into a PDF, so no
text layer is left (as a scanner or a 'print to image' makes them)."""

from pathlib import Path

SCAN_DPI = 200  # an office scanner's usual setting; OCR reads at 300 dpi from a 200 dpi page here


def write_scan(source: Path, target: Path, pages: list[int] | None = None, dpi: int = SCAN_DPI) -> Path:
    """target: the scanned rendition of source (pages, from 1: only those; the default all)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(source))
    try:
        numbers = pages or list(range(1, len(document) + 1))
        images = [document[n - 1].render(scale=dpi / 72, grayscale=True).to_pil() for n in numbers]
    finally:
        document.close()
    images[0].save(target, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return target
