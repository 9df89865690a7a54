"""The shape of the code: which app may import which, no import circles, no borrowed private helpers.

Read from the source with ``ast`` (every ``import``, including those inside functions: a
lazy import is still a dependency). The layers are the README's "Layout" diagram.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each app and the apps it may import. The core (dossiers) knows only the catalogue; the
# pages a citizen or a clerk uses sit on top; ``portal`` holds the site (settings, root
# URLs, home page, demo seed) and a few site-wide pieces the pages share (``SHARED``).
ALLOWED = {
    "procedures": set(),
    "dossiers": {"procedures"},
    # portal.celery alone (SHARED): publishing the outbox's tasks (publish_each), as national_portal does.
    "notifications": {"procedures", "dossiers", "portal"},
    # portal.security alone (SHARED): the client's address for the gateway's vnp_IpAddr.
    "payments": {"procedures", "dossiers", "portal"},
    "filing": {"procedures", "dossiers", "portal", "accounts"},
    "tracking": {"procedures", "dossiers", "portal"},
    "backoffice": {"procedures", "dossiers", "notifications", "payments", "audit"},
    "portal": {"procedures", "dossiers"},
    # The national system (issue 16): each hears the core through its signals.
    "reporting": {"procedures", "dossiers"},
    "national_portal": {"procedures", "dossiers", "portal"},
    "esign": {"procedures", "dossiers"},
    "retention": {"procedures", "dossiers"},
    # Sign-in with VNeID and "Hồ sơ của tôi" (issue 15); the wizard reads who signed in.
    "accounts": {"procedures", "dossiers"},
    # The audit trail (issue 17): the back office calls it for the reads; it hears changes through signals.
    "audit": {"procedures", "dossiers"},
}
# The only modules of ``portal`` the apps may import: they import no app themselves.
SHARED = {"portal.captcha", "portal.security", "portal.celery"}
CORE = "dossiers"


def _modules():
    modules = {}
    for app in ALLOWED:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(module, path):
    """(imported module, imported name or None) for every import statement in ``path``."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield (submodule, None) if submodule in MODULES else (target, alias.name)


def _graph():
    graph = defaultdict(set)
    names = defaultdict(set)
    for module, path in MODULES.items():
        for target, name in _imports(module, path):
            if target in MODULES:
                graph[module].add(target)
                if name:
                    names[module].add((target, name))
    return graph, names


GRAPH, NAMES = _graph()


def _app(module):
    return module.split(".")[0]


def test_every_import_between_apps_goes_down_the_layers():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items() for target in targets
        if _app(target) != _app(module) and _app(target) not in ALLOWED[_app(module)]
    )
    assert wrong == []


def test_apps_borrow_only_the_shared_pieces_of_portal():
    borrowed = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items() for target in targets
        if _app(target) == "portal" and _app(module) != "portal" and target not in SHARED
    )
    assert borrowed == []
    for shared in SHARED:
        assert {_app(target) for target in GRAPH[shared]} <= {"portal"}


def test_the_core_imports_no_view_form_or_admin():
    pages = sorted(f"{module} imports {target}" for module, targets in GRAPH.items() if _app(module) == CORE
                   for target in targets if target.rpartition(".")[2] in {"views", "forms", "admin", "urls"})
    assert pages == []


def test_no_module_imports_another_apps_private_helpers():
    private = sorted(f"{module} imports {target}.{name}" for module, pairs in NAMES.items()
                     for target, name in pairs if name.startswith("_") and _app(target) != _app(module))
    assert private == []


def test_there_is_no_import_circle():
    # Tarjan's strongly connected components: any component of two or more modules is a circle.
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    assert circles == []


def test_the_layout_checks_see_the_whole_tree():
    # A guard against a check that passes because it read nothing.
    assert {"dossiers.services", "filing.wizard", "tracking.lookup", "backoffice.admin"} <= set(MODULES)
    assert "dossiers" in {_app(target) for target in GRAPH["filing.views"]}


def test_the_readmes_layout_names_every_app_and_only_paths_that_exist():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("`")[1].split("<")[0].rstrip("/") for line in section.splitlines()
              if line.startswith("| `")}
    assert set(ALLOWED) <= listed
    assert all((ROOT / path).exists() for path in listed if path), listed
    for app, imported in ALLOWED.items():
        assert app in section and all(name in section for name in imported)
