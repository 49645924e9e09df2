"""Dependencies point inward (house style, rule 1), checked on every import statement."""

from __future__ import annotations

import ast
import importlib
import sys
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from domain.lifecycle import Lifecycle

ROOT = Path(__file__).resolve().parents[1]

# The domain may read no clock, randomness or environment even through the standard library.
DOMAIN_FORBIDDEN_STDLIB = {"os", "random", "secrets", "time", "socket", "subprocess", "sqlite3"}
DOMAIN_FORBIDDEN_CALLS = {"now", "today", "utcnow", "uuid1", "uuid4", "getenv", "urandom"}


def modules_under(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """The dotted name of everything imported, anywhere in the file (also inside functions).

    `from x import y` yields `x.y`, whether `y` is a submodule or an attribute, so
    `from eventsourcing import application` is told apart from `from eventsourcing import
    domain`. Relative imports are resolved against `module`.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield from (f"{base}.{alias.name}" if base else alias.name for alias in node.names)


def imports_of(path: Path) -> set[str]:
    return set(
        imported_names(
            path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
        )
    )


def is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_the_import_scanner_sees_nested_relative_and_from_imports() -> None:
    source = (
        "import os.path\n"
        "from . import lifecycle\n"
        "from ..service import app\n"
        "def later():\n"
        "    from fastapi import FastAPI\n"
    )

    names = set(imported_names(source, "domain.site"))

    assert names == {"os.path", "domain.lifecycle", "service.app", "fastapi.FastAPI"}
    assert set(imported_names("from .. import service", "projections.base")) == {"service"}
    assert set(imported_names("from . import x", "domain", is_package=True)) == {"domain.x"}


def test_there_is_code_to_check() -> None:
    assert len(modules_under("domain")) >= 10
    assert len(modules_under("projections")) >= 5


@pytest.mark.parametrize("path", modules_under("domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library_eventsourcing_domain_and_itself(
    path: Path,
) -> None:
    offending = {
        name
        for name in imports_of(path)
        if not (is_stdlib(name) or under(name, "domain") or under(name, "eventsourcing.domain"))
    }

    assert offending == set(), f"{module_name(path)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", modules_under("domain"), ids=lambda p: p.name)
def test_domain_reads_no_clock_randomness_or_environment(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {n.split(".")[0] for n in imports_of(path) if is_stdlib(n)}
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
    }
    environ = any(isinstance(n, ast.Attribute) and n.attr == "environ" for n in ast.walk(tree))

    assert imported & DOMAIN_FORBIDDEN_STDLIB == set()
    assert called & DOMAIN_FORBIDDEN_CALLS == set()
    assert not environ


@pytest.mark.parametrize("path", modules_under("projections"), ids=lambda p: p.name)
def test_projections_import_neither_service_nor_fastapi(path: Path) -> None:
    offending = {
        n
        for n in imports_of(path)
        if under(n, "service") or under(n, "fastapi") or under(n, "starlette")
    }

    assert offending == set(), f"{module_name(path)} imports {sorted(offending)}"


# --- Rooms (issue 13): no cycles, each room's dependencies one way ------------------------------

LAYERED = ("domain", "projections", "service")
# Issue 13 / ADR 0038: at most about twelve modules directly in service/, the rest in rooms.
MAX_MODULES_DIRECTLY_IN_SERVICE = 12


def imported_module(name: str, modules: Collection[str]) -> str | None:
    """The module among `modules` that importing `name` runs: its longest known prefix.

    `from pkg import sub` names the submodule `pkg.sub`; `from pkg import attribute` and
    `import pkg` name the package, that is its `__init__`.
    """
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if (prefix := ".".join(parts[:end])) in modules:
            return prefix
    return None


def import_graph(imports: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Module -> the modules of `imports` (module -> names it imports) it makes Python run.

    Besides the module imported, Python first runs the `__init__` of each package enclosing
    it, unless the importer lies inside that package too (then it runs already).
    """
    graph: dict[str, set[str]] = {}
    for module, names in imports.items():
        edges: set[str] = set()
        for name in names:
            target = imported_module(name, imports)
            if target is None:
                continue
            edges.add(target)
            parts = target.split(".")
            enclosing = (".".join(parts[:end]) for end in range(1, len(parts)))
            edges |= {p for p in enclosing if p in imports and not under(module, p)}
        graph[module] = edges - {module}
    return graph


def reached_from(graph: Mapping[str, Collection[str]], start: str) -> set[str]:
    """Every module `start` reaches through one import or more (itself only on a cycle)."""
    seen: set[str] = set()
    frontier = list(graph.get(start, ()))
    while frontier:
        if (module := frontier.pop()) not in seen:
            seen.add(module)
            frontier.extend(graph.get(module, ()))
    return seen


def shortest_cycle(graph: Mapping[str, Collection[str]], component: set[str]) -> list[str]:
    """The shortest closed chain `[a, b, ..., a]` within one strongly connected component;
    among equally short ones, the one from the first module in alphabetical order."""
    best: list[str] = []
    for start in sorted(component):
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue:  # breadth first: the first module found to import `start` closes it
            module = queue.popleft()
            if start in graph[module]:
                chain = [module]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                cycle = [*reversed(chain), start]
                if not best or len(cycle) < len(best):
                    best = cycle
                break
            for successor in sorted(set(graph[module]) & component):
                if successor != start and successor not in came_from:
                    came_from[successor] = module
                    queue.append(successor)
    return best


class ImportCycle(NamedTuple):
    """The shortest closed chain of one strongly connected component, and all its modules."""

    chain: list[str]
    modules: list[str]

    def __str__(self) -> str:
        return f"{' -> '.join(self.chain)}  (all {len(self.modules)}: {', '.join(self.modules)})"


def import_cycles(graph: Mapping[str, Collection[str]]) -> list[ImportCycle]:
    """One `ImportCycle` per strongly connected component of `graph`.

    A component is the modules that reach one another. The graph holds a few hundred
    modules, so reachability from each is cheap and plainer to check than Tarjan's algorithm.
    """
    reach = {module: reached_from(graph, module) for module in graph}
    cycles: list[ImportCycle] = []
    placed: set[str] = set()
    for module in sorted(graph):
        if module in placed or module not in reach[module]:
            continue
        component = {other for other in reach[module] if module in reach[other]}
        placed |= component
        cycles.append(ImportCycle(shortest_cycle(graph, component), sorted(component)))
    return cycles


def imports_by_module(*packages: str) -> dict[str, set[str]]:
    """Module -> the names it imports, for every module under the `packages` (folders)."""
    return {module_name(p): imports_of(p) for package in packages for p in modules_under(package)}


def imports_into(imports: Mapping[str, Iterable[str]], forbidden: Iterable[str]) -> list[str]:
    """`module imports name` for each name under one of the `forbidden` packages."""
    return sorted(
        f"{module} imports {name}"
        for module, names in imports.items()
        for name in names
        if any(under(name, package) for package in forbidden)
    )


def modules_directly_in(folder: Path) -> list[str]:
    """The modules of `folder` itself, not its package file nor what its subfolders hold."""
    return sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")


def raises_not_implemented(source: str) -> list[int]:
    """The lines of `raise NotImplementedError`, with or without a call."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Raise)
        and isinstance(
            exc := node.exc.func if isinstance(node.exc, ast.Call) else node.exc, ast.Name
        )
        and exc.id == "NotImplementedError"
    )


def test_the_import_graph_follows_submodules_packages_and_enclosing_packages() -> None:
    imports = {
        "pkg": set(),
        "pkg.sub": {"pkg.name", "pkg.other", "os.path"},
        "pkg.other": {"pkg.deep.leaf.attribute"},
        "pkg.deep": set(),
        "pkg.deep.leaf": set(),
        "top": {"pkg.other.thing"},
    }

    graph = import_graph(imports)

    assert graph["pkg.sub"] == {"pkg", "pkg.other"}  # an attribute of pkg is its __init__
    assert graph["pkg.other"] == {"pkg.deep", "pkg.deep.leaf"}  # pkg.deep's __init__ runs
    assert graph["top"] == {"pkg", "pkg.other"}  # pkg's __init__ runs first


def test_a_cycle_is_reported_once_per_component_as_its_shortest_chain() -> None:
    graph = {
        "a": {"b"},
        "b": {"c", "d"},
        "c": {"a"},
        "d": {"e"},
        "e": {"b"},
        "f": {"g", "a"},
        "g": {"f"},
        "h": {"a"},
    }

    cycles = import_cycles(graph)

    assert cycles == [
        ImportCycle(["a", "b", "c", "a"], ["a", "b", "c", "d", "e"]),
        ImportCycle(["f", "g", "f"], ["f", "g"]),
    ]
    assert str(cycles[1]) == "f -> g -> f  (all 2: f, g)"
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert import_cycles(import_graph({"p": set(), "p.x": {"p.y"}, "p.y": {"p.name"}})) == []
    cyclic = import_graph({"p": {"p.x"}, "p.x": {"p.y"}, "p.y": {"p.name"}})
    assert [c.chain for c in import_cycles(cyclic)] == [["p", "p.x", "p.y", "p"]]


def test_domain_projections_and_service_have_no_import_cycle() -> None:
    graph = import_graph(imports_by_module(*LAYERED))

    cycles = import_cycles(graph)

    assert sum(map(len, graph.values())) > 500  # the graph sees the imports
    assert cycles == [], "import cycles, the shortest of each tangle:\n" + "\n".join(
        map(str, cycles)
    )


def test_commands_and_queries_import_neither_the_api_nor_the_web_nor_the_cli() -> None:
    rooms = imports_by_module("service/commands", "service/queries")

    offending = imports_into(rooms, ("service.api", "service.web", "service.cli"))

    assert len(rooms) >= 10
    assert offending == [], "\n".join(offending)


def test_the_read_side_imports_nothing_from_the_command_side() -> None:
    # Stricter than the issue's "not the command side's application": the read side answers
    # from the read models and the log, so what it would share with the commands (a result
    # type, the code version) lives outside service/commands, and a command found here is
    # in the wrong room.
    read_side = imports_by_module("projections", "service/queries")

    offending = imports_into(read_side, ("service.commands",))

    assert offending == [], "\n".join(offending)


def test_the_room_checks_see_a_room_importing_a_forbidden_one() -> None:
    source = "from service import api\ndef later():\n    from ..commands import application\n"
    seeded = {"service.queries.x": set(imported_names(source, "service.queries.x"))}

    assert imports_into(seeded, ("service.commands", "service.api")) == [
        "service.queries.x imports service.api",
        "service.queries.x imports service.commands.application",
    ]
    assert imports_into(seeded, ("service.command", "service.web")) == []


def test_service_keeps_its_modules_in_rooms() -> None:
    loose = modules_directly_in(ROOT / "service")

    assert "system.py" in loose
    assert len(loose) <= MAX_MODULES_DIRECTLY_IN_SERVICE, f"{len(loose)} in service/: {loose}"


def test_the_room_count_sees_modules_but_not_the_package_or_rooms(tmp_path: Path) -> None:
    for name in ("__init__.py", "a.py", "b.py", "notes.md", "room/c.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).touch()

    assert modules_directly_in(tmp_path) == ["a.py", "b.py"]


def test_nothing_is_left_to_raise_not_implemented() -> None:
    # The application is composed, not assembled from mixins whose stubs raise (issue 13).
    offending = [
        f"{module_name(path)}:{line} raises NotImplementedError"
        for package in LAYERED
        for path in modules_under(package)
        for line in raises_not_implemented(path.read_text(encoding="utf-8"))
    ]

    assert offending == [], "\n".join(offending)


def test_the_not_implemented_scan_sees_a_raise_with_or_without_a_call() -> None:
    source = (
        "def a():\n"
        "    raise NotImplementedError\n"
        "def b():\n"
        "    raise NotImplementedError('later')\n"
        "def c():\n"
        "    raise ValueError\n"
        "def d():\n"
        "    return NotImplemented\n"
    )

    assert raises_not_implemented(source) == [2, 4]


# --- Lifecycle states are asked of the declarations (issue 13, house style rule 6) -------------

# Strings that spell a state's name but are not about a lifecycle: (module, what the string is
# compared with or given to, the string). A bank result file's status column says CREDITED or
# FAILED (`ResultStatus` in service/files/bankfiles.py), whatever state the entitlement is in.
NOT_LIFECYCLE_STATES = {
    ("service.files.bankfiles", "status", "CREDITED"),
    ("service.files.bankfiles", "status", "FAILED"),
    ("service.commands.money", "line.status", "CREDITED"),
}
COMPARING = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
COLLECTIONS = (ast.Tuple, ast.List, ast.Set)


class RetypedState(NamedTuple):
    """A string literal spelling a state `name` on `line`, compared with or given to `subject`."""

    line: int
    name: str
    subject: str


def declared_lifecycles() -> dict[str, Lifecycle]:
    """Every lifecycle declared in domain/, by the aggregate it belongs to."""
    return {
        value.aggregate: value
        for path in modules_under("domain")
        for value in vars(importlib.import_module(module_name(path))).values()
        if isinstance(value, Lifecycle)
    }


def retyped_states(source: str, states: Collection[str]) -> set[RetypedState]:
    """String literals of `states` where only a declaration should say them.

    A literal counts when it is compared (`==`, `!=`, `in`, `not in`, so also inside a
    SQLAlchemy `.where`), is a `case` of a `match`, is a dict key, or sits in a tuple, list or
    set that is compared, assigned to a name or passed to a call (`.in_(...)`, `frozenset`).
    A lone string given to a call is not counted: it is mostly words for people.
    """

    def spelled(node: ast.AST, whole: bool = True) -> list[str]:
        items = node.elts if isinstance(node, COLLECTIONS) else ([node] if whole else [])
        return [
            item.value
            for item in items
            if isinstance(item, ast.Constant) and isinstance(item.value, str)
            if item.value in states
        ]

    found: set[RetypedState] = set()

    def add(names: list[str], at: ast.expr | ast.pattern, subject: ast.expr | str) -> None:
        text = subject if isinstance(subject, str) else ast.unparse(subject)
        found.update(RetypedState(at.lineno, name, text) for name in names)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                if isinstance(op, COMPARING):
                    add(spelled(left), node, right)
                    add(spelled(right), node, left)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                for pattern in ast.walk(case.pattern):
                    if isinstance(pattern, ast.MatchValue):
                        add(spelled(pattern.value), pattern, node.subject)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    add(spelled(key), key, "a dict key")
        elif isinstance(node, ast.Call):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                add(spelled(argument, whole=False), node, node.func)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            add(spelled(node.value, whole=False), node.value, target)
    return found


def test_every_lifecycle_declaration_is_found() -> None:
    lifecycles = declared_lifecycles()

    assert {"Beneficiary", "Entitlement", "PaymentBatch", "Site", "AuditFinding"} <= set(lifecycles)
    assert len(lifecycles) >= 10


def test_lifecycle_states_are_not_retyped_outside_the_domain() -> None:
    states = {s.name for lifecycle in declared_lifecycles().values() for s in lifecycle.states}
    found = {
        (module_name(path), retyped)
        for package in ("service", "projections")
        for path in modules_under(package)
        for retyped in retyped_states(path.read_text(encoding="utf-8"), states)
    }
    kept = {(module, r.subject, r.name) for module, r in found}
    spelled: dict[tuple[str, int, str], list[str]] = {}
    for module, r in sorted(found):
        if (module, r.subject, r.name) not in NOT_LIFECYCLE_STATES:
            spelled.setdefault((module, r.line, r.subject), []).append(repr(r.name))
    offending = [
        f"{m}:{line} {', '.join(n)} ({subject})" for (m, line, subject), n in spelled.items()
    ]
    unused = sorted(NOT_LIFECYCLE_STATES - kept)

    assert offending == [], "states re-typed; ask the declarations:\n" + "\n".join(offending)
    assert unused == [], f"NOT_LIFECYCLE_STATES holds entries no code needs: {unused}"


def test_the_state_scan_sees_states_compared_matched_keyed_listed_and_passed() -> None:
    source = (
        "if case.state == 'CLOSED' or 'OPEN' != other.state:\n"
        "    pass\n"
        "ready = [e for e in es if e.state in ('DRAFT', 'ELSEWHERE')]\n"
        "query = select(t).where(t.c.state == 'OPEN', t.c.state.in_(['SENT']))\n"
        "match batch.state:\n"
        "    case 'SENT' | 'OTHER':\n"
        "        pass\n"
        "REASONS = {'CLOSED': 'closed', 'word': 'OPEN'}\n"
        "LEFT = frozenset({'DRAFT'})\n"
        "GONE: tuple[str, ...] = ('CLOSED',)\n"
        "print('OPEN')\n"
        "Status = Literal['OPEN', 'SENT']\n"
        "x = 'CLOSED'\n"
        "y == 'UNDECLARED'\n"
    )

    found = retyped_states(source, {"OPEN", "CLOSED", "DRAFT", "SENT"})

    assert found == {
        RetypedState(1, "CLOSED", "case.state"),
        RetypedState(1, "OPEN", "other.state"),
        RetypedState(3, "DRAFT", "e.state"),
        RetypedState(4, "OPEN", "t.c.state"),
        RetypedState(4, "SENT", "t.c.state.in_"),
        RetypedState(6, "SENT", "batch.state"),
        RetypedState(8, "CLOSED", "a dict key"),
        RetypedState(9, "DRAFT", "frozenset"),
        RetypedState(10, "CLOSED", "GONE"),
    }
