"""The package's layering rules, read from its source (ast): arrows point down only.

Layers, bottom to top: core (everything not below), ``render/`` and ``export/`` (each on the
core only), ``apps/`` (on everything). Imports inside functions count too, except where the
line carries ``# upward: lazy convenience`` (e.g. ``Pelvis.show`` opening the viewer, as
pyvista's ``DataSet.plot`` does).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pelvis3d"
MAX_LINES = 600
LAYER_RANK = {"core": 0, "render": 1, "export": 1, "apps": 2}
ALLOWED_UPWARD_MARK = "# upward: lazy convenience"
#: Core modules that may not import pyvista or VTK, even lazily.
PYVISTA_NAMES = ("pyvista", "vtk", "trame")
#: VTK modules a core file reader may load (IO and filters: no rendering, no OpenGL).
VTK_READER_MODULES = ("vtkmodules.vtkIO", "vtkmodules.vtkFilters", "vtkmodules.util.numpy_support")
#: The package's facade and ``python -m pelvis3d`` sit above every layer.
ENTRY_POINTS = ("pelvis3d", "pelvis3d.__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ("render", "export", "apps") else "core"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def import_statement(node: ast.AST, package: str, lines: list[str]) -> list[tuple[str, list[str], int, bool]]:
    """(imported module, imported names, line, marked as an allowed lazy upward import)."""
    if not isinstance(node, (ast.Import, ast.ImportFrom)):
        return []
    marked = ALLOWED_UPWARD_MARK in lines[node.lineno - 1]
    if isinstance(node, ast.Import):
        return [(alias.name, [], node.lineno, marked) for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*anchor, base]) if base else ".".join(anchor)
    return [(base, [a.name for a in node.names], node.lineno, marked)]


def imports(
    path: Path, module: str | None = None, top_level_only: bool = False
) -> list[tuple[str, list[str], int, bool]]:
    """Every import statement of a file (``module``: its dotted name, default from its path)."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    source = path.read_text()
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else ast.walk(tree)
    return [entry for node in nodes for entry in import_statement(node, package, source.splitlines())]


def resolve(target: str, names: list[str], known: dict[str, Path]) -> list[str]:
    """The pelvis3d modules an import statement loads (``from pkg import mod`` counts as mod)."""
    if not target.startswith("pelvis3d"):
        return []
    found = [target] if target in known else []
    found += [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
    return found


ALL = modules()


def test_no_module_over_the_line_limit():
    long = {m: n for m, p in ALL.items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_imports_point_down_only():
    upward = []
    for mod, path in ALL.items():
        for target, names, line, marked in imports(path):
            for dep in resolve(target, names, ALL):
                if LAYER_RANK[layer(dep)] > LAYER_RANK[layer(mod)] and not marked and mod not in ENTRY_POINTS:
                    upward.append(f"{mod}:{line} imports {dep}")
                if layer(mod) != layer(dep) and {layer(mod), layer(dep)} == {"render", "export"}:
                    upward.append(f"{mod}:{line} imports {dep} (render and export are siblings)")
    assert not upward, "\n".join(upward)


def test_core_never_imports_pyvista():
    bad = []
    for mod, path in ALL.items():
        if layer(mod) != "core":
            continue
        for target, _, line, marked in imports(path):
            reader = target.startswith(VTK_READER_MODULES)
            if (
                target.split(".")[0] in PYVISTA_NAMES or (target.startswith("vtkmodules") and not reader)
            ) and not marked:
                bad.append(f"{mod}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_private_name_crosses_a_module_border():
    crossing = []
    for mod, path in ALL.items():
        for target, names, line, _ in imports(path):
            if not target.startswith("pelvis3d"):
                continue
            private_module = [p for p in target.split(".") if p.startswith("_") and p != "__init__"]
            private_names = [n for n in names if n.startswith("_")]
            if private_module or private_names:
                crossing.append(f"{mod}:{line} from {target} import {', '.join(names)}")
    assert not crossing, "\n".join(crossing)


def test_no_import_cycles_at_module_level():
    graph: dict[str, set[str]] = {}
    for mod, path in ALL.items():
        deps: set[str] = set()
        # module level only: imports inside functions run later and cannot deadlock a load
        for target, names, _, _ in imports(path, top_level_only=True):
            deps.update(d for d in resolve(target, names, ALL) if d != mod)
        graph[mod] = deps
    # a package's __init__ importing its own submodules is how packages work, not a cycle
    for mod, deps in graph.items():
        graph[mod] = {d for d in deps if not (d.startswith(mod + ".") and ALL[mod].name == "__init__.py")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def test_the_rules_catch_what_they_should(tmp_path):
    """The checks above are not vacuous: they see every layer and known crossings would fail."""
    assert {layer(m) for m in ALL} == {"core", "render", "export", "apps"}
    assert layer("pelvis3d.apps.cli") == "apps" and layer("pelvis3d.model") == "core"
    fake = tmp_path / "fake.py"
    fake.write_text("from pelvis3d.render.scene import _secret\nimport pyvista\n")
    (target, names, _, _), (pv, _, _, _) = imports(fake, "pelvis3d.fake")
    assert names == ["_secret"] and resolve(target, names, ALL) == ["pelvis3d.render.scene"]
    assert pv == "pyvista"


def test_recent_keeps_the_most_recently_used_values():
    from pelvis3d.render.recent import Recent

    kept = Recent(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recently used
    kept.put("c", 3)  # forgets "b", the least recently used
    assert kept.get("b") is None and kept.get("a") == 1 and kept.get("c") == 3 and len(kept) == 2
