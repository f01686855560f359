"""Small server-side SVG charts: they print (WeasyPrint), go into PDFs and the public portal, and need no
script. Each draws the cells of `IndicatorTable.chart_rows` as they are (never recomputed), and the
template shows the same rows as its data table; suppressed values are drawn as their mark ("< 5"),
never as a bar.

Readable at 360 px: one bar per sex and year, its value above it ("43", then "/ 51" for the target),
the target as a dashed outline (told apart without colour), a legend and the years along the axis.
Colours are the colour-blind-safe "medium contrast" palette of Paul Tol, men's bars also hatched; every
colour is an explicit attribute so the PDF prints them. In Arabic the time axis runs right to left.
The legend is HTML (swatches are tiny SVGs): WeasyPrint draws SVG text a letter at a time, which
would break Arabic words; the chart's own text is digits only.
"""

import re

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from programme.models import period_year

WIDTH = 300  # user units; shown at most ~1.4x (CSS), at 294 px on a 360-px phone: 13 units ≥ 12 px
FONT = 13
LINE = 15  # a line of text
PLOT = 110  # height of the tallest bar
INK, MUTED, AXIS = "#1d2327", "#5b6670", "#5b6670"
# sex -> (fill, outline): wine, hatched light blue, light yellow, dark blue.
COLOURS = {"F": ("#994455", "#994455"), "M": ("url(#{id}-m)", "#004488"), "X": ("#EECC66", "#997700")}
COLOURS["T"] = ("#004488", "#004488")


def series_label(sex: str) -> str:
    return {"F": _("Femmes"), "M": _("Hommes"), "X": _("Non précisé"), "T": _("Total")}[sex]


def add_charts(blocks: list[dict]) -> list[dict]:
    """Give every table of `blocks` (from figures.partnership_tables) its chart."""
    for block in blocks:
        for table in block["tables"]:
            table.chart = years_chart(table)
            table.chart_caption = chart_caption(table)
    return blocks


def years_chart(table) -> str:
    """Bars of the actual values over the years (or the running cumulative), by sex, with targets."""
    if not table.available:
        return ""
    rows = table.chart_rows
    sexes = [s for s in table.columns if s != "T"] or ["T"]
    index = [table.columns.index(s) for s in sexes]
    cells = [[row[i] for i in index] for _label, _period, row in rows]
    if not any(c.actual is not None or c.suppressed or c.target for group in cells for c in group):
        return ""
    rtl = get_language_bidi()
    chart_id = "chart-" + re.sub(r"[^A-Za-z0-9]+", "-", table.indicator.code)
    has_target = any(c.target for group in cells for c in group)
    peak = max([1] + [max(c.actual or 0, c.target or 0) for group in cells for c in group])
    base = 2 * LINE + 6 + PLOT  # the axis line
    slot = WIDTH / len(rows)
    bar = min(40, (slot - 10 - 3 * (len(sexes) - 1)) / len(sexes))
    group = len(sexes) * bar + 3 * (len(sexes) - 1)
    rects, texts = [], []
    for i, ((_label, period, _row), trio) in enumerate(zip(rows, cells, strict=True)):
        x0 = i * slot + (slot - group) / 2
        for j, (sex, cell) in enumerate(zip(sexes, trio, strict=True)):
            x = x0 + j * (bar + 3)
            top = base
            if not cell.suppressed and cell.actual is not None:
                fill, stroke = COLOURS[sex]
                top = base - PLOT * cell.actual / peak
                rects.append(_rect(x, top, bar, base - top, fill.format(id=chart_id), stroke, rtl))
            if cell.target:
                target_top = base - PLOT * cell.target / peak
                rects.append(_rect(x, target_top, bar, base - target_top, "none", INK, rtl, dashed=True))
                top = min(top, target_top)
                texts.append(_text(x + bar / 2, top - 4, f"/ {cell.target}", rtl, fill=MUTED))
                top -= LINE
            texts.append(_text(x + bar / 2, top - 4, cell.shown, rtl, weight="bold"))
        texts.append(_text(i * slot + slot / 2, base + LINE + 2, str(period_year(period)), rtl))
    height = base + LINE + 8
    axis = format_html(
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"></line>', base, WIDTH, base, AXIS
    )
    title, desc = _title(table), _description(table, rows, sexes, index)
    return format_html(
        '{}<svg class="chart" id="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" direction="ltr" font-size="{}" font-family="DejaVu Sans, sans-serif">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}{}{}</svg>',
        _legend(chart_id, sexes, has_target),
        chart_id,
        WIDTH,
        f"{height:.0f}",
        WIDTH,
        f"{height:.0f}",
        chart_id,
        chart_id,
        FONT,
        chart_id,
        title,
        chart_id,
        desc,
        _hatch(chart_id) if "M" in sexes else "",
        format_html_join("", "{}", ((r,) for r in rects)),
        axis,
        format_html_join("", "{}", ((t,) for t in texts)),
    )


def _hatch(chart_id) -> str:
    """The men's fill, `url(#<chart_id>-m)`: light blue hatched with dark blue (prints in greyscale)."""
    return format_html(
        '<defs><pattern id="{}-m" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#6699CC"></rect>'
        '<path d="M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5" stroke="#004488" stroke-width="1.6"></path>'
        "</pattern></defs>",
        chart_id,
    )


def chart_caption(table) -> str:
    if table.chart_annual and any(c.target for _label, _period, row in table.chart_rows for c in row):
        return _("Réel et cible par année")
    if table.chart_annual:
        return _("Réel par année")
    return _("Cumul depuis %(start)s, à la fin de chaque année") % {"start": table.start_year}


def _title(table) -> str:
    return f"{table.indicator.code} — {chart_caption(table)}"


def _description(table, rows, sexes, index) -> str:
    """Every value of the chart in words, for screen readers: "2025 : Femmes 43 / 43 ; Hommes 49 / 51"."""
    parts = []
    for label, _period, row in rows:
        values = []
        for sex, i in zip(sexes, index, strict=True):
            cell = row[i]
            target = f" / {cell.target}" if cell.target else ""
            values.append(f"{series_label(sex)} {cell.shown}{target}")
        parts.append(f"{label} : {' ; '.join(values)}")
    return ". ".join(parts)


def _legend(chart_id, sexes, has_target) -> SafeString:
    """The legend: a swatch (its own small SVG, so the PDF prints it) and the name of each series."""
    key = f"{chart_id}-key"  # the swatches' own pattern: WeasyPrint draws each SVG on its own
    items = [(series_label(s), *COLOURS[s], False) for s in sexes]
    if has_target:
        items.append((_("Cible"), "none", INK, True))
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">{}{}</svg> {}</li>',
            (
                (
                    _hatch(key) if "url(" in fill else "",
                    _rect(1, 1, 12, 12, fill.format(id=key), stroke, False, dashed),
                    label,
                )
                for label, fill, stroke, dashed in items
            ),
        ),
    )


def _rect(x, y, width, height, fill, stroke, rtl, dashed=False) -> SafeString:
    if rtl:
        x = WIDTH - x - width
    dash = format_html(' stroke-dasharray="{}"', "4 2") if dashed else ""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="{}"{}></rect>',
        f"{x:.1f}",
        f"{y:.1f}",
        f"{width:.1f}",
        f"{height:.1f}",
        fill,
        stroke,
        "1.5" if dashed else "1",
        dash,
    )


def _text(x, y, text, rtl, anchor="middle", fill=INK, weight="normal") -> SafeString:
    if rtl:
        x = WIDTH - x
        anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}" font-weight="{}">{}</text>',
        f"{x:.1f}",
        f"{y:.1f}",
        anchor,
        fill,
        weight,
        text,
    )
