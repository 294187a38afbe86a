"""The code the layers repeat on purpose stays the same code.

A layer cannot import another (``charm build`` copies each on its own), so
the requires sides of the three one-application interfaces (prometheus_api,
tempo_api, parca_store) share their refresh-and-flags code by copy, as do the
provides sides of prometheus_api and tempo_api. A fix made to one copy must be
made to all: this test compares the copies' syntax trees with names, strings
and docstrings left out (what differs between interfaces), so any change to
the logic of one copy alone fails here. (The URL code of prometheus_api and
tempo_api is compared character for character, in ``test_urls.py``.)
"""

import ast
import copy
import os

import pytest

import helpers

#: (module, functions or Class.method that are one logic in every layer listed)
COPIES = [
    ("requires", ("prometheus_api", "tempo_api", "parca_store"),
     ("{cls}.manage_flags", "{cls}._read", "{cls}._refresh", "_refresh_after_lifecycle_hook")),
    ("provides", ("prometheus_api", "tempo_api"),
     ("{cls}.manage_flags", "{cls}._sync", "_resync_after_lifecycle_hook")),
]


def _source(interface, module):
    with open(os.path.join(helpers.ROOT, "interface-" + interface.replace("_", "-"),
                           module + ".py")) as f:
        return ast.parse(f.read())


def _definition(tree, dotted):
    """The function ``dotted`` (``name`` or ``Class.method``; ``{cls}`` is the module's
    one ``Endpoint`` subclass) of ``tree``."""
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    scope = tree.body
    if "." in dotted:
        _, method = dotted.split(".")
        scope, dotted = classes[-1].body, method
    found = [n for n in scope if isinstance(n, ast.FunctionDef) and n.name == dotted]
    assert len(found) == 1, dotted
    return found[0]


class _Shape(ast.NodeTransformer):
    """Forget what differs between interfaces: names, strings, docstrings, argument lists."""

    def visit_FunctionDef(self, node):
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            body = body[1:]
        node.body = body or [ast.Pass()]
        node.args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                  kw_defaults=[], kwarg=None, defaults=[])
        node.name = "_"
        return self.generic_visit(node)

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value="_"), node)
        return node

    def visit_JoinedStr(self, node):
        return ast.copy_location(ast.Constant(value="_"), node)


def shape(function):
    return ast.dump(_Shape().visit(copy.deepcopy(function)))


CASES = [(module, interfaces, name) for module, interfaces, names in COPIES for name in names]


@pytest.mark.parametrize("module,interfaces,name", CASES,
                         ids=[f"{m}:{n}" for m, _, n in CASES])
def test_repeated_code_has_one_shape_in_every_layer(module, interfaces, name):
    shapes = {interface: shape(_definition(_source(interface, module), name))
              for interface in interfaces}
    first = interfaces[0]
    differ = [i for i in interfaces if shapes[i] != shapes[first]]
    assert differ == [], f"{module}.{name} of {differ} differs from {first}'s: fix every copy"


def test_the_comparison_sees_a_change_of_logic():
    """Two functions that differ in logic only (a ``not``) have different shapes; the same
    function with other names and strings has the same."""
    one = ast.parse("def f(a):\n    'doc'\n    return g(a.x, 'k1')\n").body[0]
    renamed = ast.parse("def h(b):\n    return z(b.x, 'other')\n").body[0]
    changed = ast.parse("def f(a):\n    return not g(a.x, 'k1')\n").body[0]
    assert shape(one) == shape(renamed)
    assert shape(one) != shape(changed)
