"""The demo is the top of the layer order (docs/architecture.md): no production module imports it.

Only the demo itself, the tests (conftest.py included) and the benchmarks may import `demo`; a domain
app holds no `demo.py` of its own any more.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Where importing the demo is allowed: the demo itself, the benchmarks, and the tests.
ALLOWED_DIRS = {"demo", "bench", ".venv", ".git", "node_modules", "static", "staticfiles"}


def imports_demo(source: str) -> list[int]:
    """The lines of `source` that import the demo app, or an app's own `demo` module (`from . import demo`)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            relative_names = [alias.name for alias in node.names] if node.level and not node.module else []
            names = [node.module or "", *relative_names]
        else:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in names):
            lines.append(node.lineno)
    return lines


def is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name == "conftest.py" or path.name.startswith("test_")


def production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ALLOWED_DIRS or is_test(relative):
            continue
        yield relative, path


def test_the_detector_sees_every_form_of_import():
    assert imports_demo("import demo\nimport demo.world as w\n") == [1, 2]
    assert imports_demo("from demo import cases\nfrom demo.world import load_all\n") == [1, 2]
    assert imports_demo("from . import demo\nfrom .demo import by_name\n") == [1, 2]
    assert imports_demo("def f():\n    from demo.partnerships import SLUG\n") == [2]
    assert imports_demo("import demographics\nfrom .models import Case\nfrom people import x\n") == []


def test_no_production_module_imports_the_demo():
    modules = list(production_modules())
    assert any(relative == Path("participation/actions.py") for relative, _ in modules)  # the walk walks
    offenders = [
        f"{relative}:{line}"
        for relative, path in modules
        for line in imports_demo(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_domain_app_keeps_a_demo_module():
    local = [app for app in apps.get_app_configs() if Path(app.path).parent == ROOT and app.name != "demo"]
    assert len(local) >= 10
    assert [app.name for app in local if (Path(app.path) / "demo.py").exists()] == []
