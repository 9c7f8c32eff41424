import matplotlib

matplotlib.use("Agg")

from liveproject.load import Burst, RequestResult  # noqa: E402
from liveproject.plots import (  # noqa: E402
    plot_arrivals,
    plot_latency_vs_concurrency,
    plot_spans,
    plot_timeline,
    plot_timelines,
)


def test_timeline_draws_one_bar_per_request_and_marks_errors_red():
    results = [
        RequestResult(0, 0.0, 0.2, 200),
        RequestResult(1, 0.0, 0.4, 500),
        RequestResult(2, 0.1, 0.3, None, "Timeout"),
    ]
    figure = plot_timeline(Burst("x", 3, results, 0.4, 0.0), expected=0.2)
    bars = [line for line in figure.axes[0].lines if len(line.get_xdata()) == 2 and line.get_linestyle() == "-"]
    assert len(bars) == 3
    assert [bar.get_color() for bar in bars] == ["tab:blue", "tab:red", "tab:red"]


def test_latency_plot_draws_measured_and_limit_for_each_configuration():
    rows = [{"label": "uvicorn", "n": n, "wall": 0.2 + n / 1000, "limit": 0.2 + n / 1200} for n in (1, 10, 100)] + [
        {"label": "gthread", "n": n, "wall": 0.2 * n / 4, "limit": 0.2 * n / 4} for n in (1, 10, 100)
    ]
    figure = plot_latency_vs_concurrency(rows)
    labels = [line.get_label() for line in figure.axes[0].lines]
    assert labels == ["uvicorn: measured", "uvicorn: limit", "gthread: measured", "gthread: limit"]


def test_timelines_stack_one_panel_per_label():
    one = Burst("x", 1, [RequestResult(0, 0.0, 0.2, 200)], 0.2, 0.0)
    figure = plot_timelines({"first": one, "second": one}, expected=0.2)
    assert [ax.get_title() for ax in figure.axes] == ["first", "second"]


def test_arrivals_draw_one_step_line_per_stream():
    figure = plot_arrivals({"streamed": [0.1, 0.3, 0.5], "buffered": [0.9, 0.9, 0.9]})
    lines = figure.axes[0].lines
    assert [line.get_label() for line in lines] == ["streamed", "buffered"]
    assert list(lines[1].get_xdata()) == [0.9, 0.9, 0.9]
    assert list(lines[1].get_ydata()) == [1, 2, 3]


def test_spans_draw_one_bar_per_row_from_start_to_end():
    figure = plot_spans([("client", 0.0, 0.3), ("thread", 0.0, 1.5)])
    bars = figure.axes[0].patches
    assert [(bar.get_x(), round(bar.get_width(), 6)) for bar in bars] == [(0.0, 0.3), (0.0, 1.5)]
    assert [label.get_text() for label in figure.axes[0].get_yticklabels()] == ["client", "thread"]


def test_small_png_is_a_palette_png_a_fraction_of_matplotlibs_own_and_the_same_for_the_same_figure():
    import io

    from PIL import Image

    from liveproject.plots import PALETTE_COLOURS, small_png

    results = [RequestResult(i, i * 0.01, 0.2 + i * 0.01, 200) for i in range(40)]
    figure = plot_timeline(Burst("x", 40, results, 0.6, 0.0), expected=0.2)
    own = io.BytesIO()
    figure.savefig(own, format="png", bbox_inches="tight")
    small = small_png(figure)
    image = Image.open(io.BytesIO(small))
    assert image.mode == "P"
    assert len(image.getcolors()) <= PALETTE_COLOURS
    assert image.size == Image.open(own).size  # the same picture, drawn at the same size
    assert len(small) < len(own.getvalue()) / 2
    assert small_png(figure) == small  # a refresh that changes nothing visible changes no bytes
