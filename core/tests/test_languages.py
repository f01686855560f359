"""Issue 14: every page a persona may open, rendered in Arabic, Dutch and English, shows no French
interface string and no raw choice code.

The pages are the authorisation matrix's GET 200 rows (core/tests/test_authorisation_matrix.py), each
opened by every persona it allows, with the language chosen as the switcher chooses it (the
`django_language` cookie). A French interface string is a msgid of the language's catalog whose
translation differs (or is missing). Database content (names, titles, narratives, an import's
columns) is not interface: where the French string shows inside a stored text, it is not flagged.
"""

import re
from functools import cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from conftest import ALL_PERSONAS
from core.tests.test_authorisation_matrix import ROWS

LANGUAGES = ["ar", "nl", "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}")
# Attributes whose text users see or hear.
SEEN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "hx-confirm", "data-confirm"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# What separates a code from its neighbours in a line of text: "12/03 — plainte — Amina".
WORD = re.compile(r"\w+")
SEPARATOR = re.compile(r"\s[—–·|→]\s|[:()]")  # not commas: "(jeunes, femmes, migrants)" is a sentence


def _po_string(lines):
    """The text of a msgid/msgstr and its continuation lines."""
    quoted = [line[line.index('"') :].strip()[1:-1] for line in lines]
    return "".join(
        re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), q) for q in quoted
    )


def catalog_files(language):
    """Twiza's .po files of a language: the project's and its apps' own (portal/locale)."""
    folders = [Path(p) for p in settings.LOCALE_PATHS] + [
        Path(c.path) / "locale" for c in apps.get_app_configs() if Path(c.path).parent == settings.BASE_DIR
    ]
    return [f / language / "LC_MESSAGES" / "django.po" for f in folders if (f / language).is_dir()]


@cache
def catalog(language):
    """{msgid: translation} of the language's catalogs; '' when missing or fuzzy."""
    entries, entry, key, fuzzy = {}, {}, None, False
    lines = [
        line for f in catalog_files(language) for line in [*f.read_text(encoding="utf-8").splitlines(), ""]
    ]
    for line in [*lines, ""]:
        if not line.strip():
            if msgid := _po_string(entry.get("msgid", [])):
                strs = [_po_string(v) for k, v in entry.items() if k.startswith("msgstr")]
                entries[msgid] = "" if fuzzy or not all(strs) else strs[0]
                if "msgid_plural" in entry:
                    entries[_po_string(entry["msgid_plural"])] = entries[msgid] and strs[-1]
            entry, key, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key].append(line)
        else:
            key = line.split(" ", 1)[0]
            entry[key] = [line]
    return entries


@cache
def french_strings(language):
    """[(msgid, pattern)]: the catalog's French interface strings that this language renders otherwise.

    A msgid with placeholders is looked for by its longest literal piece, when that piece is long
    enough not to be an ordinary French word; a msgid that is also a word of this language's
    translations ("Structure", "Total", "Vote" in English) is not looked for.
    """
    found, own_words = [], {t.casefold() for t in catalog(language).values()}
    for msgid, translated in catalog(language).items():
        text = " ".join(re.sub(r"<[^>]+>", " ", unescape(msgid)).split())
        if len(text) < 4 or translated == msgid or text.casefold() in own_words:
            continue
        if PLACEHOLDER.search(text):
            text = max((p.strip(" :,.·—()") for p in PLACEHOLDER.split(text)), key=len)
            if len(text) < 12 or " " not in text:
                continue
        pattern = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
        found.append((msgid, pattern, frozenset(WORD.findall(text.casefold()))))
    return found


@cache
def raw_codes(language):
    """{code: its labels in this language}: the models' string choice codes, which a page should show
    by their label."""
    codes = {}
    with translation.override(language):
        for model in apps.get_models():
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(value, str) and len(value) >= 4:
                        codes.setdefault(value, set()).add(str(label))
    return {code: labels for code, labels in codes.items() if code not in labels}


def named_codes(language):
    """{code: names in this language} of the structures and target groups, shown by their name
    (partnerships may use the same code)."""
    from partnerships.models import Structure
    from people.models import TargetGroup

    names = {}
    with translation.override(language):
        for o in [*Structure.objects.all(), *TargetGroup.objects.all()]:
            names.setdefault(o.code, set()).add(o.label)
    return {code: " / ".join(sorted(n)) for code, n in names.items() if code not in n}


def _strings(value):
    """The strings of a stored value, JSON included (an import's column names)."""
    if isinstance(value, str):
        yield " ".join(value.split())
        if "/" in value and " " not in value:  # a file's column path: "comptage/femmes"
            yield from value.split("/")
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


@cache
def database_texts():
    """The texts stored in the database, of 4 characters or more (choice codes aside)."""
    texts = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        for row in model._base_manager.values_list(*fields) if fields else []:
            texts.update(t for value in row for t in _strings(value) if len(t) >= 4)
    return texts


@cache
def stored_with(pattern):
    """The database's texts that contain this French string: there it is content, not interface."""
    return [t for t in database_texts() if pattern.search(t)]


def is_content(piece, pattern):
    """True when the French string shows inside a stored text: the whole text, or a long enough
    stretch of it around the string (a text cut short, or after a code: "OC — En 2026, les…")."""
    stored = stored_with(pattern)
    if any(t in piece for t in stored):
        return True
    for match in pattern.finditer(piece):
        before, after = (
            piece[max(0, match.start() - 15) : match.end()],
            piece[match.start() : match.end() + 15],
        )
        for stretch in (before, after.rstrip("…")):
            if len(stretch) >= len(match[0]) + 15 and any(stretch in t for t in stored):
                return True
    return False


class VisibleText(HTMLParser):
    """The text a user sees or hears: text outside scripts and styles, and the seen attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        attrs = dict(attrs)
        for name in SEEN_ATTRIBUTES & attrs.keys():
            self.pieces.append(" ".join((attrs[name] or "").split()))
        if tag == "input" and attrs.get("type") in BUTTON_INPUTS and attrs.get("value"):
            self.pieces.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append(" ".join(data.split()))


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return list(dict.fromkeys(parser.pieces))


def problems(html, language):
    """What a page shows in French or as a raw code, in `language`."""
    pieces = visible_text(html)
    words = set(WORD.findall("\n".join(pieces).casefold()))  # only strings whose words are all there
    found = [
        f"French {msgid!r} in {piece[:80]!r}"
        for msgid, pattern, needs in french_strings(language)
        if needs <= words
        for piece in pieces
        if pattern.search(piece) and not is_content(piece, pattern)
    ]
    codes, named = raw_codes(language), named_codes(language)
    segments = dict.fromkeys(s.strip() for p in pieces for s in SEPARATOR.split(p))
    return (
        found
        + [
            f"code {s!r} (label {' / '.join(sorted(codes[s]))!r})"
            for s in segments
            if s in codes and s not in database_texts()  # a user named "admin" is not the role
        ]
        + [f"code {s!r} (name {named[s]!r})" for s in segments if s in named]
    )


def pages():
    """(url name, persona) of every GET page the matrix lets a persona open; a public page as a
    visitor and as one signed-in persona (the others see the same page)."""
    return [
        (name, persona)
        for name, row in sorted(ROWS.items())
        if row.method == "get" and row.ok == 200 and not row.token
        for persona in (["anonymous", "coordination"] if "anonymous" in row.allowed else ALL_PERSONAS)
        if persona in row.allowed
    ]


def summary(failures):
    """One line per problem, with the first pages that show it."""
    pages_of = {}
    for page, problem in failures:
        pages_of.setdefault(problem, []).append(page)
    return "\n".join(f"{p} on {len(v)} pages: {', '.join(v[:3])}" for p, v in sorted(pages_of.items()))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_language(language, world, client_for):
    urls = {name: reverse(name.split("#")[0], kwargs=ROWS[name].kwargs(world)) for name, _ in pages()}
    database_texts.cache_clear()  # the rows' kwargs may have stored things
    stored_with.cache_clear()
    failures, clients = [], {}
    for name, persona in pages():
        if persona not in clients:
            clients[persona] = client_for(persona)
            clients[persona].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = clients[persona].get(urls[name])
        assert response.status_code == 200, f"{name} as {persona}: {response.status_code}"
        if response.get("Content-Type", "").startswith("text/html"):
            page = f"{urls[name]} ({persona})"
            failures += [(page, p) for p in problems(response.content.decode(), language)]
    assert not failures, f"{len(failures)} untranslated in {language}:\n{summary(failures)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_speak_the_language(language, world, client_for):
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    not_found = client.get("/cette-page-n-existe-pas/")
    assert not_found.status_code == 404
    with translation.override(language):
        error = server_error(RequestFactory().get("/"))
    for response in (not_found, error):
        html = response.content.decode()
        assert f'lang="{language}"' in html
        assert visible_text(html), "an empty page"
        assert not problems(html, language)


def test_the_detector_finds_french_and_codes(world):
    """The walk above sees a French string in text or in a seen attribute, and a raw code."""
    msgid = "Orientation vers un partenaire"
    assert catalog("nl")[msgid] not in ("", msgid)
    assert any(m == msgid for m, _, _ in french_strings("nl"))
    html = f'<p>{msgid}</p><p>12/03 — plainte-etape — Amina</p><script>"Enregistrer"</script>'
    found = problems(html, "nl")
    assert f"French {msgid!r} in {msgid!r}" in found
    assert any(f.startswith("code 'plainte-etape'") for f in found)
    structure = world["partnership"].structures.first()
    with translation.override("nl"):
        name = structure.label
    [found_code] = problems(f"<td>{structure.code}</td>", "nl")
    assert found_code.startswith(f"code {structure.code!r} (name ") and name in found_code
    assert not any("Enregistrer" in f for f in found)
    assert problems('<input type="submit" value="Enregistrer">', "nl") == [
        "French 'Enregistrer' in 'Enregistrer'"
    ]
    assert problems('<button aria-label="Enregistrer">✔</button>', "nl")
    assert problems(f"<p>{catalog('nl')[msgid]}</p>", "nl") == []
