"""The public API of every subpackage: ``__all__`` says exactly what it exports, and no stage
reaches into another stage's private modules."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import mlstxs

SRC = Path(mlstxs.__file__).parent
SUBPACKAGES = sorted(
    m.name for m in pkgutil.iter_modules([str(SRC)]) if m.ispkg and not m.name.startswith("_")
)
SHARED = {"mlstxs._files", "mlstxs._output", "mlstxs._dask"}
"""Private helpers at the root that every stage may use (staged outputs, files, Dask)."""


def _defined_names(init: Path) -> set[str]:
    """Public names an ``__init__`` binds itself: its definitions and assignments, and what it
    imports from mlstxs (its own modules or a sibling stage); not stdlib or third-party names."""
    names = set()
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.ImportFrom) and (
            node.level > 0 or node.module.startswith("mlstxs")
        ):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_all_lists_exactly_the_public_names(name):
    pkg = importlib.import_module(f"mlstxs.{name}")
    exported = set(pkg.__all__)
    assert len(exported) == len(pkg.__all__), "duplicates in __all__"
    assert all(hasattr(pkg, n) for n in exported), sorted(
        n for n in exported if not hasattr(pkg, n)
    )
    defined = _defined_names(SRC / name / "__init__.py")
    assert defined == exported, {
        "not in __all__": sorted(defined - exported),
        "not defined": sorted(exported - defined),
    }


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")[: -node.level]
    return ".".join([*base, node.module] if node.module else base)


def _private_imports() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_pkg else parts)
        # a package's __init__ resolves relative imports against itself
        anchor = module + ".__init__" if is_pkg else module
        stage = parts[1] if len(parts) > 2 else None
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _absolute(anchor, node)
            tparts = target.split(".")
            if tparts[0] != "mlstxs" or target in SHARED:
                continue
            private = any(p.startswith("_") for p in tparts[1:])
            other_stage = len(tparts) > 1 and tparts[1] != stage
            if private and other_stage:
                out.append(f"{rel}: from {target} import ...")
    return out


def test_no_stage_imports_another_stages_private_modules():
    assert _private_imports() == []
