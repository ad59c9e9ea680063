"""The package's structure (issue 11): no import loops among its modules, and no module
reading or writing another module's underscore names.

Both checks read the sources with `ast` instead of importing them, so an import made
only for type hints (`if TYPE_CHECKING:`) or inside a function counts as much as one at
module level: each is a dependency a reader has to follow, and a late import that breaks
a loop at run time still leaves the loop in the design.

The checks are plain functions over a source folder; the last tests run them on small
made-up packages, to show they catch what they claim to (the liaison policy writing
`model._liaison_today` and recording reading `model._cleared` were the cases that
prompted them).
"""

from __future__ import annotations

import ast
import textwrap
from collections import deque
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "coprod_sim"
SOURCES = Path(__file__).resolve().parents[1] / "src" / PACKAGE
# What a method may reach into on its own object, and what a class method on its own class.
OWN_OBJECT = {"self", "cls", "mcs"}
ACCESSORS = {"getattr", "setattr", "hasattr", "delattr"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package a relative import in this module starts from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    path: Path
    line: int
    text: str


def shown(path: Path) -> str:
    """A path as the reader typed it: relative to the working folder where it can be."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def discover(root: Path, package: str) -> dict[str, Module]:
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


def parse(module: Module) -> ast.Module:
    return ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))


def is_private(name: str) -> bool:
    """`_x` and `__x` are private; dunders (`__version__`) and a bare `_` are not."""
    return name.startswith("_") and not name.endswith("__") and name.strip("_") != ""


def from_base(module: Module, node: ast.ImportFrom) -> str:
    """The absolute module an `import from` names, relative levels resolved."""
    if not node.level:
        return node.module or ""
    parts = module.package.split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def known(name: str, modules: dict[str, Module]) -> str | None:
    """The longest prefix of a dotted name that is one of the package's modules."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: Module, tree: ast.Module, modules: dict[str, Module]) -> list[Import]:
    """Every import of a package module, wherever it stands in the file.

    `from .submodels import crime` depends on `submodels.crime`; `from .policies import
    REGISTRY` on `policies` (the package's `__init__`). The parent packages Python imports
    on the way are not counted: they are the package's own scaffolding, and counting them
    would tie every submodule to its `__init__`."""
    lines = module.path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [known(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = from_base(module, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base, modules)
                for alias in node.names
            ]
        else:
            continue
        text = " ".join(line.strip() for line in lines[node.lineno - 1 : node.end_lineno])
        found += [Import(module.name, t, module.path, node.lineno, text) for t in dict.fromkeys(targets) if t]
    return found


def import_graph(root: Path, package: str) -> dict[str, list[Import]]:
    modules = discover(root, package)
    return {name: imports_of(m, parse(m), modules) for name, m in modules.items()}


def strongly_connected(graph: dict[str, list[Import]]) -> list[list[str]]:
    """Tarjan's components of the import graph, each a set of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for imp in graph[v]:
            w = imp.target
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def import_loops(graph: dict[str, list[Import]]) -> list[list[str]]:
    """Components of more than one module, or a module importing itself."""
    return [c for c in strongly_connected(graph) if len(c) > 1 or any(imp.target == c[0] for imp in graph[c[0]])]


def shortest_cycle(graph: dict[str, list[Import]], start: str, allowed: set[str]) -> list[Import]:
    """The shortest chain of imports from `start` back to itself, inside one component."""
    came_from: dict[str, Import] = {}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for imp in graph[v]:
            if imp.target not in allowed or imp.target in came_from:
                continue
            came_from[imp.target] = imp
            if imp.target == start:
                chain, node = [], start
                while True:
                    chain.append(came_from[node])
                    node = came_from[node].source
                    if node == start:
                        return chain[::-1]
            queue.append(imp.target)
    return []


def describe_loops(graph: dict[str, list[Import]], loops: list[list[str]]) -> str:
    """Each loop's modules, then the shortest cycle through each of them, import lines included."""
    out = []
    for loop in loops:
        out.append(f"import loop of {len(loop)} modules: {', '.join(loop)}")
        seen = set()
        for start in loop:
            cycle = shortest_cycle(graph, start, set(loop))
            key = frozenset((imp.source, imp.target) for imp in cycle)
            if key in seen:
                continue
            seen.add(key)
            out.append("  cycle: " + " -> ".join([imp.source for imp in cycle] + [start]))
            out += [f"    {shown(imp.path)}:{imp.line}: {imp.text}" for imp in cycle]
    return "\n".join(out)


def own_names(tree: ast.Module) -> set[str]:
    """Private names this module defines itself: its functions, classes and module or class
    variables, and the attributes its methods set on `self`/`cls`. Reaching into those on
    another object of the module's own making is the module's business, not a leak."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in OWN_OBJECT
        ):
            names.add(node.attr)
    return {n for n in names if is_private(n)}


def imported_modules(module: Module, tree: ast.Module, modules: dict[str, Module]) -> set[str]:
    """Local names bound to a module by an import (`import numpy as np`, `from . import recording`)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound |= {alias.asname or alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = from_base(module, node)
            bound |= {alias.asname or alias.name for alias in node.names if f"{base}.{alias.name}" in modules}
    return bound


def is_own_object(node: ast.expr) -> bool:
    """`self`, `cls`, or `super()`."""
    if isinstance(node, ast.Name):
        return node.id in OWN_OBJECT
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


# Standard-library names that start with an underscore but are documented, public API.
DOCUMENTED_API = {"os._exit"}


def private_access(module: Module, tree: ast.Module, modules: dict[str, Module]) -> list[str]:
    """Every place this module reads or writes an underscore name that is not its own."""
    own = own_names(tree)
    module_names = imported_modules(module, tree, modules)
    lines = module.path.read_text(encoding="utf-8").splitlines()
    found = []

    def report(node: ast.AST, what: str) -> None:
        found.append((node.lineno, f"{shown(module.path)}:{node.lineno}: {what}   | {lines[node.lineno - 1].strip()}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = from_base(module, node)
            for alias in node.names:
                if is_private(alias.name) and f"{base}.{alias.name}" not in modules:
                    report(node, f"imports {base}.{alias.name}")
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            verb = "writes" if isinstance(node.ctx, (ast.Store, ast.Del)) else "reads"
            if isinstance(node.value, ast.Name) and f"{node.value.id}.{node.attr}" in DOCUMENTED_API:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in module_names:
                report(node, f"{verb} {node.value.id}.{node.attr} (another module's private name)")
            elif not is_own_object(node.value) and node.attr not in own:
                report(node, f"{verb} {ast.unparse(node.value)}.{node.attr} (another object's private attribute)")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ACCESSORS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
            and not is_own_object(node.args[0])
            and node.args[1].value not in own
        ):
            report(node, f"{node.func.id}({ast.unparse(node.args[0])}, {node.args[1].value!r})")
    return [text for _, text in sorted(found)]


def private_access_in(root: Path, package: str) -> list[str]:
    modules = discover(root, package)
    return [hit for m in modules.values() for hit in private_access(m, parse(m), modules)]


# --- the package ---------------------------------------------------------------------------


def test_the_package_has_modules_to_check():
    modules = discover(SOURCES, PACKAGE)
    assert {f"{PACKAGE}.model", f"{PACKAGE}.policies", f"{PACKAGE}.submodels.crime"} <= set(modules)


def test_no_import_loops_among_the_package_modules():
    graph = import_graph(SOURCES, PACKAGE)
    loops = import_loops(graph)
    assert not loops, "\n" + describe_loops(graph, loops)


def test_no_module_touches_another_module_private_names():
    hits = private_access_in(SOURCES, PACKAGE)
    assert not hits, f"\n{len(hits)} private names used across modules:\n" + "\n".join(hits)


# --- the checks themselves, on made-up packages ---------------------------------------------


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def loops_in(root: Path) -> list[list[str]]:
    return import_loops(import_graph(root, "pkg"))


def test_a_loop_through_a_type_hint_and_a_function_level_import_is_found(tmp_path):
    root = make_package(
        tmp_path,
        {
            "model.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from .events import Event
            """,
            "events.py": """
                def apply(m):
                    from . import model as model_mod
            """,
            "other.py": "from .events import apply\n",
        },
    )
    graph = import_graph(root, "pkg")
    assert loops_in(root) == [["pkg.events", "pkg.model"]]
    text = describe_loops(graph, loops_in(root))
    assert "from .events import Event" in text and "from . import model as model_mod" in text


def test_an_init_importing_its_submodules_is_fine_until_one_imports_it_back(tmp_path):
    files = {
        "policies/__init__.py": "from . import liaison\nfrom .base import REGISTRY\n",
        "policies/base.py": "REGISTRY = {}\n",
        "policies/liaison.py": "from .base import REGISTRY\n",
        "config.py": "import pkg.policies.base\n",
    }
    assert loops_in(make_package(tmp_path, files)) == []
    files["policies/liaison.py"] = "from . import REGISTRY\n"
    assert loops_in(make_package(tmp_path, files)) == [["pkg.policies", "pkg.policies.liaison"]]


def test_submodules_and_names_resolve_to_the_right_modules(tmp_path):
    root = make_package(
        tmp_path,
        {
            "model.py": """
                from .submodels import crime
                from .policies import REGISTRY
                import pkg.submodels.trust as t
            """,
            "submodels/__init__.py": "",
            "submodels/crime.py": "from ..population import Population\n",
            "submodels/trust.py": "",
            "policies/__init__.py": "REGISTRY = {}\n",
            "population.py": "",
        },
    )
    graph = import_graph(root, "pkg")
    assert [i.target for i in graph["pkg.model"]] == ["pkg.submodels.crime", "pkg.policies", "pkg.submodels.trust"]
    assert [i.target for i in graph["pkg.submodels.crime"]] == ["pkg.population"]


def test_private_access_across_modules_is_found(tmp_path):
    root = make_package(
        tmp_path,
        {
            "model.py": """
                class Model:
                    def __init__(self):
                        self._cleared = 0
                        self._liaison_today = 0

                    def merge(self, other):
                        return self._cleared + other._cleared  # its own class: fine
            """,
            "liaison.py": """
                def act(model):
                    model._liaison_today += 1
            """,
            "recording.py": """
                from . import model as model_mod
                from .runs import _simulate_task, RunResult
                from . import __version__
                def cleared(model):
                    getattr(model, "_hidden")
                    return model._cleared, model.__class__, model_mod._helper
            """,
            "runs.py": "def _simulate_task(): ...\nclass RunResult: ...\n",
        },
    )
    hits = private_access_in(root, "pkg")
    text = "\n".join(hits)
    assert "liaison.py:3: writes model._liaison_today" in text
    assert "recording.py:3: imports pkg.runs._simulate_task" in text
    assert "reads model._cleared" in text and "reads model_mod._helper" in text
    assert "getattr(model, '_hidden')" in text
    assert len(hits) == 5, text
