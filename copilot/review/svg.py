"""Small SVG charts written as text, for the HTML report: no JavaScript, nothing fetched.

Each function returns one <svg> element sized in CSS pixels, with a <title> on every mark so a
browser shows the agent and value on hover. Colours follow the app's palette (copilot/ui/theme.py).
"""
from __future__ import annotations

import math
import zlib
from html import escape

from copilot.review.columns import format_value

TEXT, MUTED, GRID, ACCENT, DANGER, WARNING, SUCCESS = ("#1f2933", "#7b8794", "#e4e7eb", "#2f6fde", "#d64545",
                                                      "#d9822b", "#2f9e69")
DOT, BAND = "#9aa5b1", "#dbe7fb"
FONT = 'font-family="DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"'


def nice_ticks(lo: float, hi: float, count: int = 5, unit: float = 1.0) -> list[float]:
    """Round tick values covering [lo, hi], at most about count+1 of them, 1, 2, 2.5 or 5 times a
    power of ten apart. `unit`: ticks are round in that unit (60: whole minutes for seconds)."""
    lo, hi = lo / unit, hi / unit
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    power = 10 ** math.floor(math.log10((hi - lo) / max(1, count)))
    step = next(m * power for m in (1, 2, 2.5, 5, 10, 20) if (hi - lo) / (m * power) <= count + 1)
    ticks, value = [], math.floor(lo / step) * step
    while value < hi + step * 0.999:
        ticks.append(round(value * unit, 10))
        value += step
    return ticks


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" {FONT} font-size="12">'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", colour: str = MUTED, size: int = 12,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}" font-size="{size}" '
            f'font-weight="{weight}">{escape(text)}</text>')


def strip_chart(values: list[tuple[str, float]], fmt: str, marks: dict[str, str], median: float | None,
                q1: float | None, q3: float | None, title: str, width: int = 620, height: int = 86) -> str:
    """One dot per agent on a horizontal axis, the team's middle half shaded and its median drawn.

    `marks`: agent -> colour for the agents to pick out (flagged ones); the rest are grey.
    """
    left, right, top = 150, 20, 14
    axis_y = height - 24
    body = [_text(0, top + 26, title, colour=TEXT, size=13, weight="bold")]
    if not values:
        return _svg(width, height, body + [_text(left, top + 26, "no data")], title)
    vs = [v for _, v in values]
    lo, hi = (0.0, 1.0) if fmt == "pct" else (min(0.0, min(vs)), max(vs))
    ticks = nice_ticks(lo, hi, 4, 60.0 if fmt == "min" else 1.0)
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (width - left - right)

    if q1 is not None and q3 is not None:
        body.append(f'<rect x="{x(q1):.1f}" y="{top}" width="{max(1.0, x(q3) - x(q1)):.1f}" '
                    f'height="{axis_y - top}" fill="{BAND}"><title>middle half of the team: '
                    f'{format_value(q1, fmt)} to {format_value(q3, fmt)}</title></rect>')
    for t in ticks:
        body.append(f'<line x1="{x(t):.1f}" y1="{axis_y}" x2="{x(t):.1f}" y2="{axis_y + 4}" stroke="{MUTED}"/>')
        body.append(_text(x(t), axis_y + 16, format_value(t, fmt), "middle", size=11))
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="{GRID}"/>')
    if median is not None:
        body.append(f'<line x1="{x(median):.1f}" y1="{top - 4}" x2="{x(median):.1f}" y2="{axis_y}" '
                    f'stroke="{ACCENT}" stroke-width="2"><title>team median {format_value(median, fmt)}</title></line>')
    ordered = sorted(values, key=lambda item: item[0] in marks)  # picked-out agents drawn on top
    for agent, v in ordered:
        colour = marks.get(agent, DOT)
        # a stable height per agent (crc32, not hash(): the same every run) so equal values stay visible
        y = top + 8 + (zlib.crc32(agent.encode()) % 1000) / 1000 * (axis_y - top - 16)
        r = 5 if agent in marks else 3.5
        body.append(f'<circle cx="{x(v):.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" fill-opacity="0.85" '
                    f'stroke="#ffffff" stroke-width="0.8"><title>{escape(agent)}: {format_value(v, fmt)}</title></circle>')
    return _svg(width, height, body, title)


def line_chart(labels: list[str], series: list[tuple], fmt: str,
               title: str, band: tuple[list[float | None], list[float | None]] | None = None,
               width: int = 620, height: int = 240) -> str:
    """Lines over time (x = labels). `series`: (name, values, colour, stroke width[, dash pattern]);
    `band`: (low, high) values of a shaded range."""
    left, right, top, bottom = 56, 130, 30, 34
    body = [_text(0, 16, title, colour=TEXT, size=13, weight="bold")]
    every = [v for _, vs, *_ in series for v in vs if v is not None]
    if band:
        every += [v for v in band[0] + band[1] if v is not None]
    if not labels or not every:
        return _svg(width, height, body + [_text(left, top + 30, "no data")], title)
    ticks = nice_ticks(0.0 if fmt == "pct" or min(every) >= 0 else min(every), max(every) or 1.0, 4,
                       60.0 if fmt == "min" else 1.0)
    lo, hi = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w / 2 if len(labels) == 1 else i * plot_w / (len(labels) - 1))

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    for t in ticks:
        body.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{left + plot_w}" y2="{y(t):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(t) + 4, format_value(t, fmt), "end", size=11))
    step = max(1, math.ceil(len(labels) / 8))
    for i in range(0, len(labels), step):
        body.append(_text(x(i), height - bottom + 18, labels[i][5:] if len(labels[i]) == 10 else labels[i],
                          "middle", size=11))
    if band:
        points = [(i, lo_v, hi_v) for i, (lo_v, hi_v) in enumerate(zip(*band)) if lo_v is not None]
        if points:
            outline = [f"{x(i):.1f},{y(h):.1f}" for i, _, h in points] + [f"{x(i):.1f},{y(l):.1f}" for i, l, _ in reversed(points)]
            body.append(f'<polygon points="{" ".join(outline)}" fill="{BAND}"><title>middle half of the team'
                        f'</title></polygon>')
    legend_y = top
    for name, values, colour, stroke, *dash in series:
        dashes = f' stroke-dasharray="{dash[0]}"' if dash and dash[0] else ""
        runs, run = [], []
        for i, v in enumerate(values):
            if v is None:
                runs, run = (runs + [run] if run else runs), []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        runs += [run] if run else []
        for r in runs:
            body.append(f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" stroke-width="{stroke}" '
                        f'stroke-linejoin="round"{dashes}><title>{escape(name)}</title></polyline>')
            if len(r) == 1:
                cx, cy = r[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        body.append(f'<line x1="{width - right + 8}" y1="{legend_y}" x2="{width - right + 28}" y2="{legend_y}" '
                    f'stroke="{colour}" stroke-width="{max(2.0, stroke)}"{dashes}/>')
        body.append(_text(width - right + 32, legend_y + 4, name[:16], size=11, colour=TEXT))
        legend_y += 16
    return _svg(width, height, body, title)


def grouped_bars(groups: list[str], series: list[tuple[str, list[float | None], str]], fmt: str, title: str,
                 width: int = 620, height: int = 220) -> str:
    """Bars side by side per group (e.g. per tier: replies from drafts vs own replies)."""
    left, right, top, bottom = 56, 150, 30, 34
    body = [_text(0, 16, title, colour=TEXT, size=13, weight="bold")]
    every = [v for _, vs, _ in series for v in vs if v is not None]
    if not groups or not every:
        return _svg(width, height, body + [_text(left, top + 30, "no data")], title)
    ticks = nice_ticks(0.0, max(every), 4, 60.0 if fmt == "min" else 1.0)
    hi = ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom
    for t in ticks:
        yy = top + plot_h - t / hi * plot_h
        body.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, yy + 4, format_value(t, fmt), "end", size=11))
    slot = plot_w / len(groups)
    bar = min(36.0, slot * 0.8 / len(series))
    for g, group in enumerate(groups):
        x0 = left + g * slot + (slot - bar * len(series)) / 2
        body.append(_text(left + g * slot + slot / 2, height - bottom + 18, group, "middle", colour=TEXT))
        for k, (name, values, colour) in enumerate(series):
            v = values[g]
            if v is None:
                continue
            h = v / hi * plot_h
            body.append(f'<rect x="{x0 + k * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 2:.1f}" '
                        f'height="{h:.1f}" fill="{colour}" rx="2"><title>{escape(group)}, {escape(name)}: '
                        f'{format_value(v, fmt)}</title></rect>')
            body.append(_text(x0 + k * bar + bar / 2 - 1, top + plot_h - h - 4, format_value(v, fmt), "middle", size=10))
    for k, (name, _, colour) in enumerate(series):
        yy = top + k * 18
        body.append(f'<rect x="{width - right + 12}" y="{yy - 9}" width="12" height="12" fill="{colour}" rx="2"/>')
        body.append(_text(width - right + 30, yy + 2, name, size=11, colour=TEXT))
    return _svg(width, height, body, title)
