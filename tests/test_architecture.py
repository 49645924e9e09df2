"""Dependencies point inward (house style, rule 1), checked on every import statement."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
