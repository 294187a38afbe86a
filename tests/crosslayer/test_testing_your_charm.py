"""docs/testing-your-charm.md: the harness and the charms.unit_test snippet work as shown.

examples/author-charm is copied as a charm author has it (this checkout in
``interfaces/observability-layers``), the plugin is installed from that copy by
the page's install line into a fresh virtual environment (not editable), and the
charm's tests are run there, in pytest processes of their own, with the page's
commands: the harness tests through the installed ``jujusim.plugin`` (its entry
point, no conftest line) and the charms.unit_test tests through the page's
conftest. Every test must pass (none skipped), and the page's blocks must be the
charm's files, verbatim.

The fresh environment sees this environment's packages (a ``.pth`` file adds its
site-packages after the fresh one's; charm-build from this environment's ``bin`` on PATH) and runs
the page's install line as written (``--quiet`` added): pip builds the plugin in its own
isolated build environment, as an author's pip does, and finds its dependencies installed.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig

import pytest

from kit import helpers

DOC = os.path.join(helpers.ROOT, "docs", "testing-your-charm.md")
CHARM = helpers.AUTHOR_CHARM
FILES = {
    "pytest.ini": "pytest.ini",
    "unit-conftest.py": "tests/unit/conftest.py",
}
EXAMPLES = {"example": "tests/harness/test_author_charm.py", "unit-example": "tests/unit/test_handlers.py",
            "status": "../observability-demo/reactive/demo_status.py"}
LANG = {"pytest.ini": "ini", "run": "sh", "install": "sh"}


def blocks(name):
    """Every code block right after ``<!-- testing:<name> -->`` in the page."""
    with open(DOC) as f:
        text = f.read()
    lang = LANG.get(name, "python")
    found = re.findall("<!-- testing:" + re.escape(name) + " -->\n```" + lang + "\n(.*?)```", text, re.S)
    assert found, f"docs/testing-your-charm.md has no block marked testing:{name}"
    return found


def read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


def count_tests(path, source=None):
    """How many test items ``path`` (or ``source``) defines (parametrised cases counted)."""
    tree = ast.parse(source if source is not None else read(path))
    total = 0
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            cases = 1
            for deco in node.decorator_list:
                if (isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "parametrize"):
                    cases *= len(deco.args[1].elts)
            total += cases
    return total


@pytest.fixture(scope="module")
def author_charm(tmp_path_factory):
    """examples/author-charm with this checkout in its interfaces/, as its author has it."""
    return helpers.author_charm_with_checkout(tmp_path_factory.mktemp("author"))


def author_env(venv):
    """The environment of the author's commands: the author's venv first on PATH, then
    this environment's (charm-build), no PYTEST* variables of this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PATH"] = os.pathsep.join([os.path.join(venv, "bin"), os.path.dirname(sys.executable),
                                   env.get("PATH", "")])
    return env


def make_author_venv(venv):
    """A fresh virtual environment that sees this one's packages but holds none itself."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = os.path.join(venv, "bin", "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    ours = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    ours += [sysconfig.get_paths()["purelib"]]
    with open(os.path.join(purelib, "zz-test-environment.pth"), "w") as f:
        # addsitedir, as site does for the venv's own: their .pth files too (setuptools' distutils)
        f.write("".join(f"import site; site.addsitedir({p!r})\n" for p in dict.fromkeys(ours)
                        if os.path.isdir(p)))
    return python


@pytest.fixture(scope="module")
def author_venv(author_charm, tmp_path_factory):
    """A fresh venv with the plugin installed by the page's install line, from the charm's
    copy of the checkout (not editable)."""
    venv = str(tmp_path_factory.mktemp("author-venv") / "venv")
    python = make_author_venv(venv)
    (install,) = [line for line in blocks("install")[0].splitlines() if line]
    args = install.split()
    assert args[:4] == ["python", "-m", "pip", "install"], install
    proc = subprocess.run([python, *args[1:], "--quiet",
                           "--disable-pip-version-check"], cwd=author_charm, env=author_env(venv),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    return venv


def run(charm, command, venv):
    """One line of the page's run block, in ``charm``, with the author venv's Python."""
    args = command.split()
    assert args[:3] == ["python", "-m", "pytest"], command
    python = os.path.join(venv, "bin", "python")
    proc = subprocess.run([python, *args[1:], "-p", "no:cacheprovider"], cwd=charm, env=author_env(venv),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    return proc


def summary(output):
    """The outcome counts of pytest's last line, e.g. ``{"passed": 11}``."""
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last)}


def author_testpaths():
    """The ``testpaths`` of the author charm's pytest.ini (what a bare ``pytest`` runs)."""
    import configparser

    ini = configparser.ConfigParser()
    ini.read(os.path.join(CHARM, "pytest.ini"))
    return ini["pytest"]["testpaths"].split()


@pytest.mark.parametrize("line", [line for line in blocks("run")[0].splitlines() if line])
def test_the_pages_commands_run_every_author_charm_test_and_all_pass(author_charm, author_venv, line):
    proc = run(author_charm, line, author_venv)
    args = line.split()[3:]
    (target,) = args or author_testpaths()
    expected = sum(count_tests(os.path.join(CHARM, target, name))
                   for name in os.listdir(os.path.join(CHARM, target))
                   if name.startswith("test_") and name.endswith(".py"))
    assert proc.returncode == 0, proc.stdout
    assert expected and summary(proc.stdout) == {"passed": expected}, proc.stdout


def test_without_the_patch_module_lines_every_unit_test_errors(author_charm, author_venv, tmp_path):
    """Why the page's conftest has them (the issue's charm author met this)."""
    copy = shutil.copytree(author_charm, str(tmp_path / "author-charm"), symlinks=True)
    path = os.path.join(copy, "tests", "unit", "conftest.py")
    text = read(path)
    for module in ("hookenv", "unitdata"):
        line = f'patch_module("charmhelpers.core.{module}")\n'
        assert line in text
        text = text.replace(line, "")
    with open(path, "w") as f:
        f.write(text)
    proc = run(copy, "python -m pytest tests/unit", author_venv)
    expected = count_tests(os.path.join(CHARM, "tests", "unit", "test_handlers.py"))
    assert proc.returncode != 0 and summary(proc.stdout).get("errors") == expected, proc.stdout


def test_the_installed_plugin_is_found_with_no_conftest_line_nor_pythonpath(author_charm, author_venv):
    """The author's pytest loads jujusim from the copy the page's line installed into the
    author's venv (not this checkout, not editable), by its entry point alone."""
    import configparser

    ini = configparser.ConfigParser()
    ini.read(os.path.join(author_charm, "pytest.ini"))
    assert "pythonpath" not in ini["pytest"]
    assert not os.path.exists(os.path.join(author_charm, "tests", "conftest.py"))
    probe = ("import importlib.metadata as m, jujusim, jujusim.driver as d, os; "
             "print(jujusim.__file__); print(m.version('pytest-jujusim')); "
             "print(sorted(os.listdir(d.tool_dir())))")
    python = os.path.join(author_venv, "bin", "python")
    out = subprocess.run([python, "-c", probe], cwd=author_charm, env=author_env(author_venv),
                         stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()
    assert out[0].startswith(os.path.join(author_venv, "lib")), out
    assert "site-packages" in out[0]
    from jujusim import __version__, tools

    assert out[1] == __version__
    assert set(tools.TOOLS) | {"hook-tool"} == set(ast.literal_eval(out[2]))
    # pytest's header names the plugin it loaded from the entry point
    header = subprocess.run([python, "-m", "pytest", "--co", "-p", "no:cacheprovider", "tests/harness"],
                            cwd=author_charm, env=author_env(author_venv), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=300)
    assert header.returncode == 0, header.stdout
    assert re.search(r"^plugins:.*\bjujusim-" + re.escape(__version__), header.stdout, re.M), header.stdout


def test_pytest_ini_runs_the_harness_tests_only():
    """A bare ``python -m pytest`` collects neither the submodule's tests nor the unit tests."""
    assert author_testpaths() == ["tests/harness"]


def test_harness_and_unit_tests_in_one_process_fail_saying_why(author_charm, author_venv):
    """charms.unit_test's mocks and the harness in one process: every harness test fails with
    the plugin's sentence (no build, no hook run), the unit tests still pass."""
    from jujusim import plugin

    proc = run(author_charm, "python -m pytest tests", author_venv)
    harness = count_tests(os.path.join(CHARM, "tests", "harness", "test_author_charm.py"))
    unit = count_tests(os.path.join(CHARM, "tests", "unit", "test_handlers.py"))
    assert summary(proc.stdout) == {"passed": unit, "errors": harness}, proc.stdout
    sentence = plugin.MOCKED.format(module="charms.reactive")
    assert proc.stdout.count(sentence) >= harness, proc.stdout


def test_the_pages_unit_test_example_runs_as_it_is(author_charm, author_venv, tmp_path):
    """The page's unit-test block, alone in the charm's tests/unit/test_handlers.py, passes."""
    copy = shutil.copytree(author_charm, str(tmp_path / "author-charm"), symlinks=True)
    (block,) = blocks("unit-example")
    with open(os.path.join(copy, "tests", "unit", "test_handlers.py"), "w") as f:
        f.write(block)
    proc = run(copy, "python -m pytest tests/unit", author_venv)
    assert proc.returncode == 0, proc.stdout
    assert summary(proc.stdout) == {"passed": count_tests(None, block)}, proc.stdout


@pytest.mark.parametrize("name", sorted(FILES))
def test_page_shows_the_author_charm_files_verbatim(name):
    assert blocks(name) == [read(CHARM, FILES[name])]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_page_examples_are_author_charm_tests_verbatim(name):
    source = read(CHARM, EXAMPLES[name])
    for block in blocks(name):
        assert block in source, block


def test_page_lists_every_fixture_the_plugin_defines():
    from jujusim import plugin

    tree = ast.parse(read(plugin.__file__))
    fixtures = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                and any("fixture" in ast.dump(d) for d in node.decorator_list)}
    assert fixtures == {"jujusim_charm", "jujusim_build", "make_unit", "juju_unit"}
    table = read(DOC)
    for name in fixtures:
        assert f"| `{name}` |" in table, name


def test_author_charm_excludes_its_test_files_from_the_built_charm():
    import yaml

    with open(os.path.join(CHARM, "layer.yaml")) as f:
        exclude = set(yaml.safe_load(f)["exclude"])
    assert {"tests", "pytest.ini", "interfaces"} <= exclude


def test_readme_links_the_testing_page():
    assert "docs/testing-your-charm.md" in read(helpers.ROOT, "README.md")
