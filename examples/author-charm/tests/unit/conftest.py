"""Unit tests of the handlers with charms.unit_test: charms.reactive and charmhelpers mocked.

They replace those packages for the whole process, so they run in a pytest
process of their own (``pytest tests/unit``), never with the harness tests.
"""

import os
import sys

import pytest
from charms.unit_test import patch_module, patch_reactive

patch_reactive()
# charms.unit_test mocks a package but loads its real submodules when they are
# installed (they are: the harness tests need the real ones). Without these two
# lines the handlers would call the real hook tools and every test would error.
patch_module("charmhelpers.core.hookenv")
patch_module("charmhelpers.core.unitdata")

# The charm's top directory, so that `import reactive.author_charm` finds the handlers.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(autouse=True)
def fresh_mocks():
    """Forget flags, calls and the key-value store between tests."""
    from charmhelpers.core import hookenv, unitdata
    from charms import reactive
    from charms.unit_test import MockKV, flags

    flags.clear()
    hookenv.reset_mock()
    reactive.reset_mock(return_value=False, side_effect=False)
    unitdata.kv.return_value = MockKV()
