"""A fake embedding model for tests of logic that does not depend on meaning (access, uploads, locking, the API's
shapes): the real tokenizer and pooling (embedding.Embedder), but each word-piece's vector is a fixed random one
drawn from its id. A text's vector is then the normalised mean of its word-pieces' vectors: deterministic, the
same length as the real model's, close for texts sharing words and unrelated otherwise, with no weights loaded.
Tests that depend on what a question means use the real model (conftest's `embedder`)."""

from functools import cached_property

import numpy as np

from evidence_bot.store.embedding import Embedder

DIMENSIONS = 384  # all-MiniLM-L6-v2's, so the vector store and every check on vector length are the same
VOCABULARY = 30522  # the tokenizer's word-pieces


class HashedWordPieces:
    """The encoder interface (token_vectors) of torch_encoder.TorchEncoder, from a fixed table."""

    def __init__(self, seed: int = 0):
        self.table = np.random.default_rng(seed).standard_normal((VOCABULARY, DIMENSIONS), dtype=np.float32)

    def token_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.table[ids]


class FakeEmbedder(Embedder):
    def __init__(self) -> None:
        super().__init__()
        self.backend = "fake"  # in the index's pipeline key: a fake index is never read as a real one

    @cached_property
    def encoder(self) -> HashedWordPieces:
        return HashedWordPieces()

    @cached_property
    def query_encoder(self) -> HashedWordPieces:
        return self.encoder
