"""Layer READMEs show the example charm's code, not a second copy that can rot.

Every ``python`` code block of a layer README must be, verbatim (after
dedenting), one of the snippets marked ``# --8<-- [start:NAME]`` ...
``[end:NAME]`` in the example charm's reactive modules (which the suite builds
and runs) or in a test module (which runs it), or the import statements of an
example module, verbatim. Each layer's README must show the example charm's
handlers for both sides and the imports they need, so that what a charm author
copies is complete. The top README's ``python`` blocks follow the same rule.
"""

import ast
import glob
import os
import re
import textwrap

import pytest

from kit import helpers

SNIPPET_RE = re.compile(r"# --8<-- \[start:([\w-]+)\]\n(.*?)[ \t]*# --8<-- \[end:\1\]", re.S)
BLOCK_RE = re.compile(r"```python\n(.*?)```", re.S)


def example_module(layer):
    """The example charm's module for a layer: ``interface-tempo-api`` -> ``demo_tempo_api.py``."""
    name = os.path.basename(layer)[len("interface-"):].replace("-", "_")
    return os.path.join(helpers.EXAMPLE, "reactive", f"demo_{name}.py")


def imports_of(path):
    """The lines of a module from its first top-level import to its last, verbatim."""
    with open(path) as f:
        source = f.read()
    imports = [n for n in ast.parse(source).body if isinstance(n, (ast.Import, ast.ImportFrom))]
    lines = source.splitlines()
    return "\n".join(lines[imports[0].lineno - 1:imports[-1].end_lineno]).strip()


def snippets():
    out = {}
    sources = glob.glob(os.path.join(helpers.EXAMPLE, "reactive", "*.py"))
    sources += glob.glob(os.path.join(helpers.TESTS, "**", "test_*.py"), recursive=True)
    for path in sources:
        with open(path) as f:
            for name, body in SNIPPET_RE.findall(f.read()):
                out[name] = textwrap.dedent(body).strip()
    for path in glob.glob(os.path.join(helpers.EXAMPLE, "reactive", "*.py")):
        out["imports:" + os.path.basename(path)] = imports_of(path)
    return out


def readme_blocks(folder):
    with open(os.path.join(folder, "README.md")) as f:
        return [b.strip() for b in BLOCK_RE.findall(f.read())]


@pytest.mark.parametrize("layer", sorted(helpers.layer_dirs().values()), ids=os.path.basename)
def test_readme_code_is_the_example_charm_code(layer):
    blocks = readme_blocks(layer)
    assert blocks, "the README shows no handler example"
    known = set(snippets().values())
    for block in blocks:
        assert block in known, "README block is not an example snippet:\n" + block


def test_top_readme_code_is_the_example_charm_code():
    blocks = readme_blocks(helpers.ROOT)
    assert blocks, "the README shows no handler"
    known = set(snippets().values())
    for block in blocks:
        assert block in known, "README block is not an example snippet:\n" + block


def test_snippet_markers_are_found():
    assert "prometheus-api-requires" in snippets()


@pytest.mark.parametrize("layer", sorted(helpers.layer_dirs().values()), ids=os.path.basename)
def test_readme_shows_both_sides_handlers_and_their_imports(layer):
    blocks = readme_blocks(layer)
    known = snippets()
    name = os.path.basename(layer)[len("interface-"):]
    for wanted in (f"{name}-requires", f"{name}-provides",
                   "imports:" + os.path.basename(example_module(layer))):
        assert wanted in known, f"the example charm has no snippet {wanted}"
        assert known[wanted] in blocks, f"the README does not show {wanted}"


def test_imports_of_reads_every_top_level_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Doc."""\n\nimport os\n\nfrom a import (\n    b,\n)\n\nX = 1\n')
    assert imports_of(str(module)) == "import os\n\nfrom a import (\n    b,\n)"
