"""End to end: the example charm built by the real charm-build carries the profiling layer, and
its profiling handlers work when run as Juju runs hooks (each hook a process of its own)."""

import json
import os

import pytest
import yaml

from kit import helpers

READY = ["active", "ready; nothing related yet"]
ADDRESS = "pyroscope-0.pyroscope-endpoints.cos.svc.cluster.local:4040"
KEY, INSECURE = "otlp_grpc_endpoint_url", "insecure"


def config_defaults():
    """The example's config.yaml defaults: what Juju's config-get returns before any change."""
    with open(os.path.join(helpers.EXAMPLE, "config.yaml")) as f:
        options = yaml.safe_load(f)["options"]
    return {name: option["default"] for name, option in options.items() if "default" in option}


@pytest.fixture
def unit(make_unit, built_charm):
    u = make_unit(charm=built_charm, runner="exec", config=config_defaults())
    u.run_hook("install")
    return u


def recent_logs(unit, hooks=3):
    """The ``(level, message)`` log lines of the unit's last ``hooks`` hooks."""
    return [log for result in unit.history[-hooks:] for log in result.logs]


def exporter_config(unit):
    """The exporter targets the example writes, or None when it has none."""
    path = os.path.join(unit.charm_dir, "profiles-exporter.yaml")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return yaml.safe_load(f)["otlp_grpc_exporters"]


def test_built_charm_contains_the_profiling_layer(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "profiling")
    files = set(os.listdir(layer))
    assert {"__init__.py", "interface.yaml", "common.py", "provides.py", "requires.py",
            "_leader_sync.py", "_many_requires.py", "_lifecycle.py"} <= files
    assert not files & {"README.md", "docs", "tests"}
    hooks = set(os.listdir(os.path.join(built_charm, "hooks")))
    for endpoint in ("send-profiles", "receive-profiles"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert f"{endpoint}-relation-{event}" in hooks
    assert os.path.exists(os.path.join(built_charm, "reactive", "demo_profiling.py"))
    with open(os.path.join(built_charm, "metadata.yaml")) as f:
        meta = yaml.safe_load(f)
    assert meta["requires"]["send-profiles"] == {"interface": "profiling"}
    assert meta["provides"]["receive-profiles"] == {"interface": "profiling"}


def test_example_sends_profiles_to_every_backend_and_stops_when_they_go(unit):
    assert unit.status == READY
    unit.relate("send-profiles", "pyroscope", units=1,
                app_data={KEY: json.dumps(ADDRESS), INSECURE: "false"})
    created, joined, changed = unit.history[-3:]
    assert not created.tool_calls("relation-get")  # no remote unit yet: nothing to read
    assert ("INFO", f"send-profiles: sending profiles to {ADDRESS}") in joined.logs
    assert exporter_config(unit) == [{"endpoint": ADDRESS, "insecure": False}]
    assert unit.status == ["active", "profiling backends: 1"]
    assert "send-profiles.changed" not in unit.flags  # the handler cleared it

    # A collector with credentials in its address: used whole, logged without the password.
    secret = "https://agent:pw-Zq8RkT3vLm@collector.example.com:4317"
    unit.relate("send-profiles", "collector", units=1,
                app_data={KEY: json.dumps(secret), INSECURE: "true"})
    assert ("INFO", f"send-profiles: sending profiles to {ADDRESS}, "
                    "https://collector.example.com:4317") in recent_logs(unit)
    assert exporter_config(unit) == [{"endpoint": ADDRESS, "insecure": False},
                                     {"endpoint": secret, "insecure": True}]

    # A third backend publishes something unusable: blocked, one warning, the others stay.
    broken = unit.relate("send-profiles", "broken", units=1, app_data={KEY: "not-json:4040"})
    warnings = [w for r in unit.history[-3:] for w in r.warnings]
    assert len(warnings) == 1 and broken in warnings[0] and KEY in warnings[0]
    state, message = unit.status
    assert state == "blocked" and message.startswith(f"send-profiles: relation {broken} (broken)")
    assert len(exporter_config(unit)) == 2

    # Everything goes away, the unusable one first: the exporter stops once the last usable
    # backend has gone (the layer sets changed for that), every flag clears, ready again.
    for rid in reversed(unit.relation_ids("send-profiles")):
        result = unit.remove_relation(rid)
        assert result.error is None
    assert ("INFO", "send-profiles: no profiling backend; stopped sending profiles") in (
        recent_logs(unit, hooks=6))
    assert exporter_config(unit) is None
    assert not {f for f in unit.flags if f.startswith("send-profiles.")}
    assert unit.status == READY
    assert unit.relation_ids("send-profiles") == []


def test_example_publishes_its_profiling_endpoint_from_config_on_the_leader(make_unit,
                                                                            built_charm):
    config = dict(config_defaults(), **{"profiling-otlp-grpc-endpoint": "demo-0.demo:4317"})
    unit = make_unit(charm=built_charm, runner="exec", leader=False, config=config)
    unit.run_hook("install")
    rid = unit.relate("receive-profiles", "my-app", units=1)
    assert "receive-profiles.joined" in unit.flags
    assert unit.local_app_data(rid) == {}  # not the leader

    result = unit.set_leader(True)  # remembered from the non-leader's call: no new call needed
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {KEY: '"demo-0.demo:4317"', INSECURE: "false"}
    assert unit.run_hook("update-status").relation_sets == []

    result = unit.set_config(**{"profiling-insecure": True})
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {KEY: '"demo-0.demo:4317"', INSECURE: "true"}

    # A blank address is refused with a message naming the argument; what was there stays.
    result = unit.set_config(**{"profiling-otlp-grpc-endpoint": "  "})
    assert result.error is None and result.relation_sets == []
    state, message = unit.status
    assert state == "blocked" and "otlp_grpc_endpoint is empty" in message

    # Emptying the address takes the published one back, and a new leader does not restore it.
    result = unit.set_config(**{"profiling-otlp-grpc-endpoint": ""})
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {}
    assert unit.status == READY
    unit.set_leader(False)
    assert unit.set_leader(True).relation_sets == []
    assert unit.local_app_data(rid) == {}
