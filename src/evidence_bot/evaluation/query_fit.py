"""Fits the question encoder's tuning (store/query_tuning.py) from labelled candidates: each question with the
stored vectors of the sentences and rows the answerer read for it, and which of them hold its facts.

The loss is the answerer's own choice: a softmax over one question's candidates (cosine x QUERY_SCALE), maximising
the weight on its right ones; only the question side moves, the candidates' vectors are the index's. The other
questions' candidates in the same batch join as wrong ones (in-batch negatives, as sentence-transformers'
MultipleNegativesRankingLoss): sentences of other documents and topics the question must also rank below its
answer, which its own candidates (all retrieved for it) rarely show. Questions with no right candidate teach
nothing and are left out."""

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np

from evidence_bot.store.embedding import Embedder, padded
from evidence_bot.store.query_tuning import QueryTuning
from evidence_bot.tuning import (
    QUERY_BATCH,
    QUERY_EPOCHS,
    QUERY_LEARNING_RATE,
    QUERY_NEAR_COPY,
    QUERY_SCALE,
    QUERY_TUNED_LAYERS,
)


@dataclass
class QueryExample:
    question: str
    vectors: np.ndarray  # (candidates, 384): the candidates' stored vectors
    right: np.ndarray  # (candidates,) bool: holds the question's facts


def tuned_parameters(names: list[str], layers: int, depth: int = 6) -> list[str]:
    """The parameters of the model's top `layers` transformer layers (all-MiniLM-L6-v2 has six)."""
    top = tuple(f"encoder.layer.{i}." for i in range(depth - layers, depth))
    return [name for name in names if name.startswith(top)]


def fit_query_tuning(model_path: Path, examples: list[QueryExample], record: dict[str, Any] | None = None,
                     seed: int = 0, layers: int = QUERY_TUNED_LAYERS, epochs: int = QUERY_EPOCHS) -> QueryTuning:
    import torch
    from transformers import AutoModel

    torch.manual_seed(seed)
    shuffle = random.Random(seed).shuffle
    examples = [e for e in examples if e.right.any()]
    model = AutoModel.from_pretrained(str(model_path), dtype=torch.float32)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trained = set(tuned_parameters(list(before), layers))
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name in trained
    tokenizer = Embedder(model_path).tokenizer  # the service's own: unpadded, truncated to the model's window
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=QUERY_LEARNING_RATE)
    order = list(range(len(examples)))
    model.train()
    for _ in range(epochs):
        shuffle(order)
        for start in range(0, len(order), QUERY_BATCH):
            batch = [examples[i] for i in order[start:start + QUERY_BATCH]]
            questions = question_vectors(torch, model, tokenizer, [b.question for b in batch])
            pool = np.concatenate([b.vectors for b in batch]).astype(np.float32)
            loss = sum(missed_weight(torch, questions[k], b, batch_negatives(b, pool))
                       for k, b in enumerate(batch)) / len(batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    changes = {name: (p.detach() - before[name]).numpy() for name, p in model.named_parameters() if name in trained}
    record = {**(record or {}), "fitted": date.today().isoformat(), "questions": len(examples), "layers": layers,
              "epochs": epochs, "learning_rate": QUERY_LEARNING_RATE, "batch": QUERY_BATCH, "scale": QUERY_SCALE,
              "negatives": "own candidates and the batch's others", "seed": seed}
    return QueryTuning(changes, record)


def question_vectors(torch: Any, model: Any, tokenizer: Any, questions: list[str]) -> Any:
    """The questions' vectors as Embedder.pooled makes them (mean of the unpadded word-pieces, L2-normalised),
    with gradients."""
    ids, mask = padded([e.ids for e in tokenizer.encode_batch(questions)])
    hidden = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                   token_type_ids=torch.zeros(ids.shape, dtype=torch.long)).last_hidden_state
    weights = torch.from_numpy(mask).unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * weights).sum(1) / weights.sum(1), dim=-1)


def batch_negatives(example: QueryExample, pool: np.ndarray) -> np.ndarray:
    """The batch's candidates that count as wrong for this question: not its own candidates (already scored), and
    no near copy of one of its right ones (the same sentence in another rendition of the document)."""
    own = example.vectors.astype(np.float32)
    right = own[example.right]
    kept = ((pool @ own.T).max(1) < 0.999) & ((pool @ right.T).max(1) < QUERY_NEAR_COPY)
    return cast(np.ndarray, pool[kept])


def missed_weight(torch: Any, question: Any, example: QueryExample, negatives: np.ndarray | None = None) -> Any:
    """-log of the softmax weight on the right candidates, among its candidates and the extra wrong ones."""
    vectors = example.vectors.astype(np.float32)
    right = example.right
    if negatives is not None and len(negatives):
        vectors = np.concatenate([vectors, negatives])
        right = np.concatenate([right, np.zeros(len(negatives), dtype=bool)])
    scores = torch.from_numpy(vectors) @ question * QUERY_SCALE
    chosen = torch.from_numpy(right)
    return torch.logsumexp(scores, 0) - torch.logsumexp(scores[chosen], 0)
