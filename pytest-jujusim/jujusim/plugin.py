"""pytest plugin: the simulated Juju as fixtures, for any reactive charm.

Installed with the ``pytest-jujusim`` distribution, pytest loads it by itself
(its ``pytest11`` entry point, named ``jujusim.plugin`` as the module is, so a
``pytest_plugins = ["jujusim.plugin"]`` line left from before changes nothing):
no ``pytest_plugins`` line, no ``pythonpath`` (docs/testing-your-charm.md walks
through a charm's tests; ``-p no:jujusim.plugin`` turns it off). The charm is named by the ``jujusim_charm``
ini option (a directory, relative to the rootdir), or by overriding the
``jujusim_charm`` fixture.

Ini options (relative to the rootdir):

* ``jujusim_charm``: the charm the fixtures run;
* ``jujusim_interfaces_dir``: the checkout of the interface layers a charm
  layer is built with (``JUJUSIM_INTERFACES_DIR`` wins over it; default: the
  checkout this package is in, else ``interfaces/observability-layers``);
* ``jujusim_layers_dir``: where ``layer:basic`` resolves, the offline test
  stand-in (``JUJUSIM_LAYERS_DIR`` wins over it; default:
  ``tests/offline-layers`` of the interface layers' checkout).

Fixtures:

* ``jujusim_charm`` (session): the charm the other fixtures run. A charm
  layer (it has a ``layer.yaml`` and no ``hooks/``) is built once per session
  with the real charm-build, offline (``jujusim.build``); a built or
  assembled charm (it has ``hooks/``) is used as it is.
* ``jujusim_build`` (session): ``build(src)`` builds another charm layer the
  same way (once per session each) and returns the built charm.
* ``make_unit``: ``make_unit(charm=None, unit=None, leader=True, config=None,
  runner="inprocess", config_defaults=True, copy_charm=True, **kwargs)``
  makes a ``jujusim.driver.Unit`` (no hook run yet) with its own state file,
  unit database and copy of the charm, so that files the charm writes into
  ``CHARM_DIR`` stay with that unit. ``unit`` defaults to ``<charm name>/0``;
  ``config`` is laid over the defaults of the charm's ``config.yaml``.
* ``juju_unit``: a started unit (install, leader-elected, config-changed,
  start) of ``jujusim_charm``, the leader.

The ``Unit`` drives Juju's hook sequences (``relate``, ``add_unit``,
``set_remote_app_data``, ``remove_unit``, ``remove_relation``,
``set_leader``, ``set_config``, ``run_hook``...) and reads what the charm did
(``flags``, ``local_app_data(rid)``, ``local_unit_data(rid)``, ``status``,
``status_history``, ``logs``, ``warnings``, ``calls``, ``kv()``); ``relate()``
returns a ``RelationId`` (a relation id string with the ``HookResult`` of each
hook it ran), every other call the ``HookResult`` of its last hook, and a hook
that fails raises ``HookFailed``. What Juju would refuse (an endpoint not in
the charm's metadata, a relation past its ``limit``, a databag value that is
not a string, ...) raises ``JujuError`` at the call (``jujusim.rules``).

The fixtures need the real charms.reactive and charmhelpers: when
charms.unit_test has replaced them with mocks in the same process (a unit-test
``conftest.py`` collected in the same run), every test that uses them fails
with one sentence saying so (``MOCKED``).
"""

import itertools
import os
import shutil
import sys
from unittest import mock

import pytest
import yaml

from . import build as jbuild
from .driver import Unit

INI_CHARM = "jujusim_charm"
INI_INTERFACES = "jujusim_interfaces_dir"
INI_LAYERS = "jujusim_layers_dir"

#: What the harness needs real, and charms.unit_test replaces with mocks.
REAL_MODULES = ("charms.reactive", "charmhelpers.core.hookenv", "charmhelpers.core.unitdata",
                "charmhelpers.core")

MOCKED = (
    "{module} is a mock in this pytest process (charms.unit_test's patch_reactive() or "
    "patch_module(), from the conftest.py of unit tests collected in the same run), and the "
    "simulated Juju runs the real charms.reactive and charmhelpers: run the harness tests and "
    "the charms.unit_test tests in separate pytest processes, e.g. `python -m pytest "
    "tests/harness` and `python -m pytest tests/unit` (docs/testing-your-charm.md)")


def mocked_module():
    """The first of ``REAL_MODULES`` that charms.unit_test replaced with a mock, or None."""
    for name in REAL_MODULES:
        if isinstance(sys.modules.get(name), mock.NonCallableMock):
            return name
    return None


def fail_if_mocked():
    """Fail the test at once, saying why, when charms.unit_test's mocks are in this process."""
    name = mocked_module()
    if name:
        pytest.fail(MOCKED.format(module=name), pytrace=False)


def pytest_addoption(parser):
    parser.addini(INI_CHARM, "the charm jujusim's fixtures run: a charm layer (built offline "
                  "once per session) or a built charm; relative to the rootdir", default="")
    parser.addini(INI_INTERFACES, "the checkout of the interface layers jujusim builds a charm "
                  f"layer with; relative to the rootdir ({jbuild.INTERFACES_ENV} wins over it)",
                  default="")
    parser.addini(INI_LAYERS, "where layer:basic resolves in jujusim's offline builds (the test "
                  f"stand-in); relative to the rootdir ({jbuild.LAYERS_ENV} wins over it)", default="")


def pytest_configure(config):
    rootdir = str(config.rootpath)
    jbuild.configured["rootdir"] = rootdir
    for key, name in (("interfaces_dir", INI_INTERFACES), ("layers_dir", INI_LAYERS)):
        value = config.getini(name)
        jbuild.configured[key] = os.path.join(rootdir, value) if value else None


def is_built(charm):
    """A charm that can run as it is: built by charm-build or assembled with ``hooks/``."""
    return os.path.isdir(os.path.join(charm, "hooks"))


def charm_metadata(charm):
    with open(os.path.join(charm, "metadata.yaml")) as f:
        return yaml.safe_load(f)


def charm_config_defaults(charm):
    """``{option: default}`` of the charm's ``config.yaml`` (what Juju's config-get starts with)."""
    path = os.path.join(charm, "config.yaml")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        options = (yaml.safe_load(f) or {}).get("options") or {}
    return {name: spec["default"] for name, spec in options.items() if "default" in spec}


@pytest.fixture(scope="session")
def jujusim_build(tmp_path_factory):
    """``build(src)``: the charm layer ``src`` built offline (once per session), its path."""
    built = {}
    fail_if_mocked()

    def build(src):
        src = os.path.realpath(str(src))
        if src not in built:
            out = tmp_path_factory.mktemp("jujusim-build")
            built[src] = jbuild.build_charm(src, str(out / "out"), cache_dir=str(out / "cache"))
        return built[src]

    return build


@pytest.fixture(scope="session")
def jujusim_charm(request, jujusim_build):
    """The charm under test: the ``jujusim_charm`` ini option, built when it is a charm layer.
    Override this fixture to return another charm directory."""
    name = request.config.getini(INI_CHARM)
    if not name:
        pytest.fail(f"no charm to run: set the `{INI_CHARM}` ini option (a charm directory) "
                    "or override the `jujusim_charm` fixture")
    charm = os.path.join(str(request.config.rootpath), name)
    return charm if is_built(charm) else jujusim_build(charm)


@pytest.fixture
def make_unit(tmp_path, jujusim_charm):
    """Factory of local units of a charm (``jujusim_charm`` unless ``charm=`` says)."""
    counter = itertools.count()
    fail_if_mocked()

    def make(charm=None, unit=None, config=None, config_defaults=True, copy_charm=True, **kwargs):
        charm = str(charm or jujusim_charm)
        workdir = tmp_path / f"unit{next(counter)}"
        name = charm_metadata(charm)["name"]
        if copy_charm:
            # As on a real machine, a unit has its own copy: hooks write into CHARM_DIR.
            charm = shutil.copytree(charm, str(workdir / "charm"), symlinks=True)
        settings = charm_config_defaults(charm) if config_defaults else {}
        settings.update(config or {})
        kwargs.setdefault("charm_name", name)
        return Unit(workdir, charm, unit=unit or f"{name}/0", config=settings, **kwargs)

    return make


@pytest.fixture
def juju_unit(make_unit):
    """A started unit of ``jujusim_charm``, the leader."""
    unit = make_unit()
    unit.start()
    return unit
