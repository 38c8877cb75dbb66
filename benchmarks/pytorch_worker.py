"""The PyTorch worker: eager and `torch.compile` (inductor)."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from typing import Callable, Iterator

import numpy as np

from .harness import (CLASSES, LAYER_NORM_EPSILON, LEARNING_RATE, REPEATS, SIZES, Case, Sizes, make_data,
                      run_cases, startup_ms)

# (variant, compiled) in the order they run.
VARIANTS = (("eager", False), ("torch.compile", True))


def torch_mlp(s: Sizes):
    from torch import nn

    return nn.Sequential(nn.Linear(s.mlp_input, s.mlp_hidden), nn.ReLU(), nn.Linear(s.mlp_hidden, s.mlp_hidden),
                         nn.ReLU(), nn.Linear(s.mlp_hidden, CLASSES))


def torch_cnn(s: Sizes):
    from torch import nn

    return nn.Sequential(nn.Conv2d(3, s.conv1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(s.conv1, s.conv2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(s.conv2 * (s.image // 4) ** 2, CLASSES))


def torch_lstm(s: Sizes):
    from torch import nn

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(s.lstm_input, s.lstm_hidden, batch_first=True)
            self.head = nn.Linear(s.lstm_hidden, CLASSES)

        def forward(self, x):
            _, (hidden, _) = self.lstm(x)
            return self.head(hidden[-1])

    return LSTMClassifier()


def torch_transformer_block(s: Sizes):
    from torch import nn

    class BlockClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.TransformerEncoderLayer(s.d_model, s.heads, s.ffn, dropout=0.0,
                                                    layer_norm_eps=LAYER_NORM_EPSILON, batch_first=True,
                                                    norm_first=True)
            self.head = nn.Linear(s.d_model, CLASSES)

        def forward(self, x):
            return self.head(self.block(x).mean(dim=1))

    return BlockClassifier()


def torch_training_step(build: Callable, s: Sizes, x, y, compiled: bool) -> Callable:
    import torch
    import torch.nn.functional as F

    model = build(s).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    if not compiled:
        return step
    torch._dynamo.reset()  # each compiled measurement starts from an empty compile cache
    return torch.compile(step)


def torch_inference(build: Callable, s: Sizes, x, compiled: bool) -> Callable:
    import torch

    model = build(s).eval()

    def forward():
        with torch.no_grad():
            return model(x)

    if not compiled:
        return forward
    torch._dynamo.reset()
    return torch.compile(forward)


def pytorch_cases(s: Sizes) -> Iterator[Case]:
    import torch

    builders = {"mlp": torch_mlp, "cnn": torch_cnn, "lstm": torch_lstm, "transformer-block": torch_transformer_block}
    for model, (x, y) in make_data(s).items():
        if model == "cnn":
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NHWC → NCHW
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        for variant, compiled in VARIANTS:
            build = builders[model]
            yield Case(model, "training-step", variant, compiled,
                       functools.partial(torch_training_step, build, s, x, y, compiled), block=lambda result: result)
            yield Case(model, "inference", variant, compiled,
                       functools.partial(torch_inference, build, s, x, compiled), block=lambda result: result)


def run(mode: str) -> dict:
    with contextlib.ExitStack() as stack:
        if mode == "full":  # a fresh inductor cache: the first call of torch.compile is a cold compile
            os.environ["TORCHINDUCTOR_CACHE_DIR"] = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="benchmark-inductor-"))
        import torch

        # A forward and a backward graph: what every compiled training step needs first.
        startup = startup_ms(lambda: torch.compile(lambda t: (t * 2).sum())(torch.ones(8, requires_grad=True))
                             .backward())
        timings, failures = run_cases("pytorch", pytorch_cases(SIZES[mode]), REPEATS[mode])
    cache = "fresh directory (cold compile)" if mode == "full" else "default on-disk cache (may be warm)"
    return {"environment": {"torch_num_threads": torch.get_num_threads(), "torch_inductor_cache": cache,
                            "pytorch_compiler_startup_ms": startup},
            "timings": timings, "failures": failures}
