"""The embedding backends: ONNX exports of the packaged model agree with sentence-transformers."""

import numpy as np
import pytest

from evidence_bot import EvidenceBot, Settings
from evidence_bot.embedding import Embedder

TEXTS = ["How long do people wait for a Care Act assessment?",
         "Average waiting time for an assessment fell from 40 days to 22 days in 2024.",
         "Deprivation of Liberty Safeguards | 1,513 | 1,270",
         "ok"]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


def cosines(a, b) -> np.ndarray:
    return (np.asarray(a) * np.asarray(b)).sum(axis=1)


def test_onnx_float_matches_torch(embedder, onnx_dir):
    onnx = Embedder(backend="onnx", onnx_dir=onnx_dir).embed(TEXTS)
    assert cosines(onnx, embedder.embed(TEXTS)).min() > 0.9999
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_onnx_int8_stays_close_and_export_is_reused(embedder, onnx_dir):
    int8 = Embedder(backend="onnx-int8", onnx_dir=onnx_dir)
    assert cosines(int8.embed(TEXTS), embedder.embed(TEXTS)).min() > 0.85
    exported = sorted(p.name for p in onnx_dir.iterdir())
    assert exported == ["model-int8.onnx", "model.onnx"]
    stamp = (onnx_dir / "model.onnx").stat().st_mtime_ns
    Embedder(backend="onnx-int8", onnx_dir=onnx_dir).embed(["again"])
    assert (onnx_dir / "model.onnx").stat().st_mtime_ns == stamp


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="'tensorflow'"):
        Embedder(backend="tensorflow")


def test_changing_backend_re_embeds_the_index(tmp_path, embedder):
    doc = tmp_path / "note.txt"
    doc.write_text("Adult social care waiting lists fell to 120 people in March 2025.\n", encoding="utf-8")
    index = tmp_path / "index"
    first = EvidenceBot(Settings(index_dir=index), embedder=embedder)
    assert first.ingest([doc]).chunks == 1
    first.close()
    switched = EvidenceBot(Settings(index_dir=index, embedding_backend="onnx"))
    report = switched.ingest([doc])
    assert len(report.updated) == 1, report.summary()
    assert switched.search("waiting list")[0].passage.text.startswith("Adult social care")
    switched.close()
