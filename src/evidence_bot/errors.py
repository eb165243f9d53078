"""The project's own errors; the CLI and HTTP edges turn them into messages."""

from os import PathLike


class EvidenceBotError(Exception):
    """Base for every error this package raises on purpose."""


class IngestError(EvidenceBotError):
    """A document could not be ingested. The message names the file and the reason."""

    def __init__(self, path: str | PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SourcesError(EvidenceBotError):
    """A sources.yaml entry is invalid. The message names the file, entry and field."""


class NotFoundError(EvidenceBotError):
    """A document or passage id that the catalog does not hold."""


class EmptyIndexError(EvidenceBotError):
    """Asked a question before any document was ingested."""

    def __init__(self) -> None:
        super().__init__("no documents have been ingested yet; run `evidence-bot ingest PATH` first")
