"""/api/gaps, /api/mapping, /api/claims, /api/brief and /api/frameworks: what readiness leads and councillors read."""

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from evidence_bot.evidence.briefing import as_markdown, slug
from evidence_bot.evidence.briefing_docx import briefing_docx
from evidence_bot.evidence.claims import ClaimStatus
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Admin, Bot, Me, QueryFilters, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.schemas import CorrectionRequest

router = APIRouter(prefix="/api", tags=["evidence"], dependencies=[Depends(current_viewer)])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
