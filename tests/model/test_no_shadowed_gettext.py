"""``_`` is the gettext marker (:mod:`okrctl.model.messages`): a function that also
assigns ``_`` (``config, _ = …``, ``for _, x in …``) makes every ``_()`` in it an
UnboundLocalError, an "internal error" that only shows when that message is said."""

from __future__ import annotations

import ast

from conftest import ROOT


def _shadowing(tree: ast.AST):
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        stores: list[int] = []
        calls: list[int] = []

        def visit(node: ast.AST, in_comprehension: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                    continue  # their own scope
                comp = in_comprehension or isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp,
                                                              ast.GeneratorExp))
                if isinstance(child, ast.Name) and child.id == "_":
                    if isinstance(child.ctx, ast.Store) and not comp:
                        stores.append(child.lineno)
                    elif isinstance(child.ctx, ast.Load):
                        calls.append(child.lineno)
                visit(child, comp)

        visit(fn, False)
        if stores and calls:
            yield fn.name, stores[0]


def test_no_function_assigns_the_gettext_marker():
    bad = [f"{p.relative_to(ROOT)}:{line}: {name} assigns `_` and calls _()"
           for p in sorted((ROOT / "src" / "okrctl").rglob("*.py"))
           for name, line in _shadowing(ast.parse(p.read_text(encoding="utf-8")))]
    assert bad == []


def test_the_check_sees_a_shadowed_marker():
    tree = ast.parse("def f(x):\n    a, _ = x\n    return _('text')\n"
                     "def g(x):\n    return [_('t') for _ in x]\n")
    assert list(_shadowing(tree)) == [("f", 2)]
