"""Fixtures: the simulated Juju, an assembled test charm, the built example charm.

The simulated Juju's fixtures are those of the harness charm authors use
(``jujusim.plugin``, docs/testing-your-charm.md), loaded as theirs are: from the
installed ``pytest-jujusim`` distribution (``pytest-jujusim/``, its ``pytest11``
entry point; ``make venv`` installs it), with no ``pytest_plugins`` line.
``make_unit`` below is the plugin's with this suite's defaults, and ``leader``
is the plugin's ``juju_unit``.
"""

import os

import pytest
from hypothesis import settings

from kit import helpers
from kit.leakcheck import LeakWatch
from registry import LAYERS


def _ram_temp_root(candidate="/dev/shm", min_free=2 << 30):
    """Where the tests' temporary directories go: a RAM file system when the machine has one
    with room (``/dev/shm``) and neither ``PYTEST_DEBUG_TEMPROOT`` nor ``TMPDIR`` names another
    place. Every hook commits the unit's sqlite database and rewrites the model's state file;
    on a disk each of those waits for the disk (tens of milliseconds), in RAM it does not."""
    if os.environ.get("PYTEST_DEBUG_TEMPROOT") or os.environ.get("TMPDIR"):
        return None
    try:
        fs = os.statvfs(candidate)
    except OSError:
        return None
    if not os.access(candidate, os.W_OK | os.X_OK) or fs.f_bavail * fs.f_frsize < min_free:
        return None
    return candidate


def pytest_configure(config):
    # tmp_path_factory reads PYTEST_DEBUG_TEMPROOT when it makes its first directory; an
    # explicit --basetemp wins over it. xdist workers run this too, each for itself.
    root = _ram_temp_root()
    if root and not config.option.basetemp:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = root

APP = "observability-demo"

# Hypothesis profiles of the fuzz tests (tests/<interface>/test_fuzz.py): "ci", the default, for
# make test (a fixed, small number of examples, the same ones every run); "fuzz" for
# make fuzz (--hypothesis-profile=fuzz: 10,000 per requires side unless FUZZ_EXAMPLES says).
settings.register_profile("ci", max_examples=25, derandomize=True, database=None,
                          print_blob=True)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES") or 10_000),
                          database=None, print_blob=True)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def layer_charms(tmp_path_factory):
    """``layer_charms(interface=None)``: the unbuilt test charm, no handlers, with every layer, or
    with the layer of ``interface`` alone (``helpers.assemble_charm``: only its endpoints);
    each assembled once per session."""
    made = {}

    def get(interface=None):
        if interface not in made:
            made[interface] = helpers.assemble_charm(
                str(tmp_path_factory.mktemp("charm") / APP), only=interface)
        return made[interface]

    return get


def layer_of(node):
    """The registered layer whose own test package holds test ``node`` (tests/<interface>/),
    or None (tests/crosslayer/ and the rest)."""
    parts = os.path.relpath(str(node.path), helpers.TESTS).split(os.sep)
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else None


@pytest.fixture
def charm_dir(request, layer_charms):
    """The unbuilt charm of in-process tests: in a layer's own test package
    (tests/<interface>/), a charm of that layer alone, as a charm that includes only it
    (every hook imports and starts one layer, not eight: several times faster); elsewhere
    (tests/crosslayer/: the contract, the lifecycle, flag and hook-cost tables) the charm
    of every layer, each hook running them all."""
    return layer_charms(layer_of(request.node))


@pytest.fixture(scope="session")
def built_charm(tmp_path_factory):
    """The example charm, built once per session by the real charm-build."""
    out = tmp_path_factory.mktemp("build")
    return helpers.build_example(str(out / "out"), str(out / "cache"))


@pytest.fixture(autouse=True)
def no_secret_leaks(monkeypatch):
    """After every test: no unit made by ``make_unit`` showed a secret it held.

    Bearer tokens and URL passwords that were ever in a unit's databags,
    config or remembered publications must not appear in any of its
    ``juju-log`` or ``status-set`` arguments or hook error texts. See
    ``kit/leakcheck.py``.
    """
    watch = LeakWatch()
    watch.patch(monkeypatch)
    yield watch
    found = [(unit.name, where, secret) for unit in watch.units for where, secret in watch.leaks(unit)]
    assert not found, f"secrets shown in logs, status or errors: {found}"


@pytest.fixture
def jujusim_charm(charm_dir):
    """The charm the harness's fixtures run unless told otherwise: ``charm_dir``."""
    return charm_dir


@pytest.fixture
def make_unit(make_unit, no_secret_leaks):
    """The harness's ``make_unit`` (``jujusim.plugin``) with this suite's defaults: units of
    ``APP``, config exactly as given (no ``config.yaml`` defaults), a copy of the charm
    only for the exec runner (hooks write into CHARM_DIR there), and each unit watched
    for secrets it shows (``no_secret_leaks``) unless made with ``watched=False`` (a test
    that checks what its unit shows itself)."""

    def make(unit=f"{APP}/0", charm=None, watched=True, **kwargs):
        kwargs.setdefault("config_defaults", False)
        kwargs.setdefault("copy_charm", kwargs.get("runner") == "exec")
        made = make_unit(charm=charm, unit=unit, charm_name=APP, **kwargs)
        return no_secret_leaks.watch(made) if watched else made

    return make


@pytest.fixture
def unit(make_unit):
    """A started unit of the layers' charm, not the leader (a module may define its own)."""
    u = make_unit()
    u.start()
    return u


@pytest.fixture
def leader(juju_unit):
    """A started unit of the layers' charm that is the leader: the harness's ``juju_unit``
    (a module may define its own)."""
    return juju_unit


@pytest.fixture(scope="session")
def import_layer(layer_charms):
    """Import ``relations.<interface>.<module>`` the way a built charm does (from hooks/)."""
    charm_dir = layer_charms()
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
