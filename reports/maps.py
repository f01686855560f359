"""The coverage map, drawn here as SVG text from the douars' points: no tile server, no script, no
external resource, so it works offline, prints and goes into the PDF.

An equirectangular projection (longitude scaled by the cosine of the mean latitude) fitted in a fixed
viewBox with margins; one circle per douar whose area is proportional to the people reached, as the
coverage table shows them: a hidden count is drawn as the smallest circle and labelled with its mark
("< 5"), never its value. Names in the active language, beside their circle toward the middle; in
Arabic they run right to left (`direction`). A scale bar in km, a north arrow and a legend. Every text is escaped
(`format_html`). Deterministic: the same rows give the same bytes (coordinates rounded to 0.1 unit).
"""

import math
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from core import disclosure

# Unicode's bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

WIDTH, HEIGHT = 400, 340
MARGIN = 56  # room for the labels beside the outermost circles
BOTTOM = 64  # the scale bar and the legend under the map
R_MIN, R_MAX = 4.0, 24.0
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # along a meridian, on the mean Earth radius
SINGLE_SPAN = 0.02  # degrees shown around a single point
INK, MUTED, FILL, EMPTY = "#1d2327", "#5b6670", "#004488", "#ffffff"
FONT = 13  # user units: about 11 px when the map fills a 360-px phone


@dataclass(frozen=True)
class Point:
    """A douar on the map: its name, position, and people reached as the table shows them (`value`
    None when hidden; `shown` is the table's text, its mark when hidden)."""

    name: str
    latitude: float
    longitude: float
    value: int | None
    shown: str


def _num(x: float) -> str:
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _scale_length(px_per_km: float) -> int:
    """A round length (1, 2, 5 × 10ⁿ km) whose bar is at most a quarter of the width."""
    best = 1
    for exponent in range(-2, 5):
        for step in (1, 2, 5):
            length = step * 10**exponent
            if length * px_per_km <= WIDTH / 4:
                best = length
    return best


def coverage_map(points: list[Point], title: str) -> SafeString:
    """The SVG map of `points` (in the table's order), or "" when there is none."""
    if not points:
        return SafeString("")
    rtl = get_language_bidi()
    mean_lat = sum(p.latitude for p in points) / len(points)
    squeeze = math.cos(math.radians(mean_lat))
    xs = [p.longitude * squeeze for p in points]
    ys = [-p.latitude for p in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    if span_x < 1e-9 and span_y < 1e-9:
        span_x = span_y = SINGLE_SPAN
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - BOTTOM - 2 * MARGIN
    scale = min(
        inner_w / span_x if span_x > 1e-9 else math.inf, inner_h / span_y if span_y > 1e-9 else math.inf
    )
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def project(i) -> tuple[float, float]:
        return WIDTH / 2 + (xs[i] - centre_x) * scale, MARGIN + inner_h / 2 + (ys[i] - centre_y) * scale

    peak = max([p.value or 0 for p in points] + [1])
    marks = []
    for i, p in enumerate(points):
        x, y = project(i)
        radius = max(R_MIN, R_MAX * math.sqrt((p.value or 0) / peak))
        filled = p.value is None or p.value > 0
        marks.append(
            format_html(
                '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.55" stroke="{}" stroke-width="1.5"></circle>',
                _num(x),
                _num(y),
                _num(radius),
                FILL if filled else EMPTY,
                FILL,
            )
        )
        # The label goes toward the middle, so long names stay inside the frame; in Arabic
        # (direction rtl) "start" is the text's right end.
        side = -1 if x > WIDTH / 2 else 1
        anchor = ("end" if side < 0 else "start") if not rtl else ("start" if side < 0 else "end")
        marks.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}" direction="{}" fill="{}">{} <tspan fill="{}">({})</tspan></text>',
                _num(x + side * (radius + 4)),
                _num(y + FONT / 3),
                anchor,
                "rtl" if rtl else "ltr",
                INK,
                p.name,
                MUTED,
                p.shown,
            )
        )
    px_per_km = scale / KM_PER_DEGREE
    km = _scale_length(px_per_km)
    bar = km * px_per_km
    top = HEIGHT - BOTTOM + 4  # the scale bar, then the legend's two lines, across the width
    scale_bar = format_html(
        '<g fill="{}" stroke="{}"><path d="M16 {} v6 h{} v-6" fill="none" stroke-width="1.5"></path>'
        '<text x="{}" y="{}" stroke="none" text-anchor="start" direction="ltr">{}</text></g>',
        INK,
        INK,
        _num(top),
        _num(bar),
        _num(16 + bar + 6),
        _num(top + 8),
        _("%(km)s km") % {"km": km},
    )
    north = format_html(
        '<g fill="{}"><path d="M{} 12 l7 20 l-7 -5 l-7 5 z"></path>'
        '<text x="{}" y="46" text-anchor="middle" font-weight="bold">{}</text></g>',
        INK,
        WIDTH - 20,
        WIDTH - 20,
        _("N"),
    )
    lines = [
        _("Aire des cercles : personnes atteintes (au plus %(peak)s)") % {"peak": peak},
        _("« < %(k)s » : petit effectif masqué, plus petit cercle")
        % {"k": disclosure.THRESHOLDS["registry"]},
    ]
    legend = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="start" direction="{}" fill="{}">{}</text>',
        (
            (WIDTH - 16 if rtl else 16, _num(top + 28 + 16 * i), "rtl" if rtl else "ltr", MUTED, line)
            for i, line in enumerate(lines)
        ),
    )
    description = " ; ".join(f"{p.name} : {p.shown}" for p in points)
    return format_html(
        '<svg class="coverage-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" '
        'height="{}" role="img" aria-label="{}" font-size="{}" font-family="DejaVu Sans, sans-serif">'
        "<title>{}</title><desc>{}</desc>"
        '<rect x="0" y="0" width="{}" height="{}" fill="#f4f7f6" stroke="{}"></rect>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        FONT,
        title,
        description,
        WIDTH,
        HEIGHT,
        MUTED,
        format_html_join("", "{}", ((m,) for m in marks)),
        scale_bar,
        north,
        legend,
    )


def points_of(rows) -> list[Point]:
    """The map's points from the coverage table's douar rows (reports/coverage.py)."""
    return [
        Point(
            name=BIDI_CONTROLS.sub("", row.name),  # an override in a name would turn figures around
            latitude=float(row.douar.latitude),
            longitude=float(row.douar.longitude),
            value=row.reached.value,
            shown=str(row.reached),
        )
        for row in rows
    ]
