"""The /api endpoints the chat page and other council systems use."""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast, get_args

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, format_sse_event

from evidence_bot.evidence.briefing import as_markdown, slug
from evidence_bot.evidence.briefing_docx import briefing_docx
from evidence_bot.evidence.claims import ClaimStatus
from evidence_bot.governance.audit import as_csv
from evidence_bot.ingest.loaders.limits import MAX_FILE_BYTES
from evidence_bot.ingest.sources import validate_meta
from evidence_bot.models import DOC_TYPES, Citation, Passage
from evidence_bot.reader import Reader
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Admin, Bot, Me, QueryFilters, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.runtime import Event, Reply
from evidence_bot.server.schemas import ChatRequest, ChatResponse, CorrectionRequest, FeedbackRequest
from evidence_bot.server.views import document_view, hit_view, passage_view

router = APIRouter(prefix="/api", tags=["evidence"], dependencies=[Depends(current_viewer)])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
if TYPE_CHECKING:
    DocType = str  # mypy cannot read a Literal's values from the DOC_TYPES tuple; each is a str
else:
    DocType = Literal[DOC_TYPES]  # FastAPI checks the form field against, and documents, DOC_TYPES' values


@router.post("/chat", response_model=ChatResponse, summary="Answer a question with cited passages",
             responses={code: examples.ERRORS[code] for code in (413, 422, 503)})
def chat(body: ChatRequest, rt: Run, viewer: Me) -> dict[str, Any]:
    """The answer JSON of `evidence-bot ask --json`, plus `conversation_id` and `answer_id`.

    When the evidence does not answer the question, `abstained` is true and `citations` is empty."""
    history = body.earlier_questions(rt.bot.settings.max_question_chars)
    return rt.ask(body.question, history, body.filters.to_filters(), body.conversation_id, viewer).to_dict()


@router.post("/chat/stream", summary="Answer as server-sent events", responses=documented(
    example=examples.STREAM, media="text/event-stream", errors=(413, 422, 503),
    description="`citations` (a JSON list), then `delta` ({\"text\"}) pieces of the answer in order, "
                "then `done` (the whole /api/chat JSON). In the llm mode `citations` lists every passage given "
                "to the model, each `delta` is one sentence once it has been verified, and a `reset` "
                "({\"note\"}) means: discard what was shown, the extractive answer follows with its own "
                "`citations`."))
async def chat_stream(body: ChatRequest, rt: Run, viewer: Me) -> EventSourceResponse:
    history = body.earlier_questions(rt.bot.settings.max_question_chars)
    prepared = await run_in_threadpool(rt.prepare, body.question, history,
                                       body.filters.to_filters(), viewer)
    return EventSourceResponse(chat_events(rt.respond(prepared, body.conversation_id, viewer)))


def chat_events(events: Iterable[Event]) -> Iterator[bytes]:
    """Runs in the thread pool, one event at a time, while the model streams (Starlette iterates a plain
    generator off the event loop)."""
    for kind, value in events:
        if kind == "citations":
            yield event("citations", [asdict(c) for c in cast(list[Citation], value)])
        elif kind == "delta":
            yield event("delta", {"text": value})
        elif kind == "reset":
            yield event("reset", {"note": value})
        elif kind == "done":
            yield event("done", cast(Reply, value).to_dict())


def event(name: str, data: object) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))


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


@router.get("/gaps", summary="Evidence gaps per framework statement, with RAG ratings and the rule",
            responses=documented(example=examples.GAPS, errors=(404, 422, 503)))
def gaps(rt: Run, bot: Bot, viewer: Me, framework: Annotated[str, Query(max_length=64)] = "cqc-la",
         as_of: Annotated[date | None, Query(description="Judge recency on this day (default today).")] = None
         ) -> dict[str, Any]:
    report = rt.call(bot.gaps, framework, as_of).to_dict()
    rt.audit.record(viewer, "gaps", framework)
    return report


@router.get("/mapping", summary="Per passage: the statements it is filed under, with probabilities, and its category",
            responses=documented(example=examples.MAPPING, errors=(404, 422, 503)))
def mapping(rt: Run, bot: Bot, viewer: Me,
            framework: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    records = rt.call(bot.mapping_records, framework)
    if not viewer.is_admin:  # a document's place on the server is for admins, as in /api/documents
        records = [r | {"path": Path(r["path"]).name} for r in records]
    rt.audit.record(viewer, "mapping", framework or "all")
    return {"passages": records}


@router.post("/mapping/corrections", status_code=201, summary="File a passage under other statements (admins)",
             responses=documented(201, examples.CORRECTION, "Kept in the corrections file and applied",
                                  errors=(401, 403, 404, 422)))
def correct_mapping(body: CorrectionRequest, rt: Run, admin: Admin) -> dict[str, Any]:
    correction = rt.correct_mapping(admin, body.passage_id, body.framework, body.statements, body.category,
                                    by=admin.name, note=body.note)
    rt.audit.record(admin, "correct-mapping", f"{body.passage_id} -> {body.framework} {', '.join(body.statements)}",
                    [body.passage_id])
    return {"correction": asdict(correction)}


@router.get("/claims", summary="The self-assessment's checkable claims and what other documents say about each",
            responses=documented(example=examples.CLAIMS, errors=(422, 503)))
def claims(rt: Run, bot: Bot, viewer: Me, status: Annotated[list[ClaimStatus], Query()] = []) -> dict[str, Any]:
    found = rt.call(bot.claims)
    rt.audit.record(viewer, "claims")
    counts = {name: sum(1 for c in found if c.status == name) for name in get_args(ClaimStatus)}
    return {"counts": counts, "claims": [c.to_dict() for c in found if not status or c.status in status]}


@router.get("/brief", summary="A councillor's briefing on a topic: key facts with footnoted sources, open questions",
            responses=documented(example=examples.BRIEF, errors=(422, 503)) | {200: {
                "description": "JSON, Markdown or a Word document with footnotes",
                "content": {"application/json": {"example": examples.BRIEF}, "text/markdown": {},
                            DOCX: {}}}})
def brief(rt: Run, bot: Bot, viewer: Me, filters: QueryFilters,
          topic: Annotated[str, Query(min_length=1, max_length=300)],
          format: Annotated[Literal["json", "md", "docx"], Query()] = "json") -> Response:
    briefing = rt.call(bot.brief, topic, filters)
    rt.audit.record(viewer, "brief", topic, [s.passage_id for s in briefing.sources])
    name = f"briefing-{slug(topic)}"
    if format == "docx":
        return Response(briefing_docx(briefing), media_type=DOCX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
    if format == "md":
        return Response(as_markdown(briefing), media_type="text/markdown; charset=utf-8")
    return JSONResponse(briefing.to_dict())


@router.get("/frameworks", summary="The frameworks loaded: built-in and the council's own",
            responses=documented(example=examples.FRAMEWORKS))
def frameworks(rt: Run) -> dict[str, Any]:
    return {"frameworks": [{"id": f.id, "name": f.name, "service": f.service, "statements": len(f.statements)}
                           for f in rt.bot.frameworks.values()]}


@router.post("/feedback", status_code=201, summary="Thumbs up or down on an answer, with an optional comment",
             responses=documented(201, examples.FEEDBACK, "Stored", errors=(404, 422)))
def feedback(body: FeedbackRequest, rt: Run, viewer: Me) -> dict[str, Any]:
    feedback_id = rt.feedback.add(body.answer_id, body.rating, body.comment)
    rt.audit.record(viewer, "feedback", f"{body.rating} on {body.answer_id}: {body.comment or ''}".strip())
    return {"id": feedback_id, "answer_id": body.answer_id, "rating": body.rating}



@router.get("/audit", summary="The audit log (admins): who asked or looked at what, and which passages they saw",
            responses=documented(example=examples.AUDIT, errors=(401, 403, 422)) | {200: {
                "description": "JSON or CSV", "content": {"application/json": {"example": examples.AUDIT},
                                                          "text/csv": {}}}})
def audit(rt: Run, _: Admin, since: Annotated[date | None, Query(description="Events on or after this day.")] = None,
          who: Annotated[str | None, Query(max_length=200, description="One token's name.")] = None,
          limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
          format: Annotated[Literal["json", "csv"], Query()] = "json") -> Response:
    events = rt.audit.events(since.isoformat() if since else None, who, limit)
    if format == "csv":
        return Response(as_csv(events), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="evidence-bot-audit.csv"'})
    return JSONResponse({"retention_days": rt.audit.retention_days, "events": events})
