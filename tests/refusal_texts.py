"""Every text the core can refuse with, read from its source: the templates of its errors,
their field messages and its schemas' validation messages."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import workflow
from workflow import errors

ROOT = Path(workflow.__file__).resolve().parent
# Said only to other programs (problem+json to a webhook sender) or to the operator at the
# command line, never shown in the back office: English, as the API is.
NOT_SHOWN = ("intake.py", "checkpoints.py", "importer.py")


def _error_names() -> set[str]:
    import workflow.capacity
    import workflow.checkpoints  # noqa: F401

    seen, todo = set(), [errors.WorkflowError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return seen | {"Text", "ValidationError"}


class Dynamic(Exception):
    """A refusal's text built at run time (an f-string, a call): it cannot be translated."""


def _values(node, constants: dict[str, set[str]]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, constants) | _values(node.orelse, constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pairs = itertools.product(_values(node.left, constants), _values(node.right, constants))
        return {a + b for a, b in pairs}
    if isinstance(node, ast.Name):
        # A module's constant is read; another name passes on a ``Text`` made (and read) where
        # it was said.
        return constants.get(node.id, set())
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "said":
        return set()  # a ValueError's ``Text``, passed on
    raise Dynamic(ast.unparse(node))


def _constants(tree: ast.Module) -> dict[str, set[str]]:
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = {node.value.value}
    return found


def _field_messages(node) -> list:
    """The literal field messages of an ``errors`` mapping: ``{field: ["…"]}``."""
    if isinstance(node, ast.Dict):
        return [m for value in node.values for m in _field_messages(value)]
    if isinstance(node, ast.DictComp):
        return _field_messages(node.value)
    if isinstance(node, ast.List | ast.Tuple):
        return [item for item in node.elts if not isinstance(item, ast.Call)]
    return []


def _field_errors_assigned(node) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Subscript)
        and getattr(node.targets[0].value, "id", None) == "errors"
    )


def texts() -> tuple[dict[str, list[str]], list[str]]:
    """Each text → where it is said; and every place a text is built at run time."""
    names = _error_names()
    found: dict[str, list[str]] = {}
    dynamic = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name in NOT_SHOWN:
            continue
        tree = ast.parse(path.read_text(), str(path))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if _field_errors_assigned(node):  # errors["year"] = ["Between 2000 and 2100."]
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                for item in _field_messages(node.value):
                    try:
                        for text in _values(item, constants):
                            found.setdefault(text, []).append(where)
                    except Dynamic as exc:
                        dynamic.append(f"{where}: {exc}")
                continue
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in names:
                continue
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            said = [node.args[0]]
            if name == "InvalidPayload" and len(node.args) > 1:
                said += _field_messages(node.args[1])
            for arg in said:
                try:
                    for text in _values(arg, constants):
                        found.setdefault(text, []).append(where)
                except Dynamic as exc:
                    dynamic.append(f"{where}: {exc}")
    return found, dynamic
