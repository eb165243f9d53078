"""/api/search, /api/documents and /api/passages: finding, reading, uploading and removing evidence."""

import sqlite3
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from evidence_bot.ingest.loaders.limits import MAX_FILE_BYTES
from evidence_bot.ingest.sources import validate_meta
from evidence_bot.models import DOC_TYPES, Passage
from evidence_bot.reader import Reader
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Admin, Bot, Me, QueryFilters, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.views import document_view, hit_view, passage_view

router = APIRouter(prefix="/api", tags=["evidence"], dependencies=[Depends(current_viewer)])
if TYPE_CHECKING:
    DocType = str  # mypy cannot read a Literal's values from the DOC_TYPES tuple; each is a str
else:
    DocType = Literal[DOC_TYPES]  # FastAPI checks the form field against, and documents, DOC_TYPES' values


@router.get("/search", summary="Ranked passages, without an answer",
            responses=documented(example=examples.SEARCH, errors=(422, 503)))
def search(rt: Run, bot: Bot, viewer: Me, filters: QueryFilters,
           q: Annotated[str, Query(min_length=1, max_length=2000, description="What to search for.")],
           limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    hits = rt.call(bot.search, q, filters, limit)
    rt.audit.record(viewer, "search", q, [hit.passage.id for hit in hits])
    return {"query": q, "results": [hit_view(rank, hit) for rank, hit in enumerate(hits, start=1)]}


@router.get("/documents", summary="Every indexed document", responses=documented(example=examples.DOCUMENTS))
def documents(rt: Run, bot: Bot, viewer: Me) -> dict[str, Any]:
    return {"documents": [document_view(row, viewer.is_admin) for row in rt.call(bot.documents)]}


# The HTTP bound is the largest document any loader reads; Settings.max_upload_bytes is the limit a council sets.
@router.post("/documents", status_code=201, max_body_size=MAX_FILE_BYTES,
             summary="Upload a document (admins): PDF, Word, Excel, PowerPoint, CSV, HTML or text, its type read from "
                     "its content",
             responses=documented(201, examples.UPLOADED, "Ingested", errors=(403, 409, 413, 415, 422)))
def upload(rt: Run, bot: Bot, admin: Admin, file: Annotated[UploadFile, File(description="The document.")],
           title: Annotated[str | None, Form(max_length=300)] = None,
           doc_type: Annotated[DocType | None, Form()] = None,
           date: Annotated[str | None, Form(description="YYYY-MM-DD or YYYY-MM")] = None,
           publisher: Annotated[str | None, Form(max_length=200)] = None,
           service: Annotated[str | None, Form(max_length=100)] = None,
           url: Annotated[str | None, Form(max_length=2000)] = None,
           access: Annotated[str | None, Form(description="public, internal (default), restricted, group:NAME or admin "
                                                           "(only admins read it)")] = None,
           ) -> dict[str, Any]:
    declared = {k: v for k, v in dict(title=title, doc_type=doc_type, date=date, publisher=publisher,
                                      service=service, url=url, access=access).items() if v}
    meta = validate_meta(declared, "form")
    doc_id, saved, report = rt.upload(admin, file.file, file.filename or "document", meta)
    status = "unchanged" if report.unchanged else "replaced" if saved.replaced else "added"
    rt.audit.record(admin, "upload", f"{file.filename} -> {doc_id} ({status})")
    return {"status": status, "passages": report.chunks, "warnings": saved.warnings + report.warnings,
            "document": document_view(rt.call(bot.document, doc_id), full_path=True)}  # admins only


@router.delete("/documents/{doc_id}", summary="Remove a document from the index (admins)",
               responses=documented(example={"deleted": "3f9c2a1b7d4e"}, errors=(403, 404, 409)))
def delete_document(doc_id: str, rt: Run, admin: Admin) -> dict[str, Any]:
    rt.remove(admin, doc_id)
    rt.audit.record(admin, "delete", doc_id)
    return {"deleted": doc_id}


@router.get("/documents/{doc_id}", summary="One document's metadata and counts",
            responses=documented(example=examples.DOCUMENT_DETAIL, errors=(404,)))
def document(doc_id: str, rt: Run, bot: Bot, viewer: Me) -> dict[str, Any]:
    row, passages = rt.call(document_with_passages, bot, doc_id)  # one turn of the lock, not two
    rt.audit.record(viewer, "document", row["doc_id"])
    return {**document_view(row, viewer.is_admin), "passages": len(passages),
            "pages": sorted({p.page for p in passages if p.page is not None}),
            "sections": list(dict.fromkeys(p.section for p in passages if p.section))}


def document_with_passages(bot: Reader, doc_id: str) -> tuple[sqlite3.Row, list[Passage]]:
    row = bot.document(doc_id)
    return row, bot.catalog.doc_passages(row["doc_id"])


@router.get("/passages/{passage_id}", summary="A passage with its neighbours, page and section",
            responses=documented(example=examples.PASSAGE_VIEW, errors=(404, 422)))
def passage(passage_id: str, rt: Run, bot: Bot, viewer: Me,
            radius: Annotated[int, Query(ge=0, le=5)] = 1) -> dict[str, Any]:
    view = passage_view(*rt.call(bot.passage, passage_id, radius))
    rt.audit.record(viewer, "passage", passage_id, [passage_id])
    return view
