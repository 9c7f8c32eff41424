"""Pictures of measurements: a request timeline, and latency against concurrency with its limit.

Each function returns its matplotlib Figure. A figure these functions create is closed in pyplot first,
so a notebook shows it exactly once: as the value of the cell (end the cell with the call, no semicolon).
In a notebook a figure is stored as a PNG of PALETTE_COLOURS colours (small_png): a third of the bytes of
matplotlib's own, so each refresh of a chapter adds less to the repository.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from liveproject.load import Burst

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matplotlib.axes import Axes


def plot_timeline(
    burst: Burst,
    *,
    title: str = "",
    expected: float | None = None,
    ax: Axes | None = None,
    legend: bool = True,
    unit: str = "request",
) -> Figure:
    """One horizontal bar per request, from when it was sent to when its response arrived.

    Bars that line up vertically ran at the same time; a staircase means requests waited for each other.
    `expected` draws a line where a single request would end on an idle server.
    """
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(8, max(2.8, 1.0 + min(len(burst.results), 60) * 0.1)))
    ordered = sorted(burst.results, key=lambda r: (r.start, r.index))
    for row, result in enumerate(ordered):
        color = "tab:blue" if result.error is None and (result.status or 500) < 400 else "tab:red"
        ax.plot([result.start, result.end], [row, row], color=color, linewidth=2.5, solid_capstyle="butt")
    if expected is not None:
        ax.axvline(expected, color="grey", linestyle="--", linewidth=1, label=f"one {unit}\nalone ({expected:g} s)")
        if legend:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("seconds since the burst started")
    ax.set_ylabel(unit)
    ax.set_ylim(-1, len(ordered))
    ax.set_xlim(left=0)
    ax.set_title(title or f"{burst.n} concurrent requests")
    return _finish(ax, created)


def plot_timelines(
    bursts: Mapping[str, Burst], *, expected: float | None = None, title: str = "", unit: str = "request"
) -> Figure:
    """Several timelines stacked on one time axis, one per label: {"gunicorn sync": burst, ...}."""
    fig, axes = plt.subplots(len(bursts), 1, figsize=(8, 1.0 + 2.0 * len(bursts)), sharex=True, squeeze=False)
    for row, (ax, (label, burst)) in enumerate(zip(axes[:, 0], bursts.items(), strict=True)):
        plot_timeline(burst, title=label, expected=expected, ax=ax, legend=row == 0, unit=unit)
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel("seconds since the start")
    if title:
        fig.suptitle(title)
    return _finish(axes[-1, 0], True)


def plot_latency_vs_concurrency(
    rows: list[dict], *, title: str = "Batch time against concurrency", ax: Axes | None = None
) -> Figure:
    """Measured batch time against N, with each configuration's theoretical limit dashed beside it.

    rows: dicts with "label", "n", "wall" (measured seconds) and "limit" (theoretical seconds).
    """
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(7, 4.5))
    labels = list(dict.fromkeys(row["label"] for row in rows))
    for i, label in enumerate(labels):
        color = f"C{i}"
        mine = sorted((row for row in rows if row["label"] == label), key=lambda row: row["n"])
        ns = [row["n"] for row in mine]
        ax.plot(ns, [row["wall"] for row in mine], "o-", color=color, label=f"{label}: measured")
        ax.plot(ns, [row["limit"] for row in mine], "--", color=color, alpha=0.6, label=f"{label}: limit")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("concurrent requests (N)")
    ax.set_ylabel("time for the whole batch (s)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return _finish(ax, created)


def plot_arrivals(
    series: Mapping[str, Sequence[float]], *, title: str = "When each event arrived", ax: Axes | None = None
) -> Figure:
    """Event number against the time it reached the client, one line per label: {"label": [seconds, ...]}.

    A staircase climbing steadily is a stream; a vertical wall at the end is a buffered response.
    """
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(7, 4))
    for i, (label, arrivals) in enumerate(series.items()):
        ax.step(arrivals, range(1, len(arrivals) + 1), where="post", marker="o", color=f"C{i}", label=label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("seconds since the request was sent")
    ax.set_ylabel("events received")
    ax.set_xlim(left=0)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return _finish(ax, created)


def plot_spans(spans: list[tuple[str, float, float]], *, title: str = "", ax: Axes | None = None) -> Figure:
    """One bar per (label, start, end) in seconds, top to bottom: who was busy with a request, and when."""
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(8, 0.8 + 0.5 * len(spans)))
    for row, (_label, start, end) in enumerate(spans):
        ax.barh(row, end - start, left=start, height=0.5, color=f"C{row}")
        ax.text(end, row, f" {end:.1f} s", va="center", fontsize="small")
    ax.set_yticks(range(len(spans)), [label for label, _, _ in spans])
    ax.invert_yaxis()
    ax.set_xlim(0, max(end for _, _, end in spans) * 1.15)
    ax.set_xlabel("seconds since the request was sent")
    ax.set_title(title)
    return _finish(ax, created)


def _finish(ax: Axes, created: bool) -> Figure:
    ax.figure.tight_layout()
    _store_figures_as_small_pngs()  # now: drawing the figure loaded the inline backend, which set its own format
    if created:
        plt.close(ax.figure)  # shown once, as the cell's value, not again by the inline backend
    return ax.figure


PALETTE_COLOURS = 64  # plenty for a few series and their antialiased edges; the eye sees no difference


def small_png(figure: Figure) -> bytes:
    """`figure` as a PNG with a palette (PALETTE_COLOURS colours) instead of RGBA, as the notebook's inline
    backend would draw it otherwise (its dpi, tight bounding box): about 14 KB instead of 45 KB for a timeline."""
    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", bbox_inches="tight", facecolor="white")
    return palette_png(drawn.getvalue())


def palette_png(png: bytes) -> bytes:
    """Any PNG (a figure, a browser's screenshot) with a palette of PALETTE_COLOURS colours: a fraction of the bytes,
    and the same bytes for the same picture."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT)
    small = io.BytesIO()
    image.save(small, format="PNG", optimize=True)
    return small.getvalue()


def _store_figures_as_small_pngs() -> None:
    """In a notebook, display figures with small_png. Called once a figure exists: the inline backend is loaded
    with the first figure, and registers its own PNG format then, which this replaces."""
    try:
        from IPython import get_ipython
    except ImportError:  # a script or a server: nothing is displayed
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, small_png)
