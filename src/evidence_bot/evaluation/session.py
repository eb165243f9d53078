"""One evaluation run: build (or reuse) the index, run the questions, optionally the peer, and report."""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from evidence_bot import tuning
from evidence_bot.answer import ExtractiveAnswerer
from evidence_bot.config import Settings
from evidence_bot.evaluation.metrics import QuestionOutcome
from evidence_bot.evaluation.questions import EvalQuestion, load_questions
from evidence_bot.evaluation.report import build_report
from evidence_bot.evaluation.runner import check_gold, resolve_gold, run_ours, run_peer
from evidence_bot.service import EvidenceBot


@dataclass
class EvalRun:
    questions_path: Path
    corpus: Path
    index_dir: Path | None = None  # None: a fresh temporary index
    with_peer: bool = False
    name: str | None = None
    embedding_backend: str | None = None  # None: the configured one
    log: Callable[[str], None] = print
    timings: dict[str, float] = field(default_factory=dict)

    def run(self) -> dict[str, Any]:
        questions = load_questions(self.questions_path)
        resolve_gold(questions, self.corpus)
        with tempfile.TemporaryDirectory(prefix="evidence-bot-eval-") as scratch:
            index_dir = self.index_dir or Path(scratch) / "index"
            overrides: dict[str, Any] = {"embedding_backend": self.embedding_backend} if self.embedding_backend else {}
            bot = EvidenceBot(Settings(index_dir=index_dir, **overrides))
            try:
                self.ingest(bot)
                check_gold(bot, questions)
                self.log(f"Asking {len(questions)} questions...")
                ours = run_ours(bot, questions)
                peer = self.run_peer(bot, questions, Path(scratch)) if self.with_peer else None
            finally:
                bot.close()
        answerer = bot.answerer
        threshold = answerer.selector.threshold if isinstance(answerer, ExtractiveAnswerer) else answerer.threshold
        context = {"corpus": str(self.corpus), "questions_file": str(self.questions_path),
                   "answer_selection": bot.settings.answer_selection, "abstain_threshold": threshold,
                   "embedding_backend": bot.embedder.backend, "tuning": tuning.fingerprint(),
                   "timings": self.timings}
        return build_report(self.name or self.questions_path.stem, date.today().isoformat(), ours, peer, context)

    def ingest(self, bot: EvidenceBot) -> None:
        started = time.perf_counter()
        report = bot.library().ingest([self.corpus])
        self.timings["ingest_seconds"] = round(time.perf_counter() - started, 2)
        self.log(f"Index: {report.summary()} ({self.timings['ingest_seconds']} s)")
        for failure in report.failed:
            self.log(f"  could not ingest {failure}")

    def run_peer(self, bot: EvidenceBot, questions: list[EvalQuestion], scratch: Path) -> list[QuestionOutcome]:
        from evidence_bot.evaluation.peer import LangChainPeer

        peer = LangChainPeer(bot.embedder.model_path, scratch / "peer")
        ingest = peer.ingest(self.corpus)
        self.timings["peer_ingest_seconds"] = round(ingest.seconds, 2)
        self.log(f"Peer index: {ingest.documents} files, {ingest.chunks} chunks ({ingest.seconds:.1f} s)")
        return run_peer(peer, questions)
