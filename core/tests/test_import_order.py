"""Apps import downward only (docs/architecture.md): every upward import is listed here with the
reason docs/architecture.md gives, and the page names each one, so a new one cannot land unseen."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first; apps on one line are side by side and never import each other's modules upward.
LAYERS = [
    ["core"],
    ["accounts"],
    ["partnerships"],
    ["programme"],
    ["people"],
    ["activities"],
    ["projects"],
    ["cases", "participation"],
    ["indicators"],
    ["reports", "portal"],
    ["collect"],
    ["work"],
    ["demo"],
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}

# (module, app it imports from above): each one is explained in docs/architecture.md.
EXCEPTIONS = {
    ("core/navigation.py", "partnerships"),
    ("core/views.py", "partnerships"),
    ("core/views.py", "portal"),
    ("accounts/admin.py", "partnerships"),
    ("accounts/otp.py", "partnerships"),
    ("accounts/actions.py", "partnerships"),
    ("programme/forms.py", "activities"),
    ("programme/forms.py", "people"),
    ("programme/logframe.py", "activities"),
    ("programme/logframe.py", "people"),
    ("programme/logframe.py", "reports"),
    ("programme/actions.py", "indicators"),
    ("people/actions.py", "activities"),
    ("people/actions.py", "indicators"),
    ("activities/actions.py", "indicators"),
    ("projects/surveys.py", "reports"),
    ("programme/forms.py", "projects"),
}


def upward_imports() -> set[tuple[str, str]]:
    """Every (module, higher app) pair imported by production code (tests and migrations aside)."""
    found = set()
    for app, rank in RANK.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if {"tests", "migrations"} & set(relative.parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if RANK.get(top, -1) > rank:
                        found.add((relative.as_posix(), top))
    return found


def test_no_app_imports_upward_except_the_listed_exceptions():
    assert upward_imports() - EXCEPTIONS == set()


def test_every_listed_exception_still_exists():
    # A fixed exception leaves the list, so the list stays the truth.
    assert EXCEPTIONS - upward_imports() == set()


def test_docs_architecture_names_every_exception():
    page = (ROOT / "docs" / "architecture.md").read_text()
    assert [module for module, _app in sorted(EXCEPTIONS) if module not in page] == []


def test_the_scan_sees_an_upward_import(tmp_path, monkeypatch):
    # The check can fail: an import of a higher app from core is found.
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "oops.py").write_text("from reports.models import Job\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert ("core/oops.py", "reports") in upward_imports()
