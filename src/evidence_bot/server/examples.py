"""Example responses shown in the OpenAPI page, one per endpoint, and the errors they share."""

from typing import Any

from evidence_bot.evidence.frameworks.gaps import RULE
from evidence_bot.server.schemas import EXAMPLE_CITATION
from evidence_bot.tuning import STALE_MONTHS


def documented(status: int = 200, example: object = None, description: str = "OK", media: str = "application/json",
               errors: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """A `responses=` value: the success example plus the error statuses this endpoint can give."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"description": description, "content": {media: {"example": example}}}}
    for code in errors:
        responses[code] = ERRORS[code]
    return responses


ERRORS: dict[int, dict[str, Any]] = {
    401: {"description": "Authentication is on and no valid token was sent", "content": {"application/json": {
        "example": {"detail": "a valid API token is needed: send the header 'Authorization: Bearer <token>'"}}}},
    403: {"description": "The token's role may not do this", "content": {"application/json": {
        "example": {"detail": "this needs an admin token"}}}},
    415: {"description": "The file's content is not PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), CSV, HTML "
                          "or text", "content": {"application/json": {
        "example": {"detail": "budget.zip: the content is zip, not PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), "
                              "CSV, HTML or text"}}}},
    429: {"description": "Too many requests for this token; retry after the seconds in Retry-After",
          "content": {"application/json": {"example": {"detail": "rate limit of 120 per 1 minute reached"}}}},
    404: {"description": "Unknown id", "content": {"application/json": {
        "example": {"detail": "no passage 'abc' in the index"}}}},
    409: {"description": "Another ingest (a CLI run) is writing to the index; retry after the seconds in Retry-After",
          "content": {"application/json": {"example": {
              "detail": "another ingest is writing to the index; try again when it has finished"}}}},
    413: {"description": "Request body over the limit (256 KB; uploads: the upload limit)",
          "content": {"application/json": {"example": {"detail": "Request Entity Too Large"}}}},
    422: {"description": "A field is missing or invalid; the message names it", "content": {"application/json": {
        "example": {"detail": "filters.date_from: Input should be a valid date or datetime, input is too short",
                    "errors": [{"loc": ["body", "filters", "date_from"], "msg": "Input should be a valid date or "
                                "datetime, input is too short", "type": "date_from_datetime_parsing"}]}}}},
    503: {"description": "Nothing has been ingested", "content": {"application/json": {
        "example": {"detail": "no documents have been ingested yet; run `evidence-bot ingest PATH` first"}}}},
}

PASSAGE = {"id": "3f2a9c1d7e4b-0007", "seq": 7, "text": EXAMPLE_CITATION["text"], "section": "Waiting lists",
           "page": 4, "page_end": 4, "kind": "prose", "ocr_confidence": None}
DOCUMENT = {"doc_id": "3f2a9c1d7e4b", "path": "evidence/asc-self-assessment-2024.docx",
            "title": "Adult Social Care Self-Assessment 2024", "doc_type": "self_assessment", "date": "2024-09",
            "publisher": "Fernleigh Borough Council", "service": "adults", "url": None, "access": "internal",
            "format": "docx",
            "page_count": None, "ingested_at": "2026-11-23T06:49:15+00:00", "passages": 42}
DOCUMENT_META = {k: DOCUMENT[k] for k in ("title", "doc_type", "date", "publisher", "service", "url")} | {
    "doc_id": DOCUMENT["doc_id"], "access": None}

STREAM = ('event: citations\ndata: [{"n": 1, "title": "Adult Social Care Self-Assessment 2024", ...}]\n\n'
          'event: delta\ndata: {"text": "At the end of March 2024, 412 people were waiting. [1]"}\n\n'
          'event: done\ndata: {"answer": "...", "abstained": false, "citations": [...], "conversation_id": "...", '
          '"answer_id": "..."}\n\n')
SEARCH = {"query": "waiting list", "results": [{"rank": 1, "score": 0.04918, "passage": PASSAGE,
                                                "document": DOCUMENT_META, "also_in": []}]}
DOCUMENTS = {"documents": [DOCUMENT]}
UPLOADED = {"status": "added", "passages": 42, "warnings": [], "document": DOCUMENT}
DOCUMENT_DETAIL = DOCUMENT | {"pages": [1, 2, 3, 4], "sections": ["Introduction", "Waiting lists"]}
PASSAGE_VIEW = {"passage": PASSAGE, "document": DOCUMENT_META,
                "before": [PASSAGE | {"id": "3f2a9c1d7e4b-0006", "seq": 6, "text": "..."}],
                "after": [PASSAGE | {"id": "3f2a9c1d7e4b-0008", "seq": 8, "text": "..."}]}
FEEDBACK = {"id": 12, "answer_id": "0d6f3c2b9e8a4b7c8d1e2f3a4b5c6d7e", "rating": "down"}
READY = {"status": "ready", "model_loaded": True, "documents": 10, "index": "/srv/evidence_bot/index"}
MODELS = {"object": "list", "data": [{"id": "evidence-bot", "object": "model", "created": 0,
                                      "owned_by": "evidence_bot"}]}
COMPLETION = {
    "id": "chatcmpl-0d6f3c2b9e8a4b7c8d1e2f3a4b5c6d7e", "object": "chat.completion", "created": 1795400000,
    "model": "evidence-bot", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "At the end of March 2024, 412 people were waiting for a Care Act "
        "assessment. [1]\n\nSources:\n[1] Adult Social Care Self-Assessment 2024 (self_assessment, 2024-09, page 4)"}}],
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    "citations": [EXAMPLE_CITATION],
    "evidence_bot": {"abstained": False, "partial": False, "answer_id": "0d6f3c2b9e8a4b7c8d1e2f3a4b5c6d7e",
                     "conversation_id": "9b1c0e6a4f2d4c8e9a7b3d5f1e2c4a6b", "confidence": 0.6123,
                     "query": "What did CQC say about waiting times?"}}
GAPS = {"framework": "cqc-la", "name": "CQC local authority assessment", "as_of": "2026-11-23",
        "rule": RULE,
        "statements": [{"id": "safeguarding", "name": "Safeguarding", "theme": "Ensuring safety within the system",
                        "rating": "amber", "passages": 38, "documents": 2,
                        "categories_present": ["outcomes", "people", "processes"],
                        "categories_missing": ["partners", "staff"], "latest": "2025-08-29", "corroborated": True,
                        "gaps": [f"latest evidence (2025-08-29) older than {STALE_MONTHS} months on 2026-11-23"],
                        "strongest": [{"passage_id": "3f2a9c1d7e4b-0137", "doc_id": "3f2a9c1d7e4b",
                                       "title": "Adult Social Care Self-Assessment 2024", "doc_type": "self_assessment",
                                       "date": "2024-12-19", "page": 31, "section": "Safeguarding Performance",
                                       "category": "outcomes", "score": 0.71, "text": "In 2023-24 we received ...",
                                       "independent": False, "also_in": []}],
                        "findings": [{"text": "Safeguarding processes were well established, with inspectors finding "
                                      "clear guidance in place to support consistent decision-making.",
                                      "passage_id": "9c8b7a6f5e4d-0005", "doc_id": "9c8b7a6f5e4d",
                                      "title": "CQC assessment news", "doc_type": "news", "date": "2025-08-29",
                                      "page": None, "section": None, "source": "inspector", "similarity": 0.693}],
                        "claims": [{"claim": {"text": "The safeguarding service has positive working relationships "
                                              "with statutory services, care providers and wider partners.",
                                              "passage_id": "3f2a9c1d7e4b-0139", "doc_id": "3f2a9c1d7e4b",
                                              "title": "Adult Social Care Self-Assessment 2024",
                                              "doc_type": "self_assessment", "date": "2024-12-19", "page": 32,
                                              "section": "Safeguarding", "source": "council", "similarity": 0.695},
                                    "status": "supported", "against": None}]}]}
MAPPING = {"passages": [{"path": "cqc-news-2025.txt", "passage_id": "9c8b7a6f5e4d-0005", "page": None, "section": None,
                         "source": "inspector", "statements": [{"id": "cqc-la/safeguarding", "probability": 0.93},
                                                               {"id": "cqc-la/healthier-lives", "probability": 0.41}],
                         "category": "outcomes", "corrected": False}]}
CORRECTION = {"correction": {"document": "/srv/evidence/self-assessment.docx",
                             "span": "Transitions is a priority within",
                             "framework": "cqc-la", "statements": ["safe-systems"], "category": "processes",
                             "by": "readiness lead", "at": "2026-12-01T10:00:00+00:00", "note": "transition, not s42"}}
FRAMEWORKS = {"frameworks": [{"id": "cqc-la", "name": "CQC local authority assessment", "service": "adults",
                              "statements": 9}]}
CLAIMS = {"counts": {"supported": 1, "differs": 0, "related": 18, "unsupported": 320}, "claims": [{
    "passage_id": "3f2a9c1d7e4b-0090", "doc_id": "3f2a9c1d7e4b", "title": "Adult Social Care Self-Assessment 2024",
    "doc_type": "self_assessment", "date": "2024-12-19", "page": 12, "section": "Urgent Community Response",
    "text": "NHS statistics indicate the service has achieved 90% response rate within the 2-hour target.",
    "figures": ["2", "90%"], "status": "supported", "evidence": [{
        "passage_id": "9c8b7a6f5e4d-0003", "doc_id": "9c8b7a6f5e4d", "title": "CQC assessment news", "doc_type": "news",
        "date": "2025-08-29", "page": None,
        "sentence": "The urgent response team met its two-hour target in 90% of cases.",
        "similarity": 0.738, "shared_figures": ["90%"]}]}]}
BRIEF = {"topic": "safeguarding", "council": "Thurrock Council", "made_on": "2026-11-23",
         "facts": [{"text": "Underpinning all our safeguarding work is our commitment to "
                            "Making Safeguarding Personal (MSP).",
                    "source": 1}],
         "sources": [{"passage_id": "3f2a9c1d7e4b-0140", "doc_id": "3f2a9c1d7e4b",
                      "title": "Adult Social Care Self-Assessment 2024", "doc_type": "self_assessment",
                      "date": "2024-12-19", "page": 31, "n": 1, "section": "Making Safeguarding Personal",
                      "url": None}],
         "questions": ["Safeguarding (CQC local authority assessment): only self-reported: nothing independent of the "
                       "council corroborates it. What evidence would close this?"]}
AUDIT = {"retention_days": 365, "events": [{
    "id": 41, "at": "2026-11-23T09:12:04+00:00", "who": "Cllr Patel (members' room)", "token_id": 7, "role": "reader",
    "action": "ask", "detail": "What did CQC say about waiting times?", "passages": ["3f2a9c1d7e4b-0007"]}]}
