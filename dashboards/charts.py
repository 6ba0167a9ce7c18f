"""Charts drawn on the server, with no script and no CDN (closed intranet):
bars as sized HTML boxes, which stay legible on a 375-pixel phone and print
on A4; the trend as an inline SVG whose numbers also stand in a table."""

from dataclasses import dataclass

from tabular.percent import percent, percent_value


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # what the bar measures
    text: str  # what is written beside it
    width: object  # 0–100, share of the chart's width (one decimal, as every figure)
    marker: object = None  # 0–100: a target line, if any
    link: str = ""


def rate_bars(rows, link=None):
    """``rows``: (label, rate or None, text); rates are fractions of 1."""
    return [
        Bar(label, rate, text, 0 if rate is None else percent_value(rate), None, link(key) if link else "")
        for key, label, rate, text in rows
    ]


def count_bars(rows):
    """``rows``: (label, count, target or None, text): bars scaled to the
    largest count or target, with the target as a marker."""
    top = max([max(count, target or 0) for _label, count, target, _text in rows] or [0]) or 1
    return [
        Bar(
            label,
            count,
            text,
            percent_value(count / top),
            None if target is None else percent_value(target / top),
        )
        for label, count, target, text in rows
    ]


@dataclass(frozen=True)
class Line:
    name: str
    css: str
    segments: list  # SVG polyline point lists, one per unbroken run
    dots: list  # [(x, y, label)]


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 200, 34, 22, 12, 28


def trend(labels, series):
    """An SVG line chart of rates (0–100 %) over ``labels`` (quarters).
    ``series``: [(name, css class, [rate or None])]. A gap in a series (a
    quarter with nothing to count) breaks its line there."""
    count = len(labels)
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (span_x * i / (count - 1) if count > 1 else span_x / 2)

    def y(rate):
        return TOP + span_y * (1 - rate)

    lines = []
    for name, css, values in series:
        dots = [(round(x(i), 1), round(y(v), 1), percent(v)) for i, v in enumerate(values) if v is not None]
        segments, current = [], []
        for i, v in enumerate(values):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(i):.1f},{y(v):.1f}")
        if current:
            segments.append(current)
        lines.append(Line(name, css, [" ".join(s) for s in segments], dots))
    grid = [(round(y(level / 100), 1), f"{level}%") for level in (0, 25, 50, 75, 100)]
    ticks = [(round(x(i), 1), label) for i, label in enumerate(labels)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - 8,
        "lines": lines,
        "grid": grid,
        "ticks": ticks,
    }
