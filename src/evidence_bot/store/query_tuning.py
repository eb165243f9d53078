"""The question encoder's tuning: all-MiniLM-L6-v2's top layers refitted, on the question side only, to embed a
question near the sentence that answers it (docs/selection.md, "Questions embedded by a tuned encoder").

Documents keep the packaged model's vectors, so an index never has to be rebuilt for a new tuning and ingest costs
the same; only the question's vector, embedded once per question, comes from the tuned copy. The shipped file holds
the changes to the packaged weights (int8 per row for matrices, float32 for vectors: a few megabytes) and the record
of what it was fitted on; evaluation/query_fit.py fits it (`make fit-selector`). A copy of the packaged model with
the changes applied is written once per tuning under the models folder, where the existing encoders load it."""

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from evidence_bot.errors import EvidenceBotError

SHIPPED = "data/query-tuning-v1.npz"
FORMAT = "evidence-bot query tuning 1"
WEIGHTS = "model.safetensors"


@dataclass
class QueryTuning:
    changes: dict[str, np.ndarray]  # parameter name -> tuned minus packaged value, float32
    record: dict[str, Any] = field(default_factory=dict)  # what it was fitted on, when, with which settings
    digest: str = ""  # of the file it was read from: names the tuned model's folder

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"__format__": np.frombuffer(FORMAT.encode(), dtype=np.uint8),
                                         "__record__": np.frombuffer(json.dumps(self.record).encode(), dtype=np.uint8)}
        for name, change in self.changes.items():
            if change.ndim == 2:  # a matrix: int8 per row, as the int8 ONNX graph quantises (per output channel)
                scale = np.maximum(np.abs(change).max(axis=1), 1e-12) / 127
                arrays[f"{name}::int8"] = np.round(change / scale[:, None]).astype(np.int8)
                arrays[f"{name}::scale"] = scale.astype(np.float32)
            else:
                arrays[f"{name}::float32"] = change.astype(np.float32)
        partial = Path(f"{path}.{os.getpid()}.partial.npz")
        np.savez_compressed(partial, **arrays)  # type: ignore[arg-type]
        partial.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> "QueryTuning":
        """The given file, else the one shipped in the package; a file of another kind is refused by name."""
        where = str(path) if path else SHIPPED
        try:
            raw = Path(path).read_bytes() if path else resources.files("evidence_bot").joinpath(SHIPPED).read_bytes()
        except OSError as exc:
            raise EvidenceBotError(f"{where}: cannot read the question encoder's tuning ({exc})") from exc
        try:
            with np.load(io.BytesIO(raw), allow_pickle=False) as stored:  # a pickle could run code: refused
                if bytes(stored["__format__"]).decode() != FORMAT:
                    raise ValueError(f"not {FORMAT!r}")
                record = json.loads(bytes(stored["__record__"]).decode())
                changes = {}
                for key in stored.files:
                    name, _, kind = key.partition("::")
                    if kind == "int8":
                        changes[name] = stored[key].astype(np.float32) * stored[f"{name}::scale"][:, None]
                    elif kind == "float32":
                        changes[name] = stored[key]
        except (ValueError, KeyError, OSError) as exc:
            raise EvidenceBotError(f"{where}: not a question encoder tuning ({type(exc).__name__}: {exc})") from exc
        return cls(changes, record, hashlib.sha256(raw).hexdigest()[:12])

    def applied(self, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        unknown = sorted(set(self.changes) - set(weights))
        if unknown:
            raise EvidenceBotError(f"the question encoder's tuning changes parameters the model lacks: {unknown[:3]}")
        return {name: (value + self.changes[name]).astype(value.dtype) if name in self.changes else value
                for name, value in weights.items()}


def tuned_model_dir(base: Path, tuning: QueryTuning, models_dir: Path) -> Path:
    """The packaged model with the tuning applied, written once under models_dir (named by the tuning's digest and
    the base model's folder) and reused by every later process; written aside and renamed into place, so a reader
    never sees half a folder."""
    where = hashlib.sha256(str(base.resolve()).encode()).hexdigest()[:8]
    target = models_dir / f"query-{tuning.digest}-{where}"
    if (target / WEIGHTS).exists():
        return target
    from safetensors.numpy import load_file, save_file

    models_dir.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f"{target.name}.", suffix=".partial", dir=models_dir))  # one per writer
    try:
        for item in base.iterdir():
            if item.name != WEIGHTS:
                (partial / item.name).symlink_to(item.resolve())
        save_file(tuning.applied(load_file(str(base / WEIGHTS))), str(partial / WEIGHTS))
        partial.rename(target)
    except OSError:
        if not (target / WEIGHTS).exists():  # not another writer's finished copy: a real failure
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
