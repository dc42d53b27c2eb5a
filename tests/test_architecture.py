"""The import rules of docs/architecture.md, checked against the code."""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "seqkeras"

# Which seqkeras packages each package may import (docs/architecture.md).
ALLOWED = {
    "utils": set(),
    "errors": set(),
    "version": set(),
    "layers": {"utils"},
    "models": {"layers", "utils"},
    "decoding": {"models", "utils"},
    "data": {"errors", "utils"},
    "export": {"data", "decoding", "layers", "models", "utils"},
    "report": set(),
}


def seqkeras_imports(path):
    """The top-level seqkeras packages a module imports (`from seqkeras import x` too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "seqkeras":
                names = [f"seqkeras.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "seqkeras" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_what_the_architecture_allows(package):
    paths = (
        [PACKAGE / f"{package}.py"]
        if (PACKAGE / f"{package}.py").exists()
        else sorted((PACKAGE / package).rglob("*.py"))
    )
    assert paths
    for path in paths:
        imported = seqkeras_imports(path) - {package}
        assert imported <= ALLOWED[package], (
            f"{path.relative_to(ROOT)} imports {sorted(imported - ALLOWED[package])}"
        )


def test_every_package_is_in_the_table():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - {"pipeline"} <= set(ALLOWED)
    documented = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in packages:
        assert f"`{package}/`" in documented


def test_no_layer_is_found_again_by_name_to_rebuild_inference():
    for path in (PACKAGE / "models").glob("*.py"):
        assert "get_layer(" not in path.read_text(encoding="utf-8"), path.name
    assert "get_layer(" not in (PACKAGE / "decoding" / "decoding_step.py").read_text()


def test_the_pipeline_passes_typed_objects_not_info_dicts():
    for path in (PACKAGE / "pipeline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in ('info["', "info.get(", "callbacks_extra"):
            assert pattern not in text, f"{path.name}: {pattern}"


def test_tasks_know_no_dataset_by_name():
    from seqkeras.data.catalog import CATALOG

    # "text" is a dataset name and also the column type every text task reads.
    names = [name for name in CATALOG if name != "text"]
    for path in (PACKAGE / "pipeline" / "tasks").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in names:
            assert not re.search(rf"\b{name}\b", source), f"{path.name} names {name!r}"
