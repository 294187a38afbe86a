"""The layer code must run on Python 3.8 (the Python of focal units).

CI also runs the whole suite under Python 3.8 (``make test-pythons``); this
check fails fast, under any Python, on 3.9+ syntax in a layer.
"""

import ast
import glob
import os

import pytest

from kit import helpers

LAYER_FILES = sorted(f for path in helpers.layer_dirs().values()
                     for f in glob.glob(os.path.join(path, "*.py")))
# The example charms' handlers run on the units too.
LAYER_FILES += sorted(glob.glob(os.path.join(helpers.ROOT, "examples", "*", "reactive", "*.py")))
# The simulated Juju (pytest-jujusim, requires-python >= 3.8) and its hook tool template.
SIMULATOR = os.path.join(helpers.ROOT, "pytest-jujusim", "jujusim")
LAYER_FILES += sorted(glob.glob(os.path.join(SIMULATOR, "*.py"))
                      + glob.glob(os.path.join(SIMULATOR, "*", "*.py"))
                      + [os.path.join(SIMULATOR, "hook-tool")])


@pytest.mark.parametrize("path", LAYER_FILES, ids=lambda p: os.path.relpath(p, helpers.ROOT))
def test_layer_code_parses_as_python_3_8(path):
    with open(path) as f:
        ast.parse(f.read(), filename=path, feature_version=(3, 8))


def test_python_3_8_check_rejects_newer_syntax():
    with pytest.raises(SyntaxError):
        ast.parse("match x:\n    case 1:\n        pass\n", feature_version=(3, 8))
