"""The layers' documentation cannot drift from their code.

- Each layer's API reference (``docs/provides.md``, ``docs/requires.md``) is what
  ``make docs`` (``tools/refdocs.py``, pydoc-markdown) writes from the docstrings today,
  and names every public method and property of the side's ``Endpoint`` class.
- The public flags a side's code can set, toggle or clear are read from the code (ast):
  each is in the layer README's flag table and in the class docstring, and every
  ``{endpoint_name}.<state>`` flag the README or the docstring names is one the code sets.
- The flags the example charm's handlers react to are flags the layers set.
- ``docs/`` and the README stay out of built charms (``exclude`` in interface.yaml).
- The docs are self-contained: each layer README states its wire format, every relative
  link of the READMEs and ``docs/`` pages resolves inside the repository, and the top
  README's table links every layer's README.
"""

import ast
import difflib
import glob
import importlib.util
import os
import re

import pytest
import yaml

from kit import helpers

SIDES = ("provides", "requires")
LAYERS = helpers.layer_dirs()
CASES = [(layer, side) for layer in LAYERS.values() for side in SIDES]
CASE_IDS = [f"{os.path.basename(layer)}-{side}" for layer, side in CASES]
FLAG_FUNCTIONS = {"set_flag", "clear_flag", "toggle_flag"}
#: a public flag; ``<name>`` stands for a part the code fills in (``{endpoint_name}.exposed.<job_name>``)
FLAG_RE = re.compile(r"\{endpoint_name\}\.[\w.<>-]*[\w>]")


def load_refdocs():
    """``tools/refdocs.py``, the generator ``make docs`` runs."""
    path = os.path.join(helpers.ROOT, "tools", "refdocs.py")
    spec = importlib.util.spec_from_file_location("refdocs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path):
    with open(path) as f:
        return f.read()


# --------------------------------------------------------------------------
# Reading flags and classes out of the code
# --------------------------------------------------------------------------

def _called_name(call):
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _flag_name(node):
    """The flag a set/clear/toggle argument names, as ``expand_name`` would spell it.

    ``expand_name("{endpoint_name}.x")`` is the public flag ``{endpoint_name}.x``;
    ``expand_name("x")`` is the framework's ``endpoint.{endpoint_name}.x``. Anything not
    written as a literal cannot be checked, so it is an error, not a silent pass.
    """
    if isinstance(node, ast.Call) and _called_name(node) == "expand_name" and node.args:
        node = node.args[0]
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
                and isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Name)
                and str(node.left.value).endswith(".")):
            # "{endpoint_name}.exposed." + job_name: a family of flags, "...exposed.<job_name>"
            return f"{node.left.value}<{node.right.id}>"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value
            return name if "{endpoint_name}" in name else "endpoint.{endpoint_name}." + name
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise ValueError(f"line {node.lineno}: a flag name that is not a literal string "
                     "(write it as expand_name('{endpoint_name}.<state>'))")


def code_flags(source):
    """Every public ``{endpoint_name}.<state>`` flag that ``source`` can set, toggle or clear."""
    flags = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _called_name(node) in FLAG_FUNCTIONS and node.args:
            name = _flag_name(node.args[0])
            if name.startswith("{endpoint_name}."):
                flags.add(name)
    return flags


def endpoint_class(source):
    """The one class of a role module (the layout puts exactly one ``Endpoint`` there)."""
    classes = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
    assert len(classes) == 1, f"expected one class, found {[c.name for c in classes]}"
    return classes[0]


def public_members(cls):
    """Names of the public methods and properties a class defines itself."""
    return [n.name for n in cls.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not n.name.startswith("_")]


def docstring_flags(docstring):
    """Flags listed as bullets (``* ``{endpoint_name}.x``: ...``) in a class docstring."""
    return set(re.findall(r"^\s*[*-]\s+``(\{endpoint_name\}\.[\w.<>-]*[\w>])``", docstring, re.M))


def readme_flag_table(readme):
    """``{side: {flag}}`` from the rows of the README's ``## Flags`` table."""
    match = re.search(r"^## Flags\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    assert match, "the README has no '## Flags' section"
    table = {side: set() for side in SIDES}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not FLAG_RE.fullmatch(cells[0].strip("`")):
            continue
        assert cells[1] in SIDES, f"flag table row with an unknown side: {line}"
        table[cells[1]].add(cells[0].strip("`"))
    return table


def mentioned_flags(text):
    """Every ``{endpoint_name}.<state>`` a text names, the framework's ``endpoint.`` ones aside."""
    return {m.group(0) for m in FLAG_RE.finditer(text)
            if not text[:m.start()].endswith("endpoint.")}


def layer_source(layer, side):
    return read(os.path.join(layer, f"{side}.py"))


def side_flags(layer, side):
    """``code_flags`` of a role module and of the vendored shared modules it imports (the
    refresh and sync code a layer shares with others sets most of its flags)."""
    flags, todo, seen = set(), [side], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = read(os.path.join(layer, f"{name}.py"))
        flags |= code_flags(source)
        todo.extend(re.findall(r"^from \.(_\w+) import ", source, re.M))
    return flags


# --------------------------------------------------------------------------
# The readers above can fail
# --------------------------------------------------------------------------

SAMPLE = '''
class SampleRequires(Endpoint):
    """Sample.

    Public flags:

    * ``{endpoint_name}.ready``: documented and set.
    * ``{endpoint_name}.stale``: documented, never set.
    """

    def manage_flags(self):
        toggle_flag(self.expand_name("{endpoint_name}.ready"), True)
        charms.reactive.set_flag(self.expand_name("{endpoint_name}.hidden"))
        clear_flag(self.expand_name("changed"))
        set_flag("{endpoint_name}.plain")

    def get_data(self):
        """Data."""

    def _private(self):
        pass
'''

SAMPLE_README = """# sample

## Flags

| flag | side | meaning |
|---|---|---|
| `{endpoint_name}.ready` | requires | ready |
| `{endpoint_name}.joined` | provides | joined |

The framework's own `endpoint.{endpoint_name}.changed` is internal; see `{endpoint_name}.gone`.

## Next
| `{endpoint_name}.outside` | requires | not in the flag table |
"""


def test_flag_reader_finds_every_flag_call_and_ignores_framework_flags():
    assert code_flags(SAMPLE) == {"{endpoint_name}.ready", "{endpoint_name}.hidden",
                                  "{endpoint_name}.plain"}


def test_flag_reader_refuses_a_flag_name_it_cannot_read():
    with pytest.raises(ValueError, match="not a literal"):
        code_flags('set_flag(self.expand_name(f"{self.endpoint_name}.x"))')


def test_docstring_and_readme_readers_see_what_a_sample_documents():
    cls = endpoint_class(SAMPLE)
    assert docstring_flags(ast.get_docstring(cls)) == {"{endpoint_name}.ready",
                                                       "{endpoint_name}.stale"}
    assert public_members(cls) == ["manage_flags", "get_data"]
    assert readme_flag_table(SAMPLE_README) == {"requires": {"{endpoint_name}.ready"},
                                                "provides": {"{endpoint_name}.joined"}}
    assert mentioned_flags(SAMPLE_README) == {"{endpoint_name}.ready", "{endpoint_name}.joined",
                                              "{endpoint_name}.gone", "{endpoint_name}.outside"}


# --------------------------------------------------------------------------
# Flags: code, README table and class docstring agree
# --------------------------------------------------------------------------

@pytest.mark.parametrize("layer,side", CASES, ids=CASE_IDS)
def test_every_flag_the_code_sets_is_in_the_readme_table_and_the_class_docstring(layer, side):
    source = layer_source(layer, side)
    flags = side_flags(layer, side)
    assert flags, "the code sets no public flag (the reader found nothing)"
    table = readme_flag_table(read(os.path.join(layer, "README.md")))[side]
    documented = docstring_flags(ast.get_docstring(endpoint_class(source)) or "")
    assert sorted(flags - table) == [], f"set by {side}.py but missing from the README flag table"
    assert sorted(flags - documented) == [], f"set by {side}.py but missing from the class docstring"


@pytest.mark.parametrize("layer,side", CASES, ids=CASE_IDS)
def test_every_flag_the_docs_name_is_one_the_code_sets(layer, side):
    source = layer_source(layer, side)
    flags = side_flags(layer, side)
    readme = read(os.path.join(layer, "README.md"))
    table = readme_flag_table(readme)[side]
    docstring = ast.get_docstring(endpoint_class(source)) or ""
    assert sorted(table - flags) == [], f"in the README's {side} flag table, never set by {side}.py"
    assert sorted(docstring_flags(docstring) - flags) == [], "listed in the class docstring, never set"
    assert sorted(mentioned_flags(docstring) - flags) == [], "named in the class docstring, never set"


@pytest.mark.parametrize("layer", sorted(LAYERS.values()), ids=os.path.basename)
def test_every_flag_the_readme_names_is_one_some_side_sets(layer):
    flags = set().union(*(side_flags(layer, side) for side in SIDES))
    readme = read(os.path.join(layer, "README.md"))
    assert sorted(mentioned_flags(readme) - flags) == []


def example_endpoints():
    """``{endpoint name: (role, interface)}`` of the example charm's metadata.yaml."""
    with open(os.path.join(helpers.EXAMPLE, "metadata.yaml")) as f:
        meta = yaml.safe_load(f)
    return {name: (role, spec["interface"])
            for role in SIDES for name, spec in (meta.get(role) or {}).items()}


def example_flag_strings():
    """``(file, line, flag)`` for every string literal in the example handlers that looks
    like ``<endpoint>.<state>`` for one of the example's endpoints."""
    endpoints = example_endpoints()
    out = []
    for path in sorted(glob.glob(os.path.join(helpers.EXAMPLE, "reactive", "*.py"))):
        for node in ast.walk(ast.parse(read(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                head, _, state = node.value.partition(".")
                if head in endpoints and state and re.fullmatch(r"[\w.-]+", state):
                    out.append((os.path.basename(path), node.lineno, node.value))
    return out


def test_example_handlers_react_only_to_flags_the_layers_set():
    endpoints = example_endpoints()
    seen = example_flag_strings()
    assert seen, "found no flag in the example handlers"
    for path, line, flag in seen:
        endpoint, _, state = flag.partition(".")
        role, interface = endpoints[endpoint]
        flags = side_flags(LAYERS[interface], role)
        assert "{endpoint_name}." + state in flags, f"{path}:{line}: {flag} is never set"


# --------------------------------------------------------------------------
# The generated API reference
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def refdocs():
    return load_refdocs()


@pytest.mark.parametrize("layer,side", CASES, ids=CASE_IDS)
def test_checked_in_reference_is_what_make_docs_writes(refdocs, layer, side):
    path = refdocs.target(layer, side)
    assert os.path.exists(path), f"{path} is missing: run make docs"
    current = read(path)
    fresh = refdocs.render(layer, side)
    diff = "".join(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True),
                                        "checked in", "make docs"))
    assert current == fresh, f"{path} is stale: run make docs\n{diff}"


@pytest.mark.parametrize("layer,side", CASES, ids=CASE_IDS)
def test_reference_documents_the_class_and_every_public_method_and_property(layer, side):
    cls = endpoint_class(layer_source(layer, side))
    reference = read(os.path.join(layer, "docs", f"{side}.md"))
    assert f'<a id="{side}.{cls.name}"></a>' in reference
    assert ast.get_docstring(cls).splitlines()[0] in reference
    members = public_members(cls)
    assert members
    for name in members:
        assert f'<a id="{side}.{cls.name}.{name}"></a>' in reference, name


@pytest.mark.parametrize("layer,side", CASES, ids=CASE_IDS)
def test_every_public_method_and_property_has_a_docstring(layer, side):
    cls = endpoint_class(layer_source(layer, side))
    assert ast.get_docstring(cls)
    undocumented = [n.name for n in cls.body if isinstance(n, ast.FunctionDef)
                    and not n.name.startswith("_") and not ast.get_docstring(n)]
    assert undocumented == []


@pytest.mark.parametrize("layer", sorted(LAYERS.values()), ids=os.path.basename)
def test_readme_links_the_reference_of_both_sides(layer):
    readme = read(os.path.join(layer, "README.md"))
    for side in SIDES:
        assert f"](docs/{side}.md)" in readme, side


# --------------------------------------------------------------------------
# Docs stay out of built charms
# --------------------------------------------------------------------------

@pytest.mark.parametrize("layer", sorted(LAYERS.values()), ids=os.path.basename)
def test_interface_yaml_keeps_docs_readme_and_tests_out_of_built_charms(layer):
    with open(os.path.join(layer, "interface.yaml")) as f:
        meta = yaml.safe_load(f)
    assert {"README.md", "docs", "tests"} <= set(meta.get("exclude") or [])
    assert os.path.isdir(os.path.join(layer, "docs")), "the layer has no docs/ to keep out"


# --------------------------------------------------------------------------
# Self-contained docs
# --------------------------------------------------------------------------

LINK_RE = re.compile(r"\]\(([^)\s]+)\)")


def markdown_pages():
    """The README and ``docs/`` pages of the repository and of every layer."""
    pages = [os.path.join(helpers.ROOT, "README.md")]
    pages += sorted(glob.glob(os.path.join(helpers.ROOT, "docs", "*.md")))
    for layer in sorted(LAYERS.values()):
        pages.append(os.path.join(layer, "README.md"))
        pages += sorted(glob.glob(os.path.join(layer, "docs", "*.md")))
    return pages


def relative_links(text):
    """The targets of a page's links that are paths (no URL scheme), anchors dropped."""
    targets = (m.group(1).split("#")[0] for m in LINK_RE.finditer(text))
    return [t for t in targets if t and not re.match(r"[a-z]+:", t)]


def test_link_reader_finds_relative_links_only():
    text = "[a](docs/x.md#y) [b](https://e.org/) [c](#flags) [d](../README.md)"
    assert relative_links(text) == ["docs/x.md", "../README.md"]


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: os.path.relpath(p, helpers.ROOT))
def test_every_relative_link_resolves_inside_the_repository(page):
    for target in relative_links(read(page)):
        path = os.path.realpath(os.path.join(os.path.dirname(page), target))
        assert path.startswith(os.path.realpath(helpers.ROOT) + os.sep), target
        assert os.path.exists(path), target


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: os.path.relpath(p, helpers.ROOT))
def test_no_page_points_at_the_contract_outside_the_repository(page):
    text = read(page)
    for outside in ("shared/contract", "../shared", "contract/README.md", "contract/vectors"):
        assert outside not in text, outside


@pytest.mark.parametrize("layer", sorted(LAYERS.values()), ids=os.path.basename)
def test_layer_readme_states_its_wire_format(layer):
    match = re.search(r"^## Wire format\n(.*?)(?=^## |\Z)", read(os.path.join(layer, "README.md")),
                      re.S | re.M)
    assert match, "the README has no '## Wire format' section"
    assert "databag" in match.group(1) and "|" in match.group(1), "no databag keys stated"


@pytest.mark.parametrize("layer", sorted(LAYERS.values()), ids=os.path.basename)
def test_top_readme_table_links_every_layer_readme(layer):
    name = os.path.basename(layer)
    assert "](" + name + "/README.md)" in read(os.path.join(helpers.ROOT, "README.md"))
