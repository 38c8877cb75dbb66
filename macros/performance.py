"""Benchmark runs (data/benchmarks/) rendered as SVG bar charts plus the same numbers as tables.

Charts are plain inline SVG written here — no chart library, no JavaScript — with a <title> and
a table beside them so every number is readable without the picture.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from .models import Timing
from .rendering import render

MODELS = ("mlp", "cnn", "lstm", "transformer-block")
TASKS = ("training-step", "inference")
# Colour per framework (AA contrast against white for the labels drawn in them is not needed: labels sit outside).
COLOURS = {"pytorch": "#c2410c", "tensorflow": "#1d4ed8", "jax": "#15803d"}


def bar_chart(title: str, timings: list[Timing], framework_names: dict[str, str], width: int = 640) -> Markup:
    """Horizontal bars of median time per variant on a log scale, with a p25–p75 whisker.

    A log scale because the variants of one model span two orders of magnitude (an eager JAX LSTM
    against a compiled one); on a linear axis the fast variants would vanish.
    """
    label_width, row_height, top, right = 190, 26, 34, 80
    plot_width = width - label_width - right
    low_edge = 10 ** math.floor(math.log10(min(t.p25_ms for t in timings) or 0.01))
    high_edge = max(t.p75_ms for t in timings) * 1.05

    def x(value: float) -> float:
        return plot_width * math.log10(max(value, low_edge) / low_edge) / math.log10(high_edge / low_edge)

    height = top + row_height * len(timings) + 10
    parts = [
        f'<svg class="rosetta-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="0" y="18" font-size="14" font-weight="bold" fill="currentColor">{escape(title)}</text>',
    ]
    for index, timing in enumerate(timings):
        y = top + index * row_height
        bar, low, high = x(timing.median_ms), x(timing.p25_ms), x(timing.p75_ms)
        label = f"{framework_names[timing.framework]} · {timing.variant}"
        colour = COLOURS.get(timing.framework, "#444")
        parts += [
            f'<text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="currentColor">'
            f"{escape(label)}</text>",
            f'<rect x="{label_width}" y="{y + 4}" width="{bar:.1f}" height="{row_height - 10}" fill="{colour}"'
            f'{"" if timing.compiled else " fill-opacity=" + chr(34) + "0.55" + chr(34)}/>',
            f'<line x1="{label_width + low:.1f}" x2="{label_width + high:.1f}" y1="{y + row_height / 2 - 1}" '
            f'y2="{y + row_height / 2 - 1}" stroke="currentColor" stroke-width="1.5"/>',
            f'<text x="{label_width + max(bar, high) + 6:.1f}" y="{y + 15}" font-size="12" fill="currentColor">'
            f"{timing.median_ms:.2f} ms</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def performance_section(site) -> str:
    runs = [run for run in site.benchmarks if run.mode == "full"]
    if not runs:
        return "No full benchmark run is recorded yet: run `make measure` to produce one."
    run = runs[-1]  # newest: ids are cpu-<date>
    names = {f.id: f.name for f in site.frameworks}
    order = {f.id: i for i, f in enumerate(site.frameworks)}
    charts = []
    for model in MODELS:
        for task in TASKS:
            timings = sorted((t for t in run.timings if t.model == model and t.task == task),
                             key=lambda t: (order.get(t.framework, 9), t.compiled, t.variant))
            if timings:
                charts.append((model, task, bar_chart(f"{model} · {task} · median ms, log scale (lower is faster)",
                                                      timings, names), timings))
    return render("performance.md", run=run, charts=charts, names=names)
