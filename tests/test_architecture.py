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
    "export": {"data", "decoding", "errors", "layers", "models", "utils"},
    "report": {"metrics", "utils"},
    "metrics": {"utils"},
}

# Which pipeline subpackages each may import, in the order a run goes
# through them: config -> tasks -> run folders / training -> commands.
PIPELINE_ALLOWED = {
    "config": set(),
    "tasks": {"config"},
    "run_folders": {"config"},
    "training": {"config", "tasks", "run_folders"},
    "commands": {"config", "tasks", "run_folders", "training"},
}

#: The most modules (`.py` files, `__init__.py` included) one folder holds.
MAX_MODULES_PER_FOLDER = 15


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


def module_name(path):
    """`seqkeras.a.b` for `seqkeras/a/b.py` and for `seqkeras/a/b/__init__.py`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, modules, source=None):
    """The seqkeras modules that `path` imports anywhere in it (functions, TYPE_CHECKING too).

    `from a.b import c` names the module `a.b.c` where there is one, else
    the module (or package) `a.b`; relative imports are resolved. `source`
    stands in for the file's text where given.
    """
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    source = path.read_text(encoding="utf-8") if source is None else source
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
    return {name for name in found if name in modules and name != here}


def import_graph():
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: imported_modules(path, paths) for name, path in paths.items()}


def import_circles(graph):
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph[node]):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_module_of_the_package_takes_part_in_an_import_circle():
    assert import_circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle_and_a_chain_is_not_one():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_imports_inside_functions_and_type_checking_blocks_count():
    modules = set(import_graph())
    source = "import typing\nif typing.TYPE_CHECKING:\n    from seqkeras.models import seq2seq\n"
    source += "def f():\n    from seqkeras.layers.kernels import bptt_loops\n"
    source += "def g():\n    from . import recurrent_stack\n    from ..layers import LSTM\n"
    found = imported_modules(PACKAGE / "models" / "probe.py", modules, source)
    assert found == {
        "seqkeras.models.seq2seq",
        "seqkeras.layers.kernels.bptt_loops",
        "seqkeras.models.recurrent_stack",
        "seqkeras.layers",
    }


@pytest.mark.parametrize("subpackage", sorted(PIPELINE_ALLOWED))
def test_pipeline_subpackages_import_only_earlier_ones(subpackage):
    paths = sorted((PACKAGE / "pipeline" / subpackage).rglob("*.py"))
    assert paths
    for path in paths:
        used = set()
        for name in imported_modules(path, set(import_graph())):
            parts = name.split(".")
            if parts[:2] == ["seqkeras", "pipeline"] and len(parts) > 2:
                used.add(parts[2])
        used -= {subpackage}
        assert used <= PIPELINE_ALLOWED[subpackage], (
            f"{path.relative_to(ROOT)} imports pipeline {sorted(used - PIPELINE_ALLOWED[subpackage])}"
        )


def test_pipeline_holds_only_its_subpackages():
    entries = {p.name for p in (PACKAGE / "pipeline").iterdir() if p.name != "__pycache__"}
    assert entries == {"__init__.py", *PIPELINE_ALLOWED}


def test_no_folder_holds_more_than_fifteen_modules():
    for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]:
        modules = sorted(folder.glob("*.py"))
        assert len(modules) <= MAX_MODULES_PER_FOLDER, (
            f"{folder.relative_to(ROOT)} holds {len(modules)} modules"
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


def test_only_export_reads_the_manifest_and_only_through_export_manifest():
    # Names and the file's name, not variable names: renaming cannot dodge it.
    forbidden_names = {"read_export_info", "INFO_FILE", "MANIFEST_FILE"}
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "export"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = {alias.name for alias in getattr(node, "names", [])} & forbidden_names
            if isinstance(node, (ast.Name, ast.Attribute)):
                named |= {getattr(node, "id", None), getattr(node, "attr", None)} & forbidden_names
            assert not named, f"{path.relative_to(ROOT)} reads the manifest by {sorted(named)}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # The file's name as a path (messages may name it in prose).
                value = node.value.strip()
                assert not re.fullmatch(r"(.*[/\\])?seqkeras_export\.json", value), (
                    f"{path.relative_to(ROOT)} opens seqkeras_export.json itself"
                )


def test_metrics_json_is_read_and_written_only_through_evaluation():
    # The file's name as a path, and the keys Evaluation fills from its typed
    # fields used as an index, a `.get` key or a dict key: renaming a variable
    # cannot dodge it.
    from seqkeras.metrics.evaluation import RESERVED_KEYS

    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "metrics" / "evaluation.py":
            continue
        where = path.relative_to(ROOT)
        # The scores of `metrics/` and the export's manifest have keys of those names.
        own_keys = path.is_relative_to(PACKAGE / "metrics") or path.is_relative_to(
            PACKAGE / "export"
        )
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value.strip()
                assert not re.fullmatch(r"(.*[/\\])?metrics\.json", value), (
                    f"{where} opens metrics.json itself; use Evaluation.load / write"
                )
            keys = []
            if isinstance(node, ast.Subscript):
                keys = [node.slice]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get":
                keys = node.args[:1]
            elif isinstance(node, ast.Dict):
                keys = [key for key in node.keys if key is not None]
            for key in keys:
                if not own_keys and isinstance(key, ast.Constant) and key.value in RESERVED_KEYS:
                    raise AssertionError(f"{where}:{node.lineno} uses the key {key.value!r}")


def test_tasks_know_no_dataset_by_name():
    from seqkeras.data.catalog import CATALOG

    # "text" is a dataset name and also the column type every text task reads.
    names = [name for name in CATALOG if name != "text"]
    for path in (PACKAGE / "pipeline" / "tasks").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in names:
            assert not re.search(rf"\b{name}\b", source), f"{path.name} names {name!r}"
