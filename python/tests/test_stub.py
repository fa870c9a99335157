"""The hand-written ``_native.pyi`` and the compiled module name the same things:
every public function, class, method, property and constant in one is in the other,
with the same parameters."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from meshverdict import _native

STUB = Path(_native.__file__).with_name("_native.pyi")
SOURCE_STUB = Path(__file__).resolve().parents[1] / "src" / "meshverdict" / "_native.pyi"


def _public(name: str) -> bool:
    return not name.startswith("_") or name in ("__version__", "__all__")


def _params(fn: ast.FunctionDef) -> List[str]:
    a = fn.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


def _is_property(fn: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list)


def _stub() -> Tuple[Dict[str, ast.AST], Dict[str, Dict[str, ast.FunctionDef]]]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    top: Dict[str, ast.AST] = {}
    classes: Dict[str, Dict[str, ast.FunctionDef]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top[node.target.id] = node
        elif isinstance(node, ast.Assign):
            top.update({t.id: node for t in node.targets if isinstance(t, ast.Name)})
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {f.name: f for f in node.body if isinstance(f, ast.FunctionDef)}
    return top, classes


def _runtime_params(obj: object) -> Optional[List[str]]:
    try:
        return list(inspect.signature(obj).parameters)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def test_stub_is_installed() -> None:
    assert STUB.is_file(), f"{STUB} is not in the installed package"
    if SOURCE_STUB.is_file():
        assert STUB.read_text(encoding="utf-8") == SOURCE_STUB.read_text(encoding="utf-8"), "installed stub is stale: rebuild"
    assert (STUB.parent / "py.typed").is_file()


def test_module_names_match() -> None:
    top, _ = _stub()
    stub_names = {n for n in top if _public(n)}
    runtime = {n for n in dir(_native) if _public(n)}
    assert stub_names - runtime == set(), "in the stub, not in the module"
    assert runtime - stub_names == set(), "in the module, not in the stub"


def test_all_matches() -> None:
    top, _ = _stub()
    node = top.get("__all__")
    assert isinstance(node, ast.Assign), "the stub declares no __all__"
    assert sorted(ast.literal_eval(node.value)) == sorted(_native.__all__)


def test_functions_match() -> None:
    top, _ = _stub()
    for name, node in top.items():
        obj = getattr(_native, name)
        if isinstance(node, ast.FunctionDef):
            assert callable(obj) and not inspect.isclass(obj), name
            got = _runtime_params(obj)
            if got is not None:
                assert got == _params(node), f"{name}: module {got}, stub {_params(node)}"
        elif isinstance(node, ast.ClassDef):
            assert inspect.isclass(obj), name
        else:
            assert not callable(obj), name


@pytest.mark.parametrize("cls_name", sorted(_stub()[1]))
def test_class_members_match(cls_name: str) -> None:
    members = _stub()[1][cls_name]
    cls = getattr(_native, cls_name)
    stub_names = {n for n in members if _public(n)}
    runtime = {n for n in vars(cls) if _public(n)}
    assert stub_names - runtime == set(), f"{cls_name}: in the stub, not in the module"
    assert runtime - stub_names == set(), f"{cls_name}: in the module, not in the stub"
    for name in sorted(stub_names):
        node = members[name]
        attr = inspect.getattr_static(cls, name)
        if _is_property(node):
            assert inspect.isdatadescriptor(attr), f"{cls_name}.{name} is a property in the stub only"
            continue
        assert callable(attr) and not inspect.isdatadescriptor(attr), f"{cls_name}.{name} is a method in the stub only"
        got = _runtime_params(getattr(cls, name))
        if got is not None:
            assert got == _params(node), f"{cls_name}.{name}: module {got}, stub {_params(node)}"


def test_class_cannot_be_built_from_python() -> None:
    # Only `load` makes a handle; the stub declares no constructor.
    with pytest.raises(TypeError):
        _native.ClusterHandle()  # type: ignore[call-arg]
