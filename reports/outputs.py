"""The annual report as files: PDF (WeasyPrint, from the page's own template), XLSX and CSV.

Every file is made from `annual.annual_report(...)`, so it holds exactly what the viewer's page shows,
suppressed cells included ("< 5"), and nothing else.
"""

import io
from collections.abc import Iterator

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.spreadsheets import csv_writer, workbook
from programme.models import cumulative

SEX_LABELS = {"F": "F", "M": "M", "X": "X", "T": "total"}


def report_html(report: dict, request=None) -> str:
    """The print version of the report: the same body as the page, in a page of its own."""
    return render_to_string("reports/annual_print.html", {"report": report, **report}, request=request)


def print_stylesheet() -> str:
    path = finders.find("css/report-print.css")
    if path is None:  # a broken install, not a request's fault
        raise ImproperlyConfigured("The static file css/report-print.css is missing.")
    return path


def pdf_from_html(html: str) -> bytes:
    # WeasyPrint is imported here so the app runs where its system libraries are missing.
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=".").write_pdf(stylesheets=[CSS(filename=print_stylesheet())])


def report_pdf(report: dict) -> bytes:
    return pdf_from_html(report_html(report))


def data_rows(report: dict) -> Iterator[list]:
    """The report's aggregated data, one value per row: what the CSV holds and the XLSX's data sheet."""
    year = report["year"]
    yield [
        _("section"),
        _("résultat"),
        _("code"),
        _("intitulé"),
        _("période"),
        _("sexe"),
        _("cible"),
        _("réel"),
        _("masqué"),
    ]
    for block in report["blocks"]:
        result = block["result"].code
        for table in block["tables"]:
            if not table.available:
                continue
            indicator = table.indicator
            periods = [(year, str(year))] if table.annual else []
            periods.append((cumulative(year), table.programme_label.replace("–", "-")))
            for period, label in periods:
                for sex, cell in zip(table.columns, table.row(period), strict=True):
                    yield [
                        "indicateur",
                        result,
                        indicator.code,
                        indicator.label,
                        label,
                        SEX_LABELS[sex],
                        "" if cell.target is None else cell.target,
                        cell.shown if cell.suppressed or cell.actual is None else cell.actual,
                        "oui" if cell.suppressed else "",
                    ]
        for row in block["activities"]:
            for sex in ("F", "M", "X", "T"):
                yield [
                    "activites",
                    result,
                    row.kind,
                    row.label or _("total"),
                    str(year),
                    SEX_LABELS[sex],
                    "",
                    row.cells[sex] if row.values[sex] is None else row.values[sex],
                    "oui" if row.values[sex] is None else "",
                ]

    yield from _coverage_rows(report)
    yield from _budget_rows(report)


def _shown(cell):
    """A people count as the files give it: its number, or its mark when hidden."""
    return cell.mark if cell.hidden else cell.value


def _coverage_rows(report: dict) -> Iterator[list]:
    """The coverage table's rows (section "couverture"): per douar and the total, activities, people
    reached and registered residents who took part, as the viewer's page shows them."""
    coverage = report.get("coverage")
    if coverage is None or coverage.empty:
        return
    year = str(report["year"])
    for row in [*coverage.rows, coverage.total]:
        code = row.douar.code if row.douar else "total"
        name = row.name or _("total")
        yield ["couverture-activites", "", code, name, year, "", "", row.activities, ""]
        for section, cell in (("couverture-personnes", row.reached), ("couverture-habitants", row.residents)):
            yield [
                section,
                "",
                code,
                name,
                year,
                SEX_LABELS["T"],
                "",
                _shown(cell),
                "oui" if cell.hidden else "",
            ]


def _budget_tables(report: dict) -> list[tuple[str, list]]:
    """The budget section's tables ("projet", "resultat", "bailleur"), each with its total row (not
    the results' when a project serves several: it counts in full under each, so they do not add up);
    none when the viewer may not read projects (`report["budget"]` is None) or nothing was planned nor
    spent."""
    budget = report.get("budget")
    if budget is None or budget.empty:
        return []
    results = budget.by_result if budget.shared else [*budget.by_result, budget.total]
    return [
        ("projet", [*budget.by_project, budget.total]),
        ("resultat", results),
        ("bailleur", [*budget.by_funder, budget.total]),
    ]


def _budget_code(row) -> str:
    """A row's code in the files: the project's id, the result's code ("" for no result), the funder's
    code (its name for "autre"), "total"."""
    if row.key is None or isinstance(row.key, int | str):
        return "" if row.key is None else str(row.key)
    funder, other = row.key
    return f"{funder}:{other}" if other else funder


def _budget_rows(report: dict) -> Iterator[list]:
    """The budget's rows (sections "budget-projet", "budget-resultat", "budget-bailleur"): planned in MAD in the
    target column, spent in MAD in the actual one, exact decimals."""
    year = str(report["year"])
    for table, rows in _budget_tables(report):
        for row in rows:
            yield [f"budget-{table}", "", _budget_code(row), row.label, year, "", row.planned, row.spent, ""]


def report_csv(report: dict) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    for row in data_rows(report):
        writer.writerow(row)
    # A BOM so that spreadsheet programs read French and Arabic accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _coverage_sheet(book, bold, report: dict) -> None:
    """The sheet "territoire": the coverage table of the year, as the page shows it."""
    coverage = report.get("coverage")
    if coverage is None or coverage.empty:
        return
    sheet = book.add_worksheet(_("territoire")[:31])
    sheet.write(
        0, 0, f"{_('Couverture du territoire')} — {report['partnership'].label} — {report['year']}", bold
    )
    header = [_("douar ou quartier"), _("population"), _("activités"), _("personnes atteintes")]
    header += [_("pour 1 000 habitants"), _("habitants ayant participé")]
    sheet.write_row(2, 0, header, bold)
    for line, row in enumerate([*coverage.rows, coverage.total], start=3):
        values = [row.name or _("total"), "" if row.population is None else row.population, row.activities]
        values += [_shown(row.reached), row.per_thousand, _shown(row.residents)]
        sheet.write_row(line, 0, values)
    sheet.set_column(0, 0, 30)


def _budget_sheet(book, bold, report: dict) -> None:
    """The sheet "budget": planned, spent and remaining in MAD by project, result and funder, as the page."""
    tables = _budget_tables(report)
    if not tables:
        return
    sheet = book.add_worksheet(_("budget")[:31])
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.write(0, 0, f"{_('Budget et dépenses')} — {report['partnership'].label} — {report['year']}", bold)
    line = 2
    headings = {"projet": _("projet"), "resultat": _("résultat"), "bailleur": _("bailleur")}
    for table, rows in tables:
        sheet.write_row(
            line, 0, [headings[table], _("prévu (MAD)"), _("dépensé (MAD)"), _("reste (MAD)")], bold
        )
        for row in rows:
            line += 1
            sheet.write(line, 0, row.label)
            for column, amount in enumerate((row.planned, row.spent, row.remaining), start=1):
                sheet.write(line, column, amount, money)  # a Decimal; XLSX keeps numbers as doubles
        line += 2
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 3, 16)


def report_xlsx(report: dict) -> bytes:
    """A sheet per result (its indicator table and activities) and one of the aggregated data."""
    out = io.BytesIO()
    book = workbook(out)
    bold = book.add_format({"bold": True})
    year = report["year"]
    for block in report["blocks"]:
        result = block["result"]
        sheet = book.add_worksheet(result.code.replace(".", "-")[:31])
        sheet.write(0, 0, f"{result.code} — {report['partnership'].label} — {year}", bold)
        sheet.write(1, 0, result.label)
        header = [_("indicateur"), _("période"), _("cible F"), _("réel F"), _("cible M"), _("réel M")]
        header += [_("cible X"), _("réel X"), _("cible total"), _("réel total")]
        sheet.write_row(3, 0, header, bold)
        line = 4
        for table in block["tables"]:
            periods = [(year, str(year))] if table.annual else []
            periods.append((cumulative(year), table.programme_label))
            for period, label in periods:
                values: list[str | int | None] = [f"{table.indicator.code} {table.indicator.label}", label]
                for sex in ("F", "M", "X", "T"):
                    cell = table.cells[(period, sex)] if sex in table.columns else None
                    if cell is None:
                        values += [None, None]
                    else:
                        values += [cell.target, cell.actual if not cell.suppressed else cell.shown]
                sheet.write_row(line, 0, ["" if v is None else v for v in values])
                line += 1
        line += 1
        sheet.write_row(line, 0, [_("activité"), _("nombre"), "F", "M", "X", _("total")], bold)
        for row in block["activities"]:
            line += 1
            cells = [
                row.values[s] if row.values[s] is not None else row.cells[s] for s in ("F", "M", "X", "T")
            ]
            sheet.write_row(line, 0, [row.label or _("total"), row.activities, *cells])
        if block["narrative"] and block["narrative"].text:
            sheet.write(line + 2, 0, _("Récit"), bold)
            sheet.write(line + 3, 0, block["narrative"].text)
        sheet.set_column(0, 0, 50)
    _coverage_sheet(book, bold, report)
    _budget_sheet(book, bold, report)
    data = book.add_worksheet(_("données"))
    for line, row in enumerate(data_rows(report)):
        data.write_row(line, 0, row)
    book.close()
    return out.getvalue()
