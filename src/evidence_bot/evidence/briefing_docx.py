"""A briefing as a Word document with real footnotes (python-docx).

python-docx 1.2 reads and writes every part of a package but has no footnote
API yet, so the footnotes part (word/footnotes.xml) is added through its
packaging layer and each fact ends with a w:footnoteReference to its note.
Word and LibreOffice then number, place and link the notes themselves."""

import io
import re
from dataclasses import replace
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt

from evidence_bot.evidence.briefing import Briefing

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SEPARATORS = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
              '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
              '</w:p></w:footnote>')


# XML 1.0 cannot hold these, so neither can a Word file; a topic typed with a stray control key must still work.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(briefing: Briefing) -> Briefing:
    def clean(text: str | None) -> str:
        return NOT_XML.sub("", text or "")

    return replace(briefing, topic=clean(briefing.topic), council=clean(briefing.council),
                   facts=[replace(f, text=clean(f.text)) for f in briefing.facts],
                   questions=[clean(q) for q in briefing.questions],
                   sources=[replace(s, title=clean(s.title), section=s.section and clean(s.section),
                                     url=s.url and clean(s.url)) for s in briefing.sources])


def briefing_docx(briefing: Briefing) -> bytes:
    briefing = xml_safe(briefing)
    document = Document()
    document.core_properties.title = f"Briefing: {briefing.topic}"
    document.core_properties.author = briefing.council
    document.add_heading(f"Briefing: {briefing.topic}", level=1)
    document.add_paragraph(f"{briefing.council} · prepared {briefing.made_on} from the evidence held in evidence_bot. "
                           "Every fact is quoted word for word from the source in its footnote.")
    document.add_heading("Key facts", level=2)
    if not briefing.facts:
        document.add_paragraph("The evidence holds nothing on this topic.")
    for number, fact in enumerate(briefing.facts, start=1):  # one note per fact: a note may be referenced once
        paragraph = document.add_paragraph(fact.text, style="List Bullet")
        paragraph._p.append(footnote_reference(number))
    document.add_heading("Open questions the evidence raises", level=2)
    for question in briefing.questions or ["None found by the gap rule or the claims check."]:
        document.add_paragraph(question, style="List Bullet")
    citations = {s.n: s.citation() for s in briefing.sources}
    add_footnotes(document, [citations[fact.source] for fact in briefing.facts])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def footnote_reference(number: int) -> BaseOxmlElement:
    """<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="n"/></w:r>"""
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    properties.append(align)
    run.append(properties)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(number))
    run.append(reference)
    return run


def add_footnotes(document: WordDocument, notes: list[str]) -> None:
    """The footnotes part: the two separators Word expects, then note n (ids from 1) for the nth reference."""
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
        f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="{int(Pt(9).pt * 2)}"/></w:rPr><w:t xml:space="preserve"> {escape(note)}</w:t></w:r>'
        f'</w:p></w:footnote>' for n, note in enumerate(notes, start=1))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:footnotes xmlns:w="{W}">{SEPARATORS}{body}</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
