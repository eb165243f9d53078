"""/api/feedback and /api/audit: what officers said about answers, and who asked or saw what."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from evidence_bot.governance.audit import as_csv
from evidence_bot.server import examples
from evidence_bot.server.dependencies import Admin, Me, Run, current_viewer
from evidence_bot.server.examples import documented
from evidence_bot.server.schemas import FeedbackRequest

router = APIRouter(prefix="/api", tags=["evidence"], dependencies=[Depends(current_viewer)])


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
