"""Benchmark runs (data/benchmarks/) rendered as SVG bar charts plus the same numbers as tables.

Charts are plain inline SVG from a template (templates/bar_chart.svg) — no chart library, no JavaScript —
with a <title> and a table beside them so every number is readable without the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from content.measurements import Timing
from content.models import Framework
from .rendering import compact_html, render

MODELS = ("mlp", "cnn", "lstm", "transformer-block")
TASKS = ("training-step", "inference")
LABEL_WIDTH, ROW_HEIGHT, TOP, RIGHT = 190, 26, 34, 80


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    colour: str
    compiled: bool
    median_ms: float
    length: float  # the median, in pixels from the left edge of the plot
    low: float  # p25 and p75, in pixels
    high: float


def bar_chart(title: str, timings: list[Timing], frameworks: dict[str, Framework], width: int = 640) -> Markup:
    """Horizontal bars of median time per variant on a log scale, with a p25–p75 whisker.

    A log scale because the variants of one model span two orders of magnitude (an eager LSTM against a
    compiled one); on a linear axis the fast variants would vanish.
    """
    plot_width = width - LABEL_WIDTH - RIGHT
    low_edge = 10 ** math.floor(math.log10(min(t.p25_ms for t in timings) or 0.01))
    high_edge = max(t.p75_ms for t in timings) * 1.05

    def x(value: float) -> float:
        return plot_width * math.log10(max(value, low_edge) / low_edge) / math.log10(high_edge / low_edge)

    bars = [Bar(y=TOP + index * ROW_HEIGHT, label=f"{frameworks[t.framework].name} · {t.variant}",
                colour=frameworks[t.framework].colour, compiled=t.compiled, median_ms=t.median_ms,
                length=x(t.median_ms), low=x(t.p25_ms), high=x(t.p75_ms))
            for index, t in enumerate(timings)]
    return compact_html(render("bar_chart.svg", title=title, bars=bars, width=width,
                               height=TOP + ROW_HEIGHT * len(timings) + 10, label_width=LABEL_WIDTH,
                               row_height=ROW_HEIGHT))


def performance_section(site) -> str:
    runs = [run for run in site.benchmarks if run.mode == "full"]
    if not runs:
        return "No full benchmark run is recorded yet: run `make measure` to produce one."
    run = runs[-1]  # newest: ids are cpu-<date>
    frameworks = {f.id: f for f in site.frameworks}
    order = {f.id: i for i, f in enumerate(site.frameworks)}
    charts = []
    for model in MODELS:
        for task in TASKS:
            timings = sorted((t for t in run.timings if t.model == model and t.task == task),
                             key=lambda t: (order[t.framework], t.compiled, t.variant))
            if timings:
                charts.append((model, task, bar_chart(f"{model} · {task} · median ms, log scale (lower is faster)",
                                                      timings, frameworks), timings))
    return render("performance.md", run=run, charts=charts, names={f.id: f.name for f in site.frameworks})
