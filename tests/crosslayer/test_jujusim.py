"""The simulated Juju itself: its tools keep Juju's rules, as executables and in-process."""

import json
import os
import subprocess

import pytest

from jujusim import state as st
from jujusim import tools
from jujusim.driver import BIN_DIR, HookFailed
from kit import helpers


@pytest.fixture
def unit(make_unit):
    u = make_unit(leader=True)
    return u


def tool_env(unit, **extra):
    env = dict(os.environ)
    env.update({"JUJU_SIM_STATE": unit.state_path, "JUJU_SIM_CALLS": unit.calls_path,
                "JUJU_UNIT_NAME": unit.name, "JUJU_HOOK_NAME": "test"})
    env.update(extra)
    return env


def run_tool(unit, *argv, **extra):
    """Run a simulated tool as an executable, as a hook would."""
    proc = subprocess.run([os.path.join(BIN_DIR, argv[0])] + list(argv[1:]),
                          env=tool_env(unit, **extra), capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def test_executable_tools_answer_from_the_state_file(unit):
    rid = unit.add_relation("metrics-api", "mimir", app_data={"direct_url": "http://m/"})
    code, out, _ = run_tool(unit, "relation-ids", "--format=json", "metrics-api")
    assert (code, json.loads(out)) == (0, [rid])
    code, out, _ = run_tool(unit, "relation-get", "--format=json", "--app", "-r", rid, "-", "mimir")
    assert json.loads(out) == {"direct_url": "http://m/"}
    code, out, _ = run_tool(unit, "is-leader", "--format=json")
    assert json.loads(out) is True


def test_every_tool_call_is_recorded_with_its_arguments(unit):
    run_tool(unit, "juju-log", "-l", "WARNING", "hello")
    run_tool(unit, "status-set", "active", "ready")
    assert unit.calls[-2:] == [
        {"hook": "test", "tool": "juju-log", "args": ["-l", "WARNING", "hello"]},
        {"hook": "test", "tool": "status-set", "args": ["active", "ready"]},
    ]


def test_relation_set_accepts_a_yaml_file_and_empty_value_deletes(unit, tmp_path):
    rid = unit.add_relation("prometheus-api", "grafana")
    settings = tmp_path / "s.yaml"
    settings.write_text("a: '1'\nb: two\n")
    assert run_tool(unit, "relation-set", "-r", rid, "--file", str(settings))[0] == 0
    assert run_tool(unit, "relation-set", "-r", rid, "a=")[0] == 0
    _, out, _ = run_tool(unit, "relation-get", "--format=json", "-r", rid, "-", unit.name)
    assert json.loads(out)["b"] == "two" and "a" not in json.loads(out)


def test_non_leader_may_not_read_or_write_its_application_databag(make_unit):
    unit = make_unit(leader=False)
    rid = unit.add_relation("prometheus-api", "grafana")
    code, _, err = run_tool(unit, "relation-set", "--app", "-r", rid, "k=v")
    assert code == 1 and "permission denied" in err
    code, _, err = run_tool(unit, "relation-get", "--format=json", "--app", "-r", rid, "-",
                            unit.app)
    assert code == 1 and "permission denied" in err
    code, _, _ = run_tool(unit, "leader-set", "k=v")
    assert code == 1


def test_writes_become_visible_when_the_hook_succeeds(unit):
    rid = unit.add_relation("prometheus-api", "grafana")

    def write(_):
        from charmhelpers.core import hookenv
        hookenv.relation_set(rid, {"k": "v"}, app=True)
        # the writing unit sees its own write at once ...
        assert hookenv.relation_get(app=unit.app, rid=rid)["k"] == "v"
        # ... the other side only once the hook has finished
        assert unit.local_app_data(rid) == {}

    unit.run_hook("update-status", action=write)
    assert unit.local_app_data(rid) == {"k": "v"}


def test_writes_of_a_failed_hook_are_dropped(unit):
    rid = unit.add_relation("prometheus-api", "grafana")

    def write_then_fail(_):
        from charmhelpers.core import hookenv
        hookenv.relation_set(rid, {"k": "v"}, app=True)
        raise RuntimeError("boom")

    with pytest.raises(HookFailed, match="boom"):
        unit.run_hook("update-status", action=write_then_fail)
    assert unit.local_app_data(rid) == {}


def test_flags_persist_from_hook_to_hook(unit):
    from charms.reactive import set_flag

    unit.run_hook("install", action=lambda _: set_flag("demo.installed"))
    unit.run_hook("update-status")
    assert "demo.installed" in unit.flags


def test_juju_adds_address_keys_to_every_unit_databag(unit):
    rid = unit.add_relation("metrics-api", "mimir")
    unit.edit(lambda s: s["relations"][rid.split(":")[1]]["units"].update(
        {"mimir/0": st.juju_address_keys("10.9.9.9")}))
    _, out, _ = run_tool(unit, "relation-get", "--format=json", "-r", rid, "-", "mimir/0")
    assert set(json.loads(out)) == set(st.JUJU_ADDRESS_KEYS)
    assert set(unit.local_unit_data(rid, juju_keys=True)) == set(st.JUJU_ADDRESS_KEYS)


def test_departing_unit_is_not_listed_but_still_readable(unit):
    rid = unit.add_relation("metrics-api", "mimir")
    seen = {}

    def look(_):
        from charmhelpers.core import hookenv
        seen["units"] = hookenv.related_units(rid)
        seen["data"] = hookenv.relation_get(unit="mimir/1", rid=rid)

    unit.add_unit(rid, "mimir/0")
    unit.add_unit(rid, "mimir/1", {"k": "v"})
    unit.edit(lambda s: s["relations"][rid.split(":")[1]]["departing"].update(
        {"mimir/1": s["relations"][rid.split(":")[1]]["units"].pop("mimir/1")}))
    unit.run_hook("metrics-api-relation-departed", rid=rid, remote_unit="mimir/1",
                  departing="mimir/1", action=look)
    assert seen["units"] == ["mimir/0"] and seen["data"]["k"] == "v"


def test_unknown_tool_option_is_an_error(unit):
    code, _, err = tools.run(["relation-get", "--bogus"], env=tool_env(unit))
    assert code == 2 and "not defined" in err


@pytest.mark.parametrize("old_juju", [False, True])
def test_broken_relation_is_listed_only_by_juju_before_3_4(make_unit, old_juju):
    unit = make_unit(lists_broken_relations=old_juju)
    rid = unit.relate("metrics-api", "mimir", units=1)
    seen = {}

    def look(_):
        from charmhelpers.core import hookenv
        seen["ids"] = hookenv.relation_ids("metrics-api")

    unit.remove_unit(rid, "mimir/0")
    unit.edit(lambda s: s["relations"][rid.split(":")[1]].update(broken=True))
    unit.run_hook("metrics-api-relation-broken", rid=rid, action=look)
    assert seen["ids"] == ([rid] if old_juju else [])


# --------------------------------------------------------------------------
# The pytest plugin (jujusim.plugin): what it adds to the Unit it makes
# --------------------------------------------------------------------------

def test_plugin_lays_the_given_config_over_the_charm_config_yaml_defaults(make_unit):
    unit = make_unit(config_defaults=True, config={"profiling-ports": "7070,7071"})
    config = unit.state["config"]
    assert config["profiling-ports"] == "7070,7071"
    assert config["parca-store-port"] == 7070 and config["prometheus-direct-url"] == ""
    assert make_unit(config={"profiling-ports": "1"}).state["config"] == {"profiling-ports": "1"}


def test_plugin_gives_each_unit_its_own_copy_of_the_charm(make_unit, charm_dir):
    first, second = make_unit(copy_charm=True), make_unit(copy_charm=True)
    assert len({first.charm_dir, second.charm_dir, charm_dir}) == 3
    for unit in (first, second):
        assert sorted(os.listdir(os.path.join(unit.charm_dir, "hooks", "relations"))) == \
            sorted(os.listdir(os.path.join(charm_dir, "hooks", "relations")))
    assert make_unit().charm_dir == charm_dir  # this suite's default: shared, in-process


def test_plugin_builds_a_charm_layer_and_uses_a_built_charm_as_it_is(jujusim_build, built_charm):
    from jujusim import plugin

    assert plugin.is_built(built_charm)
    layer = helpers.AUTHOR_CHARM
    assert not plugin.is_built(layer)
    built = jujusim_build(layer)
    assert plugin.is_built(built) and os.path.exists(os.path.join(built, "NOT-DEPLOYABLE"))
    assert jujusim_build(layer) == built  # once per session


def test_unit_collects_the_logs_of_every_hook(make_unit):
    unit = make_unit()
    unit.start()

    def warn(_):
        from charmhelpers.core import hookenv

        hookenv.log("careful", level=hookenv.WARNING)

    unit.run_hook("update-status", action=warn)
    assert ("WARNING", "careful") in unit.logs and unit.warnings[-1] == "careful"
    assert len(unit.logs) >= len(unit.history[-1].logs)
