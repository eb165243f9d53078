"""The vector store: the only module that imports chromadb.

An embedded persistent client by default. Vectors carry only their document
id; every other filter is resolved in the catalog, so metadata changes never
touch the vectors and a server client can replace this class alone."""

from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.types import Where
from chromadb.base_types import InclusionExclusionOperator, LiteralValue, PyVector
from chromadb.config import Settings as ChromaSettings

from evidence_bot.errors import EvidenceBotError
from evidence_bot.tuning import SEARCH_EF, TIE_MARGIN

PASSAGES, UNITS = "passages", "units"  # passage vectors; sentence and table-row vectors (units.py)


def client_settings() -> ChromaSettings:
    # A new object each time: chromadb's HttpClient writes its server address into the settings it is given,
    # and a PersistentClient handed the same object afterwards would quietly talk to that server.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def embedded_client(directory: Path) -> ClientAPI:
    directory.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(directory), settings=client_settings())


def server_client(url: str) -> ClientAPI:
    """http(s)://host:port of a Chroma server; a server that cannot be reached is named in the error."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EvidenceBotError(f"EVIDENCE_BOT_CHROMA_URL: '{url}' is not an http(s)://host:port address")
    try:
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 8000),
                                   ssl=parts.scheme == "https", settings=client_settings())
    except Exception as exc:  # chromadb raises ValueError or its own errors for a refused connection
        raise EvidenceBotError(f"EVIDENCE_BOT_CHROMA_URL: cannot reach the Chroma server at {url} ({exc})") from exc


class VectorStore:
    def __init__(self, directory: Path, collection: str = PASSAGES, url: str | None = None, namespace: str = "",
                 search_ef: int = SEARCH_EF):
        """The embedded store in `directory`, or, with `url`, a Chroma server (`chroma run`): the collections
        are then named namespace + collection, so that several indexes can share one server."""
        self.client = server_client(url) if url else embedded_client(directory)
        # embedding_function=None: we always pass vectors, so Chroma never fetches its default model
        self.collection = self.client.get_or_create_collection(
            namespace + collection, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": search_ef}})
        if (self.collection.configuration_json.get("hnsw") or {}).get("ef_search") != search_ef:
            self.collection.modify(configuration={"hnsw": {"ef_search": search_ef}})  # an index made before

    def add(self, ids: list[str], doc_ids: list[str], vectors: list[list[float]]) -> None:
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self.collection.upsert(ids=ids[start:end], embeddings=cast(list[PyVector], vectors[start:end]),
                                   metadatas=[{"doc_id": d} for d in doc_ids[start:end]])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[start : start + 1000])

    def ids_for_document(self, doc_id: str) -> list[str]:
        return self.collection.get(where={"doc_id": doc_id}, include=[])["ids"]

    def all_ids(self) -> list[str]:
        ids, offset = [], 0
        while batch := self.collection.get(include=[], limit=5000, offset=offset)["ids"]:
            ids.extend(batch)
            offset += len(batch)
        return ids

    def has(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self.collection.get(ids=ids, include=[])["ids"])

    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        # Chroma refuses a repeated id; two labels or units may name the same passage
        found = self.collection.get(ids=list(dict.fromkeys(ids)), include=["embeddings"])
        return dict(zip(found["ids"], cast(list[list[float]], found["embeddings"])))

    def count(self) -> int:
        return self.collection.count()

    def search(self, vector: np.ndarray, limit: int, allowed_docs: list[str] | None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity), best first; equal similarities in id order (tuning.TIE_MARGIN)."""
        if allowed_docs is not None and not allowed_docs:
            return []
        where: Where | None = None
        if allowed_docs is not None:
            among: dict[InclusionExclusionOperator, list[LiteralValue]] = {"$in": list(allowed_docs)}
            where = {"doc_id": among}
        # No count() first: Chroma returns what there is when asked for more (an empty collection gives none),
        # and counting cost ~3 ms a query.
        query: list[PyVector] = [list(map(float, vector))]
        result = self.collection.query(query_embeddings=query, n_results=limit + TIE_MARGIN,
                                       where=where, include=["distances"])
        distances = cast(list[list[float]], result["distances"])  # asked for in include
        ranked = sorted(zip(distances[0], result["ids"][0]))[:limit]
        return [(pid, 1.0 - dist) for dist, pid in ranked]
