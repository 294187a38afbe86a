"""docs/building.md: its commands build a charm, and what they build is what it says.

A charm that is not the example (``examples/author-charm``) is built with a
copy of this checkout in ``interfaces/observability-layers``, by the page's
offline commands run as a shell script, with the real charm-build. The
checkout must not end up inside the built charm (the page's ``exclude``),
the layers must (``hooks/relations/<name>/``), and the offline stand-in for
layer:basic must mark the result NOT DEPLOYABLE at build time and in the
charm. The online commands and charmcraft cannot run here (no network, no
snapd): their options and keys are checked against charm-build and
charmcraft's documented requirements.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from jujusim import build as jbuild
from kit import helpers

DOC = os.path.join(helpers.ROOT, "docs", "building.md")
AUTHOR_CHARM = helpers.AUTHOR_CHARM
STANDIN = os.path.join(helpers.OFFLINE_LAYERS, "layer-basic")
SUBMODULE = helpers.SUBMODULE


def doc_block(name, lang):
    """The ``lang`` code block right after ``<!-- building:<name> -->`` in the page."""
    with open(DOC) as f:
        text = f.read()
    marker = "<!-- building:" + re.escape(name) + " -->\n```" + lang + "\n"
    match = re.search(marker + "(.*?)```", text, re.S)
    assert match, f"docs/building.md has no {lang} block marked building:{name}"
    return match.group(1)


def run_offline_commands(charm, env_extra=None):
    """The page's offline block, as a shell script run in ``charm``; returns its output."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env["CHARM_CACHE_DIR"] = os.path.join(os.path.dirname(charm), ".charm-cache")
    env.update(env_extra or {})
    proc = subprocess.run(["sh", "-e", "-c", doc_block("offline", "sh")], cwd=charm, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout
    return proc.stdout


def files_of(top):
    """Every path under ``top``, relative to it."""
    out = set()
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(root, name), top))
    return out


def author_charm_with_checkout(tmp_path, exclude=True):
    """examples/author-charm in ``tmp_path/src``, this checkout in its interfaces/ (as a
    submodule would be); ``exclude=False`` drops the page's exclude from its layer.yaml."""
    charm = helpers.author_charm_with_checkout(tmp_path / "src")
    if not exclude:
        path = os.path.join(charm, "layer.yaml")
        with open(path) as f:
            layer = yaml.safe_load(f)
        layer.pop("exclude")
        with open(path, "w") as f:
            yaml.safe_dump(layer, f)
    return charm


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """author-charm built by the page's offline commands: (built charm, charm-build output)."""
    tmp = tmp_path_factory.mktemp("building")
    charm = author_charm_with_checkout(tmp)
    output = run_offline_commands(charm)
    return os.path.join(os.path.dirname(charm), "build", "author-charm"), output


# --------------------------------------------------------------------------
# The checkout stays out, the layers go in
# --------------------------------------------------------------------------

def test_checkout_under_interfaces_is_not_shipped_in_the_built_charm(built):
    charm, _ = built
    paths = files_of(charm)
    assert paths, "nothing was built"
    assert not [p for p in paths if p.split(os.sep)[0] == "interfaces"]
    names = {os.path.basename(p) for p in paths}
    # The checkout's tests, examples, simulated Juju and its hook tools, READMEs:
    from jujusim import tools

    hook_tools = set(tools.TOOLS) | {"hook-tool"}
    assert not names & hook_tools, names & hook_tools
    assert not names & {"jujusim", "pytest-jujusim", "offline-layers", "examples", "tests", "layerlib",
                        "Makefile", "conftest.py", "interface.yaml.orig"}
    assert [p for p in paths if os.path.basename(p) == "README.md"] == ["README.md"]
    size = sum(os.path.getsize(os.path.join(charm, p)) for p in paths
               if os.path.isfile(os.path.join(charm, p)))
    assert size < 200_000, f"built charm is {size} bytes"


def test_built_charm_has_each_included_layer_in_hooks_relations(built):
    charm, _ = built
    with open(os.path.join(AUTHOR_CHARM, "metadata.yaml")) as f:
        meta = yaml.safe_load(f)
    interfaces = {spec["interface"] for role in ("provides", "requires")
                  for spec in meta.get(role, {}).values()}
    relations = os.path.join(charm, "hooks", "relations")
    assert set(os.listdir(relations)) == interfaces
    for name in interfaces:
        files = set(os.listdir(os.path.join(relations, name)))
        assert {"interface.yaml", "common.py", "provides.py", "requires.py"} <= files, name
        assert not files & {"README.md", "docs", "tests"}, name
    for endpoint in ("profiling", "tempo-api", "metrics", "profile-store"):
        assert os.path.exists(os.path.join(charm, "hooks", f"{endpoint}-relation-changed"))
    assert os.path.exists(os.path.join(charm, "reactive", "author_charm.py"))


def test_without_the_exclude_the_checkout_would_be_shipped(tmp_path):
    """The exclude is what keeps the checkout out (the assertions above can fail)."""
    charm = author_charm_with_checkout(tmp_path, exclude=False)
    run_offline_commands(charm)
    paths = files_of(str(tmp_path / "src" / "build" / "author-charm"))
    assert os.path.join(SUBMODULE, "pytest-jujusim", "jujusim", "hook-tool") in paths
    assert os.path.join(SUBMODULE, "examples", "observability-demo", "metadata.yaml") in paths


# --------------------------------------------------------------------------
# The offline stand-in says it is not deployable
# --------------------------------------------------------------------------

def read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


def test_offline_build_says_at_build_time_that_it_is_not_deployable(built):
    _, output = built
    assert "WARNING: NOT DEPLOYABLE: built with the OFFLINE TEST STAND-IN for layer:basic" in output


def test_offline_built_charm_carries_the_not_deployable_marks(built):
    charm, _ = built
    notice = read(STANDIN, "NOT-DEPLOYABLE")
    assert notice.startswith("NOT DEPLOYABLE:")
    assert read(charm, "NOT-DEPLOYABLE") == notice
    readme = read(charm, "README.md")
    assert readme.startswith(notice.rstrip("\n") + "\n")
    # ... followed by the charm's own README, not the stand-in's
    assert readme.endswith(read(AUTHOR_CHARM, "README.md"))
    assert "# Offline test stand-in for `layer:basic`" not in readme
    for hook in ("install", "metrics-relation-changed"):
        assert "NOT DEPLOYABLE" in read(charm, "hooks", hook).splitlines()[2]
    assert "standin_tactics.py" not in os.listdir(charm)


def test_offline_build_names_the_basic_options_it_ignores(tmp_path):
    """A charm with layer:basic options and no README of its own."""
    charm = tmp_path / "src" / "opts-charm"
    charm.mkdir(parents=True)
    (charm / "metadata.yaml").write_text(
        "name: opts-charm\nsummary: s\ndescription: d\nmaintainer: m <m@example.invalid>\n"
        "tags: [misc]\nseries: [jammy]\n")
    (charm / "layer.yaml").write_text(
        "includes: ['layer:basic']\nrepo: https://example.invalid/opts-charm\n"
        "options:\n  basic:\n    use_venv: true\n    packages: [jq]\n")
    built = jbuild.build_charm(str(charm), str(tmp_path / "build"))
    assert "options for layer:basic ignored by the offline stand-in: packages=['jq'], use_venv=True" \
        in built.log, built.log
    # With no README of the charm's own, the built README is the notice alone.
    assert read(built, "README.md") == read(STANDIN, "NOT-DEPLOYABLE")
    assert os.path.exists(os.path.join(built, "NOT-DEPLOYABLE"))


def test_standin_is_documented_as_a_test_stand_in():
    assert read(STANDIN, "README.md").startswith("# Offline test stand-in for `layer:basic` (not deployable)")
    assert "OFFLINE TEST STAND-IN" in read(STANDIN, "layer.yaml").splitlines()[0]
    assert "OFFLINE TEST STAND-IN" in read(STANDIN, "standin_tactics.py").splitlines()[0]
    assert "OFFLINE TEST STAND-IN" in read(STANDIN, "hooks", "hook.template").splitlines()[1]


# --------------------------------------------------------------------------
# The commands and files the page shows
# --------------------------------------------------------------------------

def charm_build_options():
    """Every option charm-build's argument parser accepts."""
    out = subprocess.run([jbuild.charm_build_executable(), "--help"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, check=True).stdout
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", out))


@pytest.mark.parametrize("block", ["online", "offline"])
def test_page_uses_only_options_charm_build_has(block):
    text = doc_block(block, "sh")
    lines = [line for line in text.replace("\\\n", " ").splitlines() if "charm-build" in line]
    assert lines, f"the {block} block runs no charm-build"
    known = charm_build_options()
    for line in lines:
        used = re.findall(r"\s(--?[A-Za-z][\w-]*)", line.split("charm-build", 1)[1])
        assert used and set(used) <= known, (line, set(used) - known)
    assert "charm build" not in text.replace("charm-build", ""), "PyPI's charm-tools has no `charm`"


def test_offline_block_sets_what_jujusim_build_sets():
    """The harness's build_charm() and the page build the same way."""
    text = doc_block("offline", "sh")
    for option in jbuild.OFFLINE_OPTIONS:
        assert option in text
    for var in ("CHARM_INTERFACES_DIR", "CHARM_LAYERS_DIR", "CHARM_HIDE_METRICS=1"):
        assert var in text
    assert "/tests/offline-layers" in text


def test_page_exclude_is_the_author_charm_exclude():
    shown = yaml.safe_load(doc_block("exclude", "yaml"))["exclude"]
    with open(os.path.join(AUTHOR_CHARM, "layer.yaml")) as f:
        assert shown == yaml.safe_load(f)["exclude"]
    assert {"interfaces", ".gitmodules", "tests", "pytest.ini"} <= set(shown)


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT, env=GIT_ENV)


#: A machine's git identity, which the page's ``git commit`` needs (and says so).
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="Charm Author", GIT_AUTHOR_EMAIL="author@example.invalid",
               GIT_COMMITTER_NAME="Charm Author", GIT_COMMITTER_EMAIL="author@example.invalid",
               GIT_CONFIG_NOSYSTEM="1", HOME=os.environ.get("HOME", "/tmp"))


def test_charmcraft_steps_work_as_written_in_a_fresh_directory(tmp_path):
    """The submodule block, as a script, in a copy of author-charm that is not a git repository
    (``$LAYERS_REPO`` a local git repository of this checkout), then the offline commands:
    the charm builds from the submodule, without the checkout, its tests or pytest.ini."""
    layers = helpers.copy_checkout(str(tmp_path / "observability-layers"))
    git("init", "-q", cwd=layers)
    git("add", "-A", cwd=layers)
    git("commit", "-q", "-m", "layers", cwd=layers)
    charm = os.path.join(str(tmp_path), "src", "author-charm")
    shutil.copytree(AUTHOR_CHARM, charm, ignore=helpers.NOT_IN_A_CLONE)
    env = dict(GIT_ENV, LAYERS_REPO=layers)
    proc = subprocess.run(["sh", "-e", "-c", doc_block("submodule", "sh")], cwd=charm, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    status = subprocess.run(["git", "submodule", "status"], cwd=charm, stdout=subprocess.PIPE,
                            text=True, check=True).stdout
    assert SUBMODULE in status and not status.startswith(("-", "+")), status
    assert os.path.exists(os.path.join(charm, SUBMODULE, "interface-prometheus-api", "interface.yaml"))
    run_offline_commands(charm)
    paths = files_of(os.path.join(os.path.dirname(charm), "build", "author-charm"))
    assert os.path.join("hooks", "relations", "prometheus_api", "requires.py") in paths
    assert not {p.split(os.sep)[0] for p in paths} & {"interfaces", "tests", "pytest.ini",
                                                        ".gitmodules", ".git"}


def test_page_charmcraft_yaml_is_the_author_charm_file_verbatim():
    assert doc_block("charmcraft.yaml", "yaml") == read(AUTHOR_CHARM, "charmcraft.yaml")


def test_charmcraft_yaml_has_what_the_reactive_plugin_needs():
    """The keys charmcraft's docs require of a platforms-based reactive charm."""
    project = yaml.safe_load(read(AUTHOR_CHARM, "charmcraft.yaml"))
    assert project["type"] == "charm"
    assert re.fullmatch(r"ubuntu@\d\d\.\d\d", project["base"])
    assert "bases" not in project  # base + platforms, or the deprecated bases: never both
    assert project["platforms"] and set(project["platforms"]) <= {
        "amd64", "arm64", "armhf", "ppc64el", "riscv64", "s390x"}
    (part,) = project["parts"].values()
    assert part["plugin"] == "reactive"
    assert part["source"] == "."
    assert "charm" in part["build-snaps"]
    env = {k: v for item in part["build-environment"] for k, v in item.items()}
    assert env["CHARM_INTERFACES_DIR"] == "$CRAFT_PROJECT_DIR/" + SUBMODULE
    # charmcraft refuses a field that is both here and in metadata.yaml
    with open(os.path.join(AUTHOR_CHARM, "metadata.yaml")) as f:
        meta = yaml.safe_load(f)
    assert not {"name", "summary", "description"} & set(project) & set(meta)


def test_page_submodule_step_adds_the_checkout_where_charmcraft_yaml_looks():
    lines = [line.split() for line in doc_block("submodule", "sh").splitlines()]
    adds = [line for line in lines if line[:1] == ["git"] and line[-4:-2] == ["submodule", "add"]]
    assert len(adds) == 1 and adds[0][-1] == SUBMODULE


def test_readme_links_the_building_page():
    assert "docs/building.md" in read(helpers.ROOT, "README.md")
