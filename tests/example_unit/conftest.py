"""Unit tests of the example charm's handlers with charms.unit_test.

charms.unit_test replaces charms.reactive and charmhelpers with mocks for
the whole process, which is why these tests run in a pytest process of their
own (``make unit-example``), apart from the real-framework tests.
"""

import os
import sys

import pytest
from charms.unit_test import patch_module, patch_reactive

patch_reactive()
# charms.unit_test loads real submodules of a mocked package when they are
# installed (they are, for the real-framework tests); the handlers' hook
# tool calls must stay mocked here.
patch_module("charmhelpers.core.hookenv")
patch_module("charmhelpers.core.unitdata")

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples", "observability-demo")
sys.path.insert(0, EXAMPLE)


@pytest.fixture(autouse=True)
def fresh_mocks():
    """Forget flags and calls between tests."""
    from charmhelpers.core import hookenv, unitdata
    from charms import reactive
    from charms.unit_test import MockKV, flags

    flags.clear()
    hookenv.reset_mock()
    reactive.reset_mock(return_value=False, side_effect=False)
    unitdata.kv.return_value = MockKV()
    yield
