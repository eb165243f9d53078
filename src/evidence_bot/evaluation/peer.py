"""The peer: the LangChain RAG tutorial pipeline, built from LangChain's own parts.

This is what a council would build from the tutorial: LangChain document
loaders, RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200),
the same all-MiniLM-L6-v2 embeddings through HuggingFaceEmbeddings, a Chroma
vector store and top-k similarity search on the question as asked. It is used
only to measure ours against; LangChain's packages are dev extras."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.documents import Document

PEER_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


@dataclass
class PeerIngestReport:
    documents: int
    chunks: int
    kilobytes: float
    seconds: float


@dataclass
class PeerHit:
    path: str
    text: str


class LangChainPeer:
    def __init__(self, model_path: Path, persist_dir: Path):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings

        self.embeddings = HuggingFaceEmbeddings(model_name=str(model_path), model_kwargs={"device": "cpu"})
        self.store = Chroma(collection_name="peer", embedding_function=self.embeddings,
                            persist_directory=str(persist_dir))

    def ingest(self, corpus: Path) -> PeerIngestReport:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        started = time.perf_counter()
        files = peer_files(corpus)
        documents = [page for path in files for page in load(path)]
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
        self.store.add_documents(chunks)
        kilobytes = sum(p.stat().st_size for p in files) / 1024
        return PeerIngestReport(len(files), len(chunks), kilobytes, time.perf_counter() - started)

    def search(self, query: str, k: int) -> list[PeerHit]:
        return [PeerHit(str(Path(d.metadata["source"]).resolve()), d.page_content)
                for d in self.store.similarity_search(query, k=k)]


def peer_files(corpus: Path) -> list[Path]:
    return sorted(p.resolve() for p in Path(corpus).rglob("*")
                  if p.is_file() and p.suffix.lower() in PEER_SUFFIXES and not p.name.lower().startswith("readme"))


def load(path: Path) -> list[Document]:
    from langchain_community.document_loaders import (
        BSHTMLLoader,
        Docx2txtLoader,
        PyPDFLoader,
        TextLoader,
    )

    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return PyPDFLoader(str(path)).load()
    if suffix == ".docx":
        return Docx2txtLoader(str(path)).load()
    if suffix in (".html", ".htm"):
        return BSHTMLLoader(str(path), open_encoding="utf-8").load()
    return TextLoader(str(path), autodetect_encoding=True).load()
