"""The question encoder's tuning: its file, the tuned model's folder, the fit, and the shipped one in use."""

import numpy as np
import pytest

from evidence_bot.answer.selector import Selector
from evidence_bot.config import Settings
from evidence_bot.errors import EvidenceBotError
from evidence_bot.evaluation.query_fit import (
    QueryExample,
    batch_negatives,
    fit_query_tuning,
    missed_weight,
    tuned_parameters,
)
from evidence_bot.service import tuned_query_model
from evidence_bot.store.embedding import Embedder
from evidence_bot.store.query_tuning import WEIGHTS, QueryTuning, tuned_model_dir

# A paraphrase sharing no word with its answer, beside sentences that share its words but do not answer it.
QUESTION = "How many requests to lawfully restrict the freedom of care home residents were waiting?"
CANDIDATES = ["In August 2024, 1,214 Deprivation of Liberty Safeguards applications were awaiting assessment.",
              "Care home residents told us they valued the freedom to choose how they spent their day.",
              "Requests for care were waiting longer in the rural west of the county.",
              "Cabinet agreed the budget for 2025/26 at its meeting in February."]


def test_a_tuning_file_keeps_its_changes_to_int8_precision_and_its_record(tmp_path):
    rng = np.random.default_rng(0)
    rows_of_different_sizes = rng.normal(0, 1, (4, 6)) * np.array([[1e-1], [1e-3], [1e-5], [1e-2]])
    changes = {"encoder.layer.5.output.dense.weight": rows_of_different_sizes.astype(np.float32),
               "encoder.layer.5.output.dense.bias": rng.normal(0, 1e-3, 4).astype(np.float32)}
    QueryTuning(changes, {"fitted": "2026-12-03"}).save(tmp_path / "t.npz")
    loaded = QueryTuning.load(tmp_path / "t.npz")
    assert loaded.record == {"fitted": "2026-12-03"} and len(loaded.digest) == 12
    matrix, bias = changes["encoder.layer.5.output.dense.weight"], changes["encoder.layer.5.output.dense.bias"]
    error = np.abs(loaded.changes["encoder.layer.5.output.dense.weight"] - matrix).max(axis=1)
    assert (error <= np.abs(matrix).max(axis=1) / 254 * 1.001).all()  # each row to its own int8 step
    assert np.array_equal(loaded.changes["encoder.layer.5.output.dense.bias"], bias)


@pytest.mark.parametrize("content", [b"not numpy at all", None])
def test_a_file_that_is_not_a_tuning_is_refused_by_name(tmp_path, content):
    path = tmp_path / "other.npz"
    if content is None:
        np.savez(path, weights=np.zeros(3))  # numpy, but no format mark
    else:
        path.write_bytes(content)
    with pytest.raises(EvidenceBotError, match="other.npz"):
        QueryTuning.load(path)


def test_the_tuned_model_is_written_once_and_changes_only_the_tuned_layers(tmp_path, embedder):
    from safetensors.numpy import load_file

    base = embedder.model_path
    tuning = QueryTuning({"encoder.layer.5.output.dense.bias": np.full(384, 0.01, np.float32)}, digest="abc")
    folder = tuned_model_dir(base, tuning, tmp_path)
    written = (folder / WEIGHTS).stat().st_mtime_ns
    assert tuned_model_dir(base, tuning, tmp_path) == folder and (folder / WEIGHTS).stat().st_mtime_ns == written
    tuned, packaged = load_file(str(folder / WEIGHTS)), load_file(str(base / WEIGHTS))
    differing = [name for name in packaged if not np.array_equal(packaged[name], tuned[name])]
    assert differing == ["encoder.layer.5.output.dense.bias"]
    assert (folder / "tokenizer.json").read_bytes() == (base / "tokenizer.json").read_bytes()


def test_only_the_top_layers_are_tuned():
    names = [f"encoder.layer.{i}.output.dense.weight" for i in range(6)] + ["embeddings.word_embeddings.weight"]
    assert tuned_parameters(names, 2) == ["encoder.layer.4.output.dense.weight", "encoder.layer.5.output.dense.weight"]


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_other_questions_candidates_count_as_wrong_unless_they_are_its_own_or_copies_of_its_answer():
    answer, own_wrong = unit(1, 0, 0), unit(0, 1, 0)
    example = QueryExample("q", np.stack([answer, own_wrong]), np.array([True, False]))
    copy_of_answer, related, elsewhere = unit(1, 0.2, 0), unit(1, 1, 0), unit(0, 0, 1)  # cosine 0.98, 0.71, 0
    pool = np.stack([answer, own_wrong, copy_of_answer, related, elsewhere])
    kept = batch_negatives(example, pool)
    assert [v.tolist() for v in kept] == [related.tolist(), elsewhere.tolist()]


def test_an_extra_wrong_candidate_raises_the_loss_the_more_the_question_resembles_it():
    import torch

    example = QueryExample("q", np.stack([unit(1, 0, 0), unit(0, 1, 0)]), np.array([True, False]))
    question = torch.from_numpy(unit(0.3, 0.2, 1))
    alone = float(missed_weight(torch, question, example))
    far = float(missed_weight(torch, question, example, np.stack([unit(0, -1, 0)])))
    close = float(missed_weight(torch, question, example, np.stack([unit(0, 0, 1)])))
    assert alone < far < close


def test_fitting_moves_a_question_towards_its_right_candidate_and_leaves_documents_alone(tmp_path, embedder):
    vectors = np.asarray(embedder.embed(CANDIDATES), dtype=np.float32)
    right = np.array([True, False, False, False])
    example = QueryExample(QUESTION, vectors, right)

    def margin(encoder: Embedder) -> float:
        """The right sentence's cosine less the best wrong one's."""
        cosines = vectors @ encoder.embed_query(QUESTION)
        return float(cosines[0] - cosines[1:].max())

    tuning = fit_query_tuning(embedder.model_path, [example] * 8, layers=1, epochs=3)
    assert set(tuning.changes) == set(tuned_parameters(list(tuning.changes), 1)) and tuning.record["questions"] == 8
    tuning.save(tmp_path / "t.npz")
    tuned = Embedder(query_model_path=tuned_model_dir(embedder.model_path, QueryTuning.load(tmp_path / "t.npz"),
                                                      tmp_path / "models"))
    untuned = Embedder()
    assert margin(tuned) > margin(untuned) + 0.05
    assert np.allclose(tuned.embed(CANDIDATES), embedder.embed(CANDIDATES))  # documents: the packaged model's


def test_the_shipped_tuning_is_the_one_the_shipped_selector_was_fitted_with(tmp_path):
    shipped = QueryTuning.load()
    assert shipped.record["sets"] and shipped.record["questions"] > 300
    assert Selector.load().record["query_tuning"] == shipped.digest
    folder = tuned_query_model(Settings(models_dir=tmp_path))
    assert folder is not None and folder.name.startswith(f"query-{shipped.digest}")
    assert tuned_query_model(Settings(models_dir=tmp_path, tuned_questions=False)) is None


def test_a_models_folder_that_cannot_be_written_costs_a_temporary_copy_not_an_answer(tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    with pytest.warns(UserWarning, match="cannot be written"):
        folder = tuned_query_model(Settings(models_dir=blocked / "models"))
    assert folder is not None and (folder / WEIGHTS).exists()


def test_the_fit_embeds_questions_as_the_service_does(embedder):
    """The vectors the tuning is fitted on are the vectors the service makes (the packaged tokenizer file pads
    every text to 128 word-pieces: a fit that kept that padding learned for vectors no question ever has)."""
    import torch
    from transformers import AutoModel

    from evidence_bot.evaluation.query_fit import question_vectors

    model = AutoModel.from_pretrained(str(embedder.model_path)).eval()
    with torch.no_grad():
        fitted = question_vectors(torch, model, Embedder().tokenizer, [QUESTION, "Who chaired?"])
    served = Embedder(backend="torch")
    for row, text in zip(fitted.numpy(), [QUESTION, "Who chaired?"]):
        assert float(row @ served.embed_query(text)) > 0.9999


def test_a_selector_paired_with_another_question_encoder_is_named_in_a_warning(tmp_path, fake_embedder):
    from evidence_bot.service import EvidenceBot

    untuned = EvidenceBot(Settings(index_dir=tmp_path / "index", tuned_questions=False), embedder=fake_embedder)
    with pytest.warns(UserWarning, match="refit with `make fit-selector`"):
        untuned.answerer  # noqa: B018
    shipped = EvidenceBot(Settings(index_dir=tmp_path / "index2"), embedder=fake_embedder)
    assert shipped.answerer.selector.record["query_tuning"] == shipped.query_tuning.digest
