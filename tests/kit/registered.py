"""What the registered layers' test packages hold, collected from ``tests/registry.py``.

Each layer of ``registry.LAYERS`` has a test package ``tests/<interface>/`` with the same
modules: ``row.py`` (``ROW``, its row of the cross-layer table), ``adapter.py``
(``ADAPTER``, its contract adapter), ``vectors.json`` (its contract vectors) and
``hookcost.py`` (its hook-cost cases). The cross-layer tests and the drivers take them
from here, in registry order, so none of them lists layers by hand.
"""

import importlib
import os

from kit import helpers
from registry import LAYERS


def module(interface, part):
    """The ``<interface>.<part>`` module of a registered layer's test package."""
    return importlib.import_module(f"{interface}.{part}")


def modules(part):
    """``{interface: module}``: the ``<part>`` module of every registered layer, in order."""
    return {interface: module(interface, part) for interface in LAYERS}


def rows():
    """The cross-layer rows (``kit.layer.Layer``), one per registered layer."""
    return [m.ROW for m in modules("row").values()]


def adapters():
    """``{interface: contract adapter}`` of every registered layer."""
    return {interface: m.ADAPTER for interface, m in modules("adapter").items()}


def vectors_file(interface):
    """Where a layer's contract vectors are: ``tests/<interface>/vectors.json``."""
    return os.path.join(helpers.TESTS, interface, "vectors.json")


def test_package(interface):
    """The folder of a layer's test package."""
    return os.path.join(helpers.TESTS, interface)
