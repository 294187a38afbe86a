"""The simulated Juju is a distribution, pytest-jujusim (pytest-jujusim/), not a path.

Its installed metadata declares the pytest plugin (a ``pytest11`` entry point) and its
version; this suite loads it the way an author's pytest does, from that entry point;
its wheel holds what an installed copy needs (no symbolic links: the hook tool
executables are made at run time); where it finds the layers to build with is settable.
"""

import ast
import importlib.metadata
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

import jujusim
from jujusim import build as jbuild
from jujusim import driver, plugin, tools
from kit import helpers

DIST = "pytest-jujusim"
PACKAGE_DIR = os.path.join(helpers.ROOT, "pytest-jujusim")


def read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


def test_distribution_declares_the_pytest11_entry_point_and_its_version():
    dist = importlib.metadata.distribution(DIST)
    points = [(ep.name, ep.value) for ep in dist.entry_points if ep.group == "pytest11"]
    # named as the module, so that an old `pytest_plugins = ["jujusim.plugin"]` is a no-op
    assert points == [("jujusim.plugin", "jujusim.plugin")]
    assert dist.version == jujusim.__version__ == "0.1.0"
    requires = {r.split(";")[0].split(">")[0].split("=")[0].strip().lower() for r in dist.requires or ()}
    # the charm's framework is the charm's, not a dependency of the harness
    assert requires == {"pytest", "pyyaml"}, requires


def test_this_suite_loads_the_plugin_from_the_entry_point_with_no_conftest_line(request):
    assert request.config.pluginmanager.get_plugin("jujusim.plugin") is plugin
    tree = ast.parse(read(helpers.TESTS, "conftest.py"))
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    assert "pytest_plugins" not in assigned
    # jujusim is the installed distribution's, not a test folder on pythonpath
    assert not os.path.exists(os.path.join(helpers.TESTS, "jujusim"))
    assert not os.path.realpath(jujusim.__file__).startswith(helpers.TESTS + os.sep)


def test_make_venv_installs_it_editable_and_follows_its_pyproject():
    makefile = read(helpers.ROOT, "Makefile")
    assert "$(STAMP): requirements.txt pytest-jujusim/pyproject.toml" in makefile
    assert "-r requirements.txt -e ./pytest-jujusim\n" in makefile


def test_requirements_hold_no_relative_path_an_author_could_not_install_from_elsewhere():
    """Authors install these pins from their submodule; pip and uv read a relative path in a
    requirements file against the current directory, not the file's."""
    lines = [line.split("#")[0].strip() for line in read(helpers.ROOT, "requirements.txt").splitlines()]
    assert not [line for line in lines if line.startswith(("-e", ".", "/"))]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    src = tmp_path_factory.mktemp("src") / "pytest-jujusim"
    # a copy: building in place would leave build/ and *.egg-info in the checkout
    shutil.copytree(PACKAGE_DIR, str(src), ignore=helpers.NOT_IN_A_CLONE)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--quiet", "--disable-pip-version-check", "-w", str(out), str(src)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    (name,) = os.listdir(str(out))
    assert name.startswith(f"pytest_jujusim-{jujusim.__version__}-"), name
    return str(out / name)


def test_the_wheel_holds_every_module_and_data_file_and_no_symlink(wheel):
    with zipfile.ZipFile(wheel) as z:
        infos = z.infolist()
        names = {i.filename for i in infos}
        entry_points = next(z.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    modules = {f"jujusim/{n}" for n in os.listdir(os.path.join(PACKAGE_DIR, "jujusim")) if n.endswith(".py")}
    assert modules | {"jujusim/hook-tool", "jujusim/hostshim/sitecustomize.py"} <= names, names
    assert not [i.filename for i in infos if stat.S_ISLNK(i.external_attr >> 16)]
    assert "[pytest11]\njujusim.plugin = jujusim.plugin" in entry_points


def test_tool_dir_links_every_tool_to_one_executable_that_finds_this_package():
    path = driver.tool_dir()
    assert driver.BIN_DIR == path == driver.tool_dir()  # once per process
    script = os.path.join(path, "hook-tool")
    assert os.stat(script).st_mode & stat.S_IXUSR
    assert f"PACKAGE_PARENT = {os.path.dirname(os.path.dirname(jujusim.__file__))!r}" in read(script)
    for name in tools.TOOLS:
        assert os.path.realpath(os.path.join(path, name)) == os.path.realpath(script), name
    assert sorted(os.listdir(path)) == sorted(set(tools.TOOLS) | {"hook-tool"})


def test_tool_dir_goes_when_the_process_that_made_it_exits():
    code = "from jujusim import driver; print(driver.tool_dir())"
    made = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                          check=True).stdout.strip()
    assert made.startswith(os.sep) and not os.path.exists(made)


@pytest.fixture
def configured(monkeypatch):
    monkeypatch.delenv(jbuild.INTERFACES_ENV, raising=False)
    monkeypatch.delenv(jbuild.LAYERS_ENV, raising=False)
    monkeypatch.setattr(jbuild, "configured", {"interfaces_dir": None, "layers_dir": None, "rootdir": None})
    return jbuild.configured


def test_layers_default_to_the_checkout_of_an_editable_install(configured):
    assert jbuild.CHECKOUT == helpers.ROOT  # make venv installs it editable from this checkout
    assert jbuild.find_interfaces_dir() == helpers.ROOT
    assert jbuild.find_layers_dir() == helpers.OFFLINE_LAYERS


def test_environment_variable_wins_over_ini_option_wins_over_checkout(configured, monkeypatch, tmp_path):
    configured["interfaces_dir"] = str(tmp_path / "ini")
    configured["layers_dir"] = str(tmp_path / "ini-layers")
    assert jbuild.find_interfaces_dir() == str(tmp_path / "ini")
    assert jbuild.find_layers_dir() == str(tmp_path / "ini-layers")
    monkeypatch.setenv(jbuild.INTERFACES_ENV, str(tmp_path / "env"))
    monkeypatch.setenv(jbuild.LAYERS_ENV, str(tmp_path / "env-layers"))
    assert jbuild.find_interfaces_dir() == str(tmp_path / "env")
    assert jbuild.find_layers_dir() == str(tmp_path / "env-layers")
    env = jbuild.offline_env(base={})
    assert env["CHARM_INTERFACES_DIR"] == str(tmp_path / "env")
    assert env["CHARM_LAYERS_DIR"] == str(tmp_path / "env-layers")


def test_an_installed_copy_finds_the_submodule_of_the_rootdir_or_says_what_to_set(configured, monkeypatch,
                                                                                 tmp_path):
    monkeypatch.setattr(jbuild, "CHECKOUT", None)
    configured["rootdir"] = str(tmp_path)
    with pytest.raises(jbuild.BuildFailed, match="set JUJUSIM_INTERFACES_DIR or the jujusim_interfaces_dir"):
        jbuild.find_interfaces_dir()
    submodule = tmp_path / "interfaces" / "observability-layers"
    submodule.mkdir(parents=True)
    assert jbuild.find_interfaces_dir() == str(submodule)
    assert jbuild.find_layers_dir() == str(submodule / "tests" / "offline-layers")


def test_the_plugin_sets_the_ini_options_relative_to_the_rootdir(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\njujusim_interfaces_dir = layers\n"
                                         "jujusim_layers_dir = layers/offline\n")
    (tmp_path / "test_it.py").write_text(
        "import os\n"
        "from jujusim import build\n"
        "def test_it(pytestconfig):\n"
        "    root = str(pytestconfig.rootpath)\n"
        "    assert build.configured['interfaces_dir'] == os.path.join(root, 'layers')\n"
        "    assert build.configured['layers_dir'] == os.path.join(root, 'layers', 'offline')\n"
        "    assert build.find_interfaces_dir() == os.path.join(root, 'layers')\n")
    proc = run_pytest(tmp_path)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout


def run_pytest(where, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "JUJUSIM_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=str(where), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)


FIXTURE_TEST = "def test_it(jujusim_build, request):\n    assert callable(jujusim_build)\n"


@pytest.mark.parametrize("setup", ["conftest", "-p"])
def test_the_set_up_lines_of_before_the_package_still_work(tmp_path, setup):
    """An author's conftest with ``pytest_plugins = ["jujusim.plugin"]`` and a pytest.ini
    with the old ``pythonpath`` (issue 23, item 5: only those lines may go, none must)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\npythonpath = interfaces/observability-layers/tests\n")
    (tmp_path / "tests").mkdir()
    if setup == "conftest":
        (tmp_path / "tests" / "conftest.py").write_text('pytest_plugins = ["jujusim.plugin"]\n')
    (tmp_path / "tests" / "test_it.py").write_text(FIXTURE_TEST)
    proc = run_pytest(tmp_path, *(["-p", "jujusim.plugin"] if setup == "-p" else []), "tests")
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout


def test_without_the_plugin_the_fixtures_are_missing(tmp_path):
    """The run above passes because of the plugin: ``-p no:jujusim.plugin`` takes it away."""
    (tmp_path / "test_it.py").write_text(FIXTURE_TEST)
    proc = run_pytest(tmp_path, "-p", "no:jujusim.plugin")
    assert proc.returncode != 0 and "fixture 'jujusim_build' not found" in proc.stdout, proc.stdout


def test_the_readme_documents_every_ini_option_and_variable():
    text = read(PACKAGE_DIR, "README.md")
    for name in (plugin.INI_CHARM, plugin.INI_INTERFACES, plugin.INI_LAYERS, jbuild.INTERFACES_ENV,
                 jbuild.LAYERS_ENV, "pytest11", "-p no:jujusim.plugin",
                 "python -m pip install ./interfaces/observability-layers/pytest-jujusim"):
        assert name in text, name
