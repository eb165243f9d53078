"""The embedding backends agree with sentence-transformers' own encoding of the packaged model."""

import numpy as np
import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.store.embedding import Embedder, native_bf16, resolved_backend
from evidence_bot.store.onnx_encoder import export_dir

TEXTS = ["How long do people wait for a Care Act assessment?",
         "Average waiting time for an assessment fell from 40 days to 22 days in 2024.",
         "Deprivation of Liberty Safeguards | 1,513 | 1,270",
         "ok"]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


def cosines(a, b) -> np.ndarray:
    return (np.asarray(a) * np.asarray(b)).sum(axis=1)


@pytest.fixture(scope="module")
def reference():
    """sentence-transformers' encode, the library's own pooling and normalisation."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(Embedder().model_path), device="cpu")
    return model.encode(TEXTS, normalize_embeddings=True)


def test_float32_is_the_library_encoding_and_bfloat16_stays_within_1e3(reference):
    assert cosines(Embedder(backend="torch").embed(TEXTS), reference).min() > 0.99999
    bf16 = Embedder(backend="torch-bf16").embed(TEXTS)
    assert 0.999 < cosines(bf16, reference).min() < 1.0 - 1e-7  # close, and really computed in bfloat16
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-5)


def test_onnx_float_matches_the_library(reference, onnx_dir):
    onnx = Embedder(backend="onnx", onnx_dir=onnx_dir).embed(TEXTS)
    assert cosines(onnx, reference).min() > 0.9999
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_questions_use_the_float_graph_when_there_is_a_folder_for_it(reference, onnx_dir):
    from evidence_bot.store.onnx_encoder import OnnxEncoder

    embedder = Embedder(onnx_dir=onnx_dir)
    assert float(embedder.embed_query(TEXTS[0]) @ reference[0]) > 0.9999
    assert isinstance(embedder.query_encoder, OnnxEncoder) and "encoder" not in vars(embedder)  # no PyTorch load


def test_onnx_int8_stays_close_and_export_is_reused(reference, onnx_dir):
    int8 = Embedder(backend="onnx-int8", onnx_dir=onnx_dir)
    assert cosines(int8.embed(TEXTS), reference).min() > 0.95  # per tensor: 0.87
    folder = export_dir(int8.model_path, onnx_dir)
    assert sorted(p.name for p in folder.iterdir()) == ["model-int8.onnx", "model.onnx"]  # no partial file left
    stamp = (folder / "model.onnx").stat().st_mtime_ns
    Embedder(backend="onnx-int8", onnx_dir=onnx_dir).embed(["again"])
    assert (folder / "model.onnx").stat().st_mtime_ns == stamp


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="'tensorflow'"):
        Embedder(backend="tensorflow")


def test_auto_takes_bfloat16_only_where_the_cpu_has_it(tmp_path, monkeypatch):
    epyc = tmp_path / "epyc"
    epyc.write_text("flags\t\t: fpu sse avx2 avx512f avx512_vnni avx512_bf16 vaes\n", encoding="utf-8")
    avx2 = tmp_path / "avx2"
    avx2.write_text("flags\t\t: fpu sse avx2 fma\nbugs\t\t: avx512_bf16_not_a_flag\n", encoding="utf-8")
    assert native_bf16(epyc) and not native_bf16(avx2) and not native_bf16(tmp_path / "missing")
    monkeypatch.setattr("evidence_bot.store.embedding.native_bf16", lambda: False)
    assert resolved_backend("auto") == "torch" and Embedder(backend="auto").backend == "torch"
    monkeypatch.setattr("evidence_bot.store.embedding.native_bf16", lambda: True)
    assert resolved_backend("auto") == "torch-bf16" and resolved_backend("onnx") == "onnx"


def test_changing_backend_re_embeds_the_index(tmp_path, embedder):
    doc = tmp_path / "note.txt"
    doc.write_text("Adult social care waiting lists fell to 120 people in March 2025.\n", encoding="utf-8")
    index = tmp_path / "index"
    first = EvidenceBot(Settings(index_dir=index), embedder=embedder)
    assert first.library().ingest([doc]).chunks == 1
    first.close()
    switched = EvidenceBot(Settings(index_dir=index, embedding_backend="onnx"))
    report = switched.library().ingest([doc])
    assert len(report.updated) == 1, report.summary()
    assert switched.reader().search("waiting list")[0].passage.text.startswith("Adult social care")
    switched.close()



def test_a_texts_vector_does_not_depend_on_what_it_is_embedded_with(embedder):
    alone = [embedder.embed([text])[0] for text in TEXTS]
    assert embedder.embed(TEXTS) == alone  # bit for bit: a text is padded to its own length, whatever its batch
    assert embedder.embed(TEXTS[::-1] + ["Another sentence of exactly the same kind."])[:4][::-1] == alone


def test_a_folder_that_cannot_hold_the_graph_costs_speed_not_answers(tmp_path, reference):
    blocked = tmp_path / "models"
    blocked.write_text("a file where the models folder should be", encoding="utf-8")
    embedder = Embedder(backend="torch", onnx_dir=blocked)
    with pytest.warns(UserWarning, match="cannot be used"):
        vector = embedder.embed_query(TEXTS[0])
    assert float(vector @ reference[0]) > 0.9999
