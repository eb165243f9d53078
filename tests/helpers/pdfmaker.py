"""A minimal PDF writer for test fixtures and the bundled sample: real text layers, no extra dependency.

Each page is a list of (font size, bold, text) lines laid out top to bottom;
a blank string leaves a paragraph gap."""

from pathlib import Path

PAGE_HEIGHT, LEFT, TOP = 842, 56, 780
COLUMN_WIDTH = 130  # a table's columns, drawn with no ruling lines (as many report tools export them)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines) -> bytes:
    """A line's text is a string, or a table row: a list of cells, each drawn at its column's left edge."""
    out, y = [], TOP
    for size, bold, text in lines:
        if not text:
            y -= 10
            continue
        font = "F2" if bold else "F1"
        cells = text if isinstance(text, list) else [text]
        for column, cell in enumerate(cells):
            if cell:
                out.append(f"BT /{font} {size} Tf {LEFT + column * COLUMN_WIDTH} {y} Td ({_escape(cell)}) Tj ET")
        y -= size + 4
    return "\n".join(out).encode("latin-1")


def write_pdf(path: Path, pages: list[list[tuple[int, bool, str]]]) -> Path:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)
    kids = []
    for lines in pages:
        stream = _content(lines)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 %d] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>" % (pages_id, PAGE_HEIGHT, content, font, bold)))
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    Path(path).write_bytes(bytes(data))
    return Path(path)


def wrap(text: str, width: int = 88) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def page(*items) -> list[tuple[int, bool, str]]:
    """items: ('h1', text), ('h2', text), ('p', text), ('table', rows of cells, the header first) or
    ('padded table', rows of cells, each cell a list of its lines): rows set further apart than a cell's lines,
    as Word draws a table with cell padding."""
    lines = []
    for kind, text in items:
        if kind == "table":
            lines += [(10, index == 0, row) for index, row in enumerate(text)] + [(0, False, "")]
        elif kind == "padded table":
            for index, row in enumerate(text):
                depth = max(len(cell) for cell in row)
                lines += [(10, index == 0, [cell[at] if at < len(cell) else "" for cell in row])
                          for at in range(depth)] + [(0, False, "")]
        elif kind == "h1":
            lines += [(16, True, text), (0, False, "")]
        elif kind == "h2":
            lines += [(13, True, text), (0, False, "")]
        else:
            lines += [(10, False, line) for line in wrap(text)] + [(0, False, "")]
    return lines
