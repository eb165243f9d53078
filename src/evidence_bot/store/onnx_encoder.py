"""An ONNX Runtime encoder for the packaged model, exported locally (nothing is downloaded).

sentence-transformers' own ONNX backend needs optimum-onnx, which pins
transformers below 4.58, so we export with torch.onnx and run the graph with
onnxruntime; embedding.py pools its token vectors as the model does (mean over tokens, then L2 norm).
The int8 file quantises weights per output channel (per tensor lost 0.05 cosine). The choice of backend is
measured in `make bench` (docs/performance.md)."""

import hashlib
import os
import threading
import warnings
from pathlib import Path
from typing import Any, cast

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_export_lock = threading.Lock()


EXPORT_FORMAT = "2"  # bump when the export or quantisation changes: files of another format are not reused


def onnx_file(cache_dir: Path, quantized: bool) -> Path:
    return cache_dir / ("model-int8.onnx" if quantized else "model.onnx")


def export_dir(model_path: Path, cache_dir: Path) -> Path:
    """The folder for this model's exports: the cache may be shared by indexes (and models) on one machine."""
    where = hashlib.sha256(str(model_path.resolve()).encode()).hexdigest()[:8]
    return cache_dir / f"{model_path.name}-{where}-v{EXPORT_FORMAT}"


def export(model_path: Path, cache_dir: Path, quantized: bool) -> Path:
    """Write the model as ONNX (and its int8 dynamic quantisation) once; later calls, and other processes,
    reuse the files (each is written under a name of its own and renamed into place)."""
    cache_dir = export_dir(model_path, cache_dir)
    target = onnx_file(cache_dir, quantized)
    with _export_lock:
        if target.exists():
            return target
        cache_dir.mkdir(parents=True, exist_ok=True)
        full = onnx_file(cache_dir, quantized=False)
        if not full.exists():
            _export_float(model_path, full)
        if quantized:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            partial = target.with_suffix(f".{os.getpid()}.partial")
            quantize_dynamic(str(full), str(partial), weight_type=QuantType.QInt8, per_channel=True)
            partial.replace(target)
    return target


def _export_float(model_path: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class LastHiddenState(torch.nn.Module):  # keyword call: transformers 5 reorders forward()'s arguments
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return cast(torch.Tensor, self.model(input_ids=input_ids, attention_mask=attention_mask,
                                                 token_type_ids=token_type_ids).last_hidden_state)

    model = LastHiddenState(AutoModel.from_pretrained(str(model_path)).eval())
    example = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow do not affect a fixed graph
        torch.onnx.export(model, (example, torch.ones_like(example), torch.zeros_like(example)), str(partial),
                          input_names=list(INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    partial.replace(target)


class OnnxEncoder:
    """The exported graph on ONNX Runtime: a word-piece vector for every token, which embedding.py pools."""

    def __init__(self, onnx_path: Path, threads: int = 0):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def token_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(batch, tokens, 384) float32 for padded word-piece ids and their attention mask."""
        return cast(np.ndarray, self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                        "token_type_ids": np.zeros_like(ids)})[0])
