"""Layer READMEs show the example charm's code, not a second copy that can rot.

Every ``python`` code block of a layer README must be, verbatim (after
dedenting), one of the snippets marked ``# --8<-- [start:NAME]`` ...
``[end:NAME]`` in the example charm's reactive modules (which the suite builds
and runs) or in a test module (which runs it), and each layer's README must
show at least one.
"""

import glob
import os
import re
import textwrap

import pytest

import helpers

SNIPPET_RE = re.compile(r"# --8<-- \[start:([\w-]+)\]\n(.*?)[ \t]*# --8<-- \[end:\1\]", re.S)
BLOCK_RE = re.compile(r"```python\n(.*?)```", re.S)


def snippets():
    out = {}
    sources = glob.glob(os.path.join(helpers.EXAMPLE, "reactive", "*.py"))
    sources += glob.glob(os.path.join(helpers.TESTS, "test_*.py"))
    for path in sources:
        with open(path) as f:
            for name, body in SNIPPET_RE.findall(f.read()):
                out[name] = textwrap.dedent(body).strip()
    return out


@pytest.mark.parametrize("layer", sorted(helpers.layer_dirs().values()), ids=os.path.basename)
def test_readme_code_is_the_example_charm_code(layer):
    with open(os.path.join(layer, "README.md")) as f:
        blocks = [b.strip() for b in BLOCK_RE.findall(f.read())]
    assert blocks, "the README shows no handler example"
    known = set(snippets().values())
    for block in blocks:
        assert block in known, "README block is not an example snippet:\n" + block


def test_snippet_markers_are_found():
    assert "prometheus-api-requires" in snippets()
