"""Dependencies run one way (DESIGN.md, "Layers"): a package imports only packages of a
lower layer, and no module imports itself back through others. Read from the source
(every import, also those inside functions), so a new circle fails here, not in
review. A lower layer that needs a higher one declares a hook (marketplace/hooks.py)."""

import ast
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. A package may import any package of a lower layer, none of its own
# layer or above; the ground floor's modules may import one another (without circles).
LAYERS = [
    ("ground floor", {
        "marketplace", "marketplace.columns", "marketplace.config", "marketplace.cpu_priority",
        "marketplace.errors", "marketplace.exports", "marketplace.extensions", "marketplace.forms",
        "marketplace.french", "marketplace.gunicorn_config", "marketplace.hooks", "marketplace.http_headers",
        "marketplace.marshmallow_french", "marketplace.paging", "marketplace.pdf", "marketplace.reference",
        "marketplace.request_input", "marketplace.request_log", "marketplace.timeutil", "marketplace.validation",
        "events", "events.scheduling"}),
    ("places, mail, backups, audit", {"marketplace.geography", "marketplace.outbox", "marketplace.backups",
                                      "marketplace.audit"}),
    ("accounts", {"marketplace.accounts"}),
    ("organisations", {"marketplace.organisations"}),
    ("suppliers", {"marketplace.suppliers"}),
    ("lists and payments", {"marketplace.favourites", "marketplace.payments"}),
    ("needs and fairs", {"marketplace.needs", "events.fairs"}),
    ("offers", {"marketplace.offers"}),
    ("webhooks, meetings", {"marketplace.webhooks", "events.meetings"}),
    ("files and messages", {"marketplace.attachments", "marketplace.messaging"}),
    ("purchasing impact", {"marketplace.impact"}),
    ("pages over several areas", {"marketplace.admin", "marketplace.dashboards", "marketplace.demo",
                                  "marketplace.directory", "marketplace.legal", "marketplace.main"}),
    ("the API and the commands", {"marketplace.api", "marketplace.cli"}),
    ("data rights", {"marketplace.privacy"}),
    ("jobs", {"marketplace.jobs"}),
    ("metrics", {"marketplace.metrics"}),
    ("app", {"marketplace.app"}),
    ("worker", {"marketplace.worker"}),
]
LAYER_OF = {package: rank for rank, (_, packages) in enumerate(LAYERS) for package in packages}
BARRED_FROM_THE_SCHEDULER = ("flask", "sqlalchemy", "marketplace", "events.fairs", "events.meetings")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted([*ROOT.glob("marketplace/**/*.py"), *ROOT.glob("events/**/*.py")]):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = _modules()


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import of the module, resolved to our modules
    where it names one (`from a.b import c` is a.b.c when c is a module, else a.b)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (path.name == "__init__.py")]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                found.append((f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target, node.lineno))
    return found


def package_of(module: str) -> str:
    """marketplace.needs.services -> marketplace.needs; marketplace.jobs -> marketplace.jobs."""
    return ".".join(module.split(".")[:2])


def test_every_package_has_a_layer():
    unplaced = sorted({package_of(module) for module in MODULES} - set(LAYER_OF))
    assert not unplaced, f"Place these packages in tests/test_layers.py LAYERS: {unplaced}"


def test_packages_import_only_lower_layers():
    wrong = []
    for module, path in MODULES.items():
        source = package_of(module)
        for target, line in _imports(module, path):
            if not target.startswith(("marketplace", "events")) or target not in MODULES:
                continue
            imported = package_of(target)
            if imported == source or (LAYER_OF[source] == 0 and LAYER_OF[imported] == 0):
                continue
            if LAYER_OF[imported] >= LAYER_OF[source]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} {source} ({LAYERS[LAYER_OF[source]][0]}) imports "
                             f"{imported} ({LAYERS[LAYER_OF[imported]][0]})")
    assert not wrong, "Imports against the layers (declare a hook instead):\n" + "\n".join(wrong)


def test_no_module_imports_itself_back():
    graph = defaultdict(set)
    for module, path in MODULES.items():
        graph[module] |= {target for target, _ in _imports(module, path) if target in MODULES and target != module}
    circles = _circles(graph)
    assert not circles, "Import circles: " + "; ".join(" -> ".join(sorted(circle)) for circle in circles)


def test_the_scheduler_is_pure_python():
    for module, path in MODULES.items():
        if package_of(module) == "events.scheduling":
            barred = [(target, line) for target, line in _imports(module, path)
                      if any(target == name or target.startswith(name + ".") for name in BARRED_FROM_THE_SCHEDULER)]
            assert not barred, f"{module} imports {barred}"


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}}, [{"a", "b"}]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_circle_finder_finds_circles(graph, expected):
    assert [set(circle) for circle in _circles(graph)] == expected


def test_hooks_are_all_answered(app):
    """Every hook a lower layer declares has its answer once the app is built (an area
    that forgot to register would otherwise fail at the first call, in production)."""
    import importlib

    from blinker import NamedSignal

    from marketplace.hooks import Hook

    unanswered, unheard, declared = [], [], 0
    for module in MODULES:
        if module.endswith(".hooks"):
            for name, value in vars(importlib.import_module(module)).items():
                if isinstance(value, Hook):
                    declared += 1
                    if value._answer is None:
                        unanswered.append(f"{module}.{name}")
                elif isinstance(value, NamedSignal):
                    declared += 1
                    if not value.receivers:
                        unheard.append(f"{module}.{name}")
    assert declared >= 10
    assert not unanswered, f"Hooks nobody answers: {unanswered}"
    assert not unheard, f"Signals nobody listens to: {unheard}"
