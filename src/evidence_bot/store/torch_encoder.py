"""The packaged model on PyTorch: a word-piece vector for every token, which embedding.py pools.

bfloat16 runs the matrix products on this CPU's AVX-512 BF16 instructions at about twice float32's speed,
with vectors within 1e-4 cosine of float32's (`make bench`, docs/performance.md)."""

from pathlib import Path
from typing import cast

import numpy as np


class TorchEncoder:
    def __init__(self, model_path: Path, dtype: str = "bfloat16"):
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # a per-load bar is noise in a CLI
        transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        self.torch = torch
        self.model = AutoModel.from_pretrained(str(model_path), dtype=getattr(torch, dtype)).eval()

    def token_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(batch, tokens, 384) float32 for padded word-piece ids and their attention mask."""
        torch = self.torch
        ids_tensor = torch.from_numpy(ids)
        with torch.inference_mode():
            hidden = self.model(input_ids=ids_tensor, attention_mask=torch.from_numpy(mask),
                                token_type_ids=torch.zeros_like(ids_tensor)).last_hidden_state
        return cast(np.ndarray, hidden.float().numpy())
