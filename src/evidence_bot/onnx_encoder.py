"""An ONNX Runtime encoder for the packaged model, exported locally (nothing is downloaded).

sentence-transformers' own ONNX backend needs optimum-onnx, which pins
transformers below 4.58, so we export with torch.onnx and run the graph with
onnxruntime, repeating the model's pooling (mean over tokens, then L2 norm).
The choice of backend is measured in `make bench` (docs/evaluation.md)."""

import json
import threading
import warnings
from pathlib import Path

import numpy as np

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_export_lock = threading.Lock()


def onnx_file(cache_dir: Path, quantized: bool) -> Path:
    return cache_dir / ("model-int8.onnx" if quantized else "model.onnx")


def export(model_path: Path, cache_dir: Path, quantized: bool) -> Path:
    """Write the model as ONNX (and its int8 dynamic quantisation) once; later calls reuse the files."""
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

            partial = target.with_suffix(".partial")
            quantize_dynamic(str(full), str(partial), weight_type=QuantType.QInt8)
            partial.replace(target)
    return target


def _export_float(model_path: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class LastHiddenState(torch.nn.Module):  # keyword call: transformers 5 reorders forward()'s arguments
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = LastHiddenState(AutoModel.from_pretrained(str(model_path)).eval())
    example = torch.ones(2, 8, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    partial = target.with_suffix(".partial")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow do not affect a fixed graph
        torch.onnx.export(model, (example, torch.ones_like(example), torch.zeros_like(example)), str(partial),
                          input_names=list(INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    partial.replace(target)


class OnnxEncoder:
    """The subset of SentenceTransformer.encode that Embedder uses, on ONNX Runtime."""

    def __init__(self, model_path: Path, onnx_path: Path, threads: int = 0):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        max_tokens = json.loads((model_path / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()

    def encode(self, texts: list[str], batch_size: int = 32, **_ignored) -> np.ndarray:
        # Sorting by length keeps padding (wasted work) small, as sentence-transformers does.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [self._encode_batch([texts[i] for i in order[start : start + batch_size]])
                   for start in range(0, len(order), batch_size)]
        vectors = np.concatenate(batches) if batches else np.zeros((0, 0), dtype=np.float32)
        restored = np.empty_like(vectors)
        restored[order] = vectors
        return restored

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
