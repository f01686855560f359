"""Charts people read: legend, values equal to figures.py's, the years along an axis (mirrored in
Arabic), a data table beside each, and charts on the public portal. The PDF's colours:
reports/tests/test_annual.py."""

import re
from xml.etree import ElementTree

from defusedxml import ElementTree as defused
from django.utils import translation

from indicators import charts, figures
from indicators.figures import Cell, IndicatorTable
from partnerships.access import access_for
from portal import published
from programme.models import Indicator, cumulative

YEAR = 2025


def parse(markup: str) -> ElementTree.Element:
    """A chart made by indicators/charts.py, its legend and its SVG (our own markup, not untrusted input)."""
    return defused.fromstring(f"<div>{markup}</div>")


def chart_of(html: str, code: str) -> ElementTree.Element:
    """The chart of indicator `code` in a page, parsed."""
    chart_id = f"chart-{code.replace('.', '-')}"
    found = re.search(
        rf'<ul class="chart-legend">(?:(?!</ul>).)*</ul><svg class="chart" id="{chart_id}".*?</svg>',
        html,
        re.S,
    )
    assert found, f"no chart for {code}"
    return parse(found.group(0))


def texts(chart) -> list[tuple[float, str]]:
    """The texts drawn in the chart's SVG, with their x."""
    return [(float(t.get("x")), t.text) for t in chart.find("svg[@class='chart']").iter("text")]


def legend(chart) -> list[str]:
    return ["".join(li.itertext()).strip() for li in chart.iter("li")]


def tables(world, username="coordination"):
    partnership = world["partnership"]
    blocks = figures.partnership_tables(partnership, access_for(world["users"][username], partnership), YEAR)
    return {t.indicator.code: t for b in blocks for t in b["tables"]}


def expected_labels(table) -> set[str]:
    """Every value and target the chart must write: figures.py's cells of its rows, as the tables show them."""
    sexes = [s for s in table.columns if s != "T"] or ["T"]
    labels = set()
    for _label, _period, row in table.chart_rows:
        for sex, cell in zip(table.columns, row, strict=True):
            if sex in sexes:
                labels.add(cell.shown)
                if cell.target:
                    labels.add(f"/ {cell.target}")
    return labels


def test_dashboard_charts_have_legend_axis_and_the_tables_values(demo_activity, client_for):
    html = client_for("coordination").get(
        f"/p/{demo_activity['partnership'].slug}/tableau-de-bord/?annee={YEAR}"
    )
    html = html.content.decode()
    by_code = tables(demo_activity)
    oc1 = chart_of(html, "OC.1")
    words = {text for _x, text in texts(oc1)}
    # The women followed by the listening centre, cumulative since 2022, against the roadmap's 150.
    assert str(by_code["OC.1"].cells[(cumulative(YEAR), "F")].actual) in words and "/ 150" in words
    assert legend(oc1) == ["Femmes", "Cible"]
    oc2 = chart_of(html, "OC.2")
    words = {text for _x, text in texts(oc2)}
    assert legend(oc2) == ["Femmes", "Hommes", "Cible"]
    assert {"2022", "2023", "2024", "2025"} <= words  # the time axis
    assert expected_labels(by_code["OC.2"]) <= words
    assert "/ 43" in words and "/ 51" in words
    # Accessible: an image named by its title and described by every value; swatches hidden.
    svg = oc2.find("svg[@class='chart']")
    assert svg.get("role") == "img"
    assert all(swatch.get("aria-hidden") == "true" for swatch in oc2.findall("ul/li/svg"))
    title, desc = svg.find("title"), svg.find("desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "OC.2" in title.text and f"Hommes {by_code['OC.2'].cells[(YEAR, 'M')].actual} / 51" in desc.text
    # Its data table beside it holds the same rows.
    assert html.count('<details class="chart-data">') == html.count('<svg class="chart"')
    assert len(set(re.findall(r' id="([^"]+)"', html))) == len(re.findall(r' id="([^"]+)"', html))


def test_time_axis_runs_right_to_left_in_arabic(demo_activity):
    table = tables(demo_activity)["OC.2"]
    with translation.override("ar"):
        rtl = parse(charts.years_chart(table))
    ltr = parse(charts.years_chart(table))
    years = [str(y) for y in range(2022, YEAR + 1)]

    def axis(svg):
        return [x for x, text in texts(svg) if text in years]

    assert axis(ltr) == sorted(axis(ltr))  # earliest on the left
    assert axis(rtl) == sorted(axis(rtl), reverse=True)  # earliest on the right
    assert legend(rtl) == ["النساء", "الرجال", "الهدف"]


def test_a_hidden_cell_is_written_as_its_mark_and_drawn_as_no_bar():
    indicator = Indicator(code="R9.1", period=Indicator.Period.ANNUAL, source=Indicator.Source.PEOPLE)
    cells = {(y, s): Cell(target=None, actual=None) for y in (2024, cumulative(2024)) for s in "FMT"}
    cells[(2024, "F")] = Cell(target=10, actual=None, mark="< 5")
    cells[(2024, "M")] = Cell(target=None, actual=12)
    table = IndicatorTable(indicator, True, 2024, 2024, ["F", "M", "T"], False, cells)
    chart = parse(charts.years_chart(table))
    words = [text for _x, text in texts(chart)]
    assert "< 5" in words and "12" in words and "/ 10" in words
    fills = [r.get("fill") for r in chart.find("svg[@class='chart']").iter("rect")]
    assert "#994455" not in fills  # no women's bar
    assert fills.count("url(#chart-R9-1-m)") == 1  # the men's bar


def test_public_portal_draws_the_published_indicators(demo_activity, client):
    slug = demo_activity["partnership"].slug
    html = client.get(f"/public/{slug}/?annee={YEAR}").content.decode()
    public = {
        t.indicator.code: t
        for b in published.indicator_blocks(demo_activity["partnership"], year=YEAR)
        for t in b["tables"]
    }
    assert public
    for code, table in public.items():
        if table.chart_rows and any(c.actual is not None for _l, _p, row in table.chart_rows for c in row):
            words = {text for _x, text in texts(chart_of(html, code))}
            assert expected_labels(table) <= words
    assert "<script" not in html.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
