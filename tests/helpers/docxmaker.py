"""Word files whose XML is far larger than their zip: within the zip-bomb limits, but slow and heavy to parse.

The text is pseudo-random words, so it compresses about 3-4 times (well under the loader's ratio limit); one
block of paragraphs is repeated, which deflate cannot see (its window is 32 KB), so making 100 MB is quick."""

import random
import zipfile
from pathlib import Path

NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')
HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{NS}">'
        "<w:body>").encode()
TAIL = b"</w:body></w:document>"


def paragraph_block(seed: int, size: int, runs_per_paragraph: int) -> bytes:
    """About `size` bytes of <w:p> paragraphs of random lower-case words, each split into runs as Word does."""
    rng = random.Random(seed)
    out, length = [], 0
    while length < size:
        runs = []
        for _ in range(runs_per_paragraph):
            words = " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9)))
                             for _ in range(rng.randint(3, 12)))
            runs.append(f'<w:r><w:t xml:space="preserve">{words} </w:t></w:r>')
        paragraph = f"<w:p>{''.join(runs)}</w:p>".encode()
        out.append(paragraph)
        length += len(paragraph)
    return b"".join(out)


def write_bulky_docx(path: Path, xml_bytes: int, runs_per_paragraph: int = 4, seed: int = 15,
                     part: str = "word/document.xml") -> Path:
    """A valid .docx whose word/document.xml (or the part named, beside a one-line body) is about xml_bytes long."""
    block = paragraph_block(seed, min(xml_bytes, 1 << 20), runs_per_paragraph)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        if part != "word/document.xml":
            archive.writestr("word/document.xml", HEAD + b"<w:p><w:r><w:t>A short body.</w:t></w:r></w:p>" + TAIL)
        with archive.open(part, "w", force_zip64=True) as stream:
            stream.write(HEAD)
            for _ in range(max(1, xml_bytes // len(block))):
                stream.write(block)
            stream.write(TAIL)
    return path

