"""Fixtures: the simulated Juju, an assembled test charm, the built example charm."""

import itertools
import os
import shutil

import pytest

import helpers
from jujusim.driver import Unit

APP = "observability-demo"


@pytest.fixture(scope="session")
def charm_dir(tmp_path_factory):
    """Unbuilt charm with every layer and no handlers, for in-process layer tests."""
    return helpers.assemble_charm(str(tmp_path_factory.mktemp("charm") / APP))


@pytest.fixture(scope="session")
def built_charm(tmp_path_factory):
    """The example charm, built once per session by the real charm-build."""
    out = tmp_path_factory.mktemp("build")
    return helpers.build_example(str(out / "out"), str(out / "cache"))


@pytest.fixture
def make_unit(tmp_path, charm_dir):
    """Factory of local units (each with its own state file and unit database)."""
    counter = itertools.count()

    def make(unit=f"{APP}/0", charm=None, **kwargs):
        workdir = tmp_path / f"unit{next(counter)}"
        charm = charm or charm_dir
        if kwargs.get("runner") == "exec":
            # A unit has its own copy of the charm, as on a real machine: hooks
            # write into CHARM_DIR (charmhelpers' persistent config, for one).
            charm = shutil.copytree(charm, str(workdir / "charm"), symlinks=True)
        return Unit(workdir, charm, unit=unit, charm_name=APP, **kwargs)

    return make


@pytest.fixture(scope="session")
def import_layer(charm_dir):
    """Import ``relations.<interface>.<module>`` the way a built charm does (from hooks/)."""
    import importlib
    import sys

    def load(interface, module="common"):
        hooks = os.path.join(charm_dir, "hooks")
        sys.path.insert(0, hooks)
        try:
            return importlib.import_module(f"relations.{interface}.{module}")
        finally:
            sys.path.remove(hooks)

    return load
