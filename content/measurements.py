"""Typed model of data/benchmarks/<id>.yml, the file one run of the harness (`python -m benchmarks`) writes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .models import Identifier, _Strict


class Timing(_Strict):
    model: Literal["mlp", "cnn", "lstm", "transformer-block"]
    task: Literal["training-step", "inference"]
    framework: Identifier
    variant: str = Field(description='e.g. "eager", "torch.compile", "tf.function", "tf.function + XLA", "jax.jit".')
    compiled: bool
    median_ms: float
    p25_ms: float
    p75_ms: float
    min_ms: float
    max_ms: float
    first_call_ms: float = Field(description="The first (warm-up) call, which includes tracing/compilation.")
    repeats: int = Field(ge=5)


class BenchmarkRun(_Strict):
    """data/benchmarks/<id>.yml — one run of the harness, with the environment it ran in."""

    id: Identifier
    generated_by: str
    recorded_at: str
    mode: Literal["full", "smoke"]
    environment: dict[str, str | int | float | None] = Field(description="CPU model, cores, threads, versions.")
    sizes: dict[str, str] = Field(description="Model → input sizes and shapes, stated.")
    timings: list[Timing] = Field(min_length=1)
