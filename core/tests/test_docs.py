"""The docs stay true: docs/security.md keeps its numbers, and every test it names exists.

The code cites requirements by number ("docs/security.md 26"), so a number may never disappear; and a
requirement "proved" by a test that was renamed or removed is proved by nothing.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "docs" / "security.md"
TEST_ID = re.compile(r"`([\w/]+\.py)::(test_\w+)`")


def test_security_keeps_every_number_once_and_in_order():
    numbers = [int(n) for n in re.findall(r"^### (\d+)\. ", SECURITY.read_text(), flags=re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 34


def test_every_test_the_security_page_names_exists():
    named = TEST_ID.findall(SECURITY.read_text())
    assert len(named) > 100
    missing = [
        f"{path}::{name}"
        for path, name in named
        if not (ROOT / path).is_file()
        or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), flags=re.MULTILINE)
    ]
    assert missing == []


def test_every_requirement_names_a_test_or_says_it_has_none():
    sections = re.split(r"^### ", SECURITY.read_text(), flags=re.MULTILINE)[1:]
    untested = [
        s.split("\n", 1)[0] for s in sections if not TEST_ID.search(s) and "no automated test" not in s
    ]
    assert untested == []


def test_the_documentation_the_readme_links_exists():
    readme = (ROOT / "README.md").read_text()
    for doc in (
        "docs/security.md",
        "docs/architecture.md",
        "docs/api.md",
        "docs/product.md",
        "CONTRIBUTING.md",
    ):
        assert f"({doc})" in readme, doc
        assert (ROOT / doc).is_file(), doc


def test_the_code_cites_the_repository_docs_not_papers_outside_it():
    # The brief's four papers (security, contract, product, architecture) lay beside the repository;
    # a citation must lead a reader of the repository to a page she has (docs/).
    outside = re.compile(r"(?<![\w/])(SECURITY|CONTRACT|PRODUCT|ARCHITECTURE)\.md")
    skipped = {".git", ".venv", "locale", "node_modules", "staticfiles", "media", "var"}
    cited = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*"))
        if path.suffix in {".py", ".html", ".md", ".txt", ".js", ".css", ".toml"}
        and not skipped & set(path.relative_to(ROOT).parts)
        and path.is_file()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if outside.search(line)
    ]
    assert cited == []
