"""The public transparency portal (public/<slug>/), no account needed.

Shows only what portal/published.py allows (docs/security.md 8 and 9) and good practices published to
the public. Light pages: text, tables and small inline SVG; every table has its CSV (open data). Visitors get the
pages from a cache that every write invalidates (core/pagecache.py).
"""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from core.pagecache import for_visitors
from core.spreadsheets import csv_writer
from indicators import charts, figures

from . import documents, published
from .access import get_public_attachment, get_public_partnership, get_public_practice
from .models import GoodPractice
from .views import search


@for_visitors
def front_door(request) -> HttpResponse:
    """`/` for a visitor (no account): each partnership's public portal, its youth forums open for
    proposals or votes, its latest good practices, and the way to sign in."""
    return render(request, "portal/public/front_door.html", {"partnerships": published.front_door()})


@for_visitors
def home(request, slug) -> HttpResponse:
    """What the partnership is, its structures, progress of its published indicators, forums and
    followed projects, and the governance principles with what applies them."""
    partnership = get_public_partnership(slug)
    year = figures.chosen_year(request.GET.get("annee"), partnership)
    blocks = charts.add_charts(published.indicator_blocks(partnership, year=year))
    counts = published.activity_counts(partnership)
    context = {
        "p": partnership,
        "year": year,
        "years": partnership.years,
        "blocks": blocks,
        "structures": partnership.structures.select_related("organisation"),
        "communes": partnership.communes.all(),
        "partners": partnership.partners.exclude(pk__in=partnership.communes.all()),
        "forums": published.forums(partnership),
        "principles": published.principles(partnership),
        "kinds": published.activities_by_kind(partnership, None, counts),
        "practices": GoodPractice.objects.public().filter(partnership=partnership)[:5],
    }
    return render(request, "portal/public/home.html", context)


@for_visitors
def activities(request, slug) -> HttpResponse:
    """Activities held per month and kind for a year (counts only: no title, place, day or person)."""
    partnership = get_public_partnership(slug)
    year = figures.chosen_year(request.GET.get("annee"), partnership)
    counts = published.activity_counts(partnership)
    context = {
        "p": partnership,
        "year": year,
        "years": partnership.years,
        "table": published.activities_by_month(partnership, year, counts),
    }
    return render(request, "portal/public/activities.html", context)


def _csv_response(name) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _write_tables(writer, tables) -> None:
    writer.writerow(["indicateur", "intitule", "periode", "sexe", "cible", "reel", "masque"])
    for table in tables:
        for row in published.indicator_rows(table):
            if not table.available:
                actual = "non disponible"
            elif row["suppressed"]:
                actual = row["shown"]
            else:
                actual = "" if row["actual"] is None else row["actual"]
            writer.writerow(
                [
                    table.indicator.code,
                    table.indicator.label,
                    row["period"],
                    row["sex"],
                    "" if row["target"] is None else row["target"],
                    actual,
                    "oui" if row["suppressed"] else "non",
                ]
            )


def indicators_csv(request, slug) -> HttpResponse:
    """Every published indicator table, one row per period and sex; masked cells read « < 5 »."""
    partnership = get_public_partnership(slug)
    tables = [t for block in published.indicator_blocks(partnership) for t in block["tables"]]
    response = _csv_response(f"indicateurs-{partnership.slug}")
    _write_tables(csv_writer(response), tables)
    return response


def indicator_csv(request, slug, code) -> HttpResponse:
    """One published indicator table as CSV; 404 for an unpublished or unknown indicator."""
    partnership = get_public_partnership(slug)
    tables = [
        t
        for block in published.indicator_blocks(partnership)
        for t in block["tables"]
        if t.indicator.code == code
    ]
    if not tables:
        raise Http404
    response = _csv_response(f"indicateur-{partnership.slug}-{code}")
    _write_tables(csv_writer(response), tables)
    return response


def activities_csv(request, slug) -> HttpResponse:
    """Activities per month and per year and kind, with the programme's totals (masked: « < 5 »,
    « × »)."""
    partnership = get_public_partnership(slug)
    counts = published.activity_counts(partnership)
    response = _csv_response(f"activites-{partnership.slug}")
    writer = csv_writer(response)
    writer.writerow(["periode", "type", "activites", "masque"])
    for (year, month, kind), cell in counts["cells"].items():
        if cell.value == 0:
            continue  # a shown zero; a hidden cell is written as hidden, whatever it holds
        period = f"{year}-{month:02d}" if month else (str(year) if year else "programme")
        writer.writerow(
            [period, "total" if kind == "T" else kind, str(cell), "oui" if cell.hidden else "non"]
        )
    return response


@for_visitors
def practices(request, slug) -> HttpResponse:
    """Good practices published to the public, searchable in French and Arabic."""
    partnership = get_public_partnership(slug)
    form, found = search(GoodPractice.objects.public().filter(partnership=partnership), request)
    page = Paginator(found.prefetch_related("target_groups"), 20).get_page(request.GET.get("page"))
    return render(request, "portal/public/practices.html", {"p": partnership, "page": page, "form": form})


@for_visitors
def practice(request, slug, pk) -> HttpResponse:
    """One good practice published to the public, with its documents and links."""
    item = get_public_practice(slug, pk)
    return render(request, "portal/public/practice.html", {"p": item.partnership, "practice": item})


def attachment(request, slug, pk, doc) -> FileResponse:
    """A document of a public good practice, as a download."""
    return documents.serve(get_public_attachment(slug, pk, doc))
