"""Small server-side SVG charts: they print, go into PDFs, and need no script. The data table is
always shown beside them; suppressed values are drawn as nothing, never as their true height."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .figures import Cell

WIDTH, HEIGHT, PAD = 240, 90, 14


def years_chart(table, partnership):
    """Bars of the actual value by year, women and men side by side, with the target as a tick."""
    years = table.years
    if not table.available or not table.annual:
        return ""
    empty = Cell(target=None, actual=None)
    cells = {y: tuple(table.cells.get((y, s), empty) for s in ("F", "M", "T")) for y in years}
    by_sex = "F" in table.columns
    peak = max(
        [1]
        + [c.actual or 0 for trio in cells.values() for c in trio]
        + [c.target or 0 for trio in cells.values() for c in trio]
    )
    slot = (WIDTH - 2 * PAD) / len(years)
    bar = slot / (3 if by_sex else 2)
    scale = (HEIGHT - 2 * PAD) / peak
    shapes, labels = [], []
    for i, year in enumerate(years):
        f, m, t = cells[year]
        x0 = PAD + i * slot
        series = [("f", f), ("m", m)] if by_sex else [("t", t)]
        for j, (css, cell) in enumerate(series):
            if cell.suppressed or cell.actual is None:
                continue
            h = cell.actual * scale
            x = x0 + j * bar
            shapes.append(
                (f"bar bar-{css}", f"{x:.1f}", f"{HEIGHT - PAD - h:.1f}", f"{bar * 0.9:.1f}", f"{h:.1f}")
            )
            if cell.target:
                ty = HEIGHT - PAD - cell.target * scale
                shapes.append((f"target target-{css}", f"{x:.1f}", f"{ty:.1f}", f"{bar * 0.9:.1f}", "2"))
        labels.append((f"{x0 + slot / 2 - 8:.1f}", str(HEIGHT - 2), str(year)[2:]))
    rects = format_html_join("", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>', shapes)
    texts = format_html_join("", '<text x="{}" y="{}">{}</text>', labels)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}{}</svg>',
        WIDTH,
        HEIGHT,
        _("Valeurs par année (femmes, hommes) et cibles"),
        rects,
        texts,
    )
