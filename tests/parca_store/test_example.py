"""End to end: the built example charm's parca_store handlers, run as Juju runs hooks."""

import os

import pytest
import yaml

from kit import helpers

TOKEN = "s3cr3t-store-T0KEN-example"
ADDRESS, BEARER, INSECURE = ("remote-store-address", "remote-store-bearer-token",
                             "remote-store-insecure")
STORE = {ADDRESS: "parca.cos.svc:7070", BEARER: TOKEN, INSECURE: "false"}


def config_defaults():
    """The example's config.yaml defaults: what Juju's config-get returns before any change."""
    with open(os.path.join(helpers.EXAMPLE, "config.yaml")) as f:
        options = yaml.safe_load(f)["options"]
    return {name: option["default"] for name, option in options.items() if "default" in option}


@pytest.fixture(autouse=True)
def token_never_in_a_hook_tool_call(tmp_path):
    """After every test: no hook tool call of the built charm carried the token."""
    yield
    for calls in tmp_path.rglob("calls.jsonl"):
        assert TOKEN not in calls.read_text(), f"the bearer token leaked into {calls}"


@pytest.fixture
def unit(make_unit, built_charm):
    u = make_unit(charm=built_charm, runner="exec", config=config_defaults())
    u.start()
    return u


def agent_config(unit):
    """The agent settings the example writes, or None when it has none."""
    path = os.path.join(unit.charm_dir, "parca-agent-store.yaml")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return yaml.safe_load(f), os.stat(path).st_mode & 0o777


def test_example_sends_profiles_to_the_related_store(unit):
    rid = unit.relate("profiling-store", "parca", units=1)
    result = unit.set_remote_app_data(rid, STORE)
    assert result.error is None
    assert ("INFO", "profiling-store: sending profiles to parca.cos.svc:7070 "
                    "(TLS verification on, bearer token set)") in result.logs
    assert unit.status == ["active", "sending profiles to parca.cos.svc:7070"]
    assert agent_config(unit) == ({"store_address": "parca.cos.svc:7070", "insecure": False,
                                   "bearer_token": TOKEN}, 0o600)
    # the handler cleared the layer's changed flag; available stays
    assert "profiling-store.available" in unit.flags
    assert "profiling-store.changed" not in unit.flags
    assert "demo.sending-profiles" in unit.flags


def test_example_shows_an_external_url_without_its_password(unit):
    """The store's charm may give an external URL with credentials: the agent gets it whole,
    logs and status show it without the password (the suite's leak check judges too)."""
    url = "https://agent:pw-9Xq2@parca.example.com:443/"
    rid = unit.relate("profiling-store", "parca", units=1)
    result = unit.set_remote_app_data(rid, dict(STORE, **{ADDRESS: url}))
    assert ("INFO", "profiling-store: sending profiles to https://parca.example.com:443/ "
                    "(TLS verification on, bearer token set)") in result.logs
    assert unit.status == ["active", "sending profiles to https://parca.example.com:443/"]
    assert agent_config(unit)[0]["store_address"] == url


def test_example_follows_a_token_rotation(unit):
    rid = unit.relate("profiling-store", "parca", units=1, app_data=STORE)
    result = unit.set_remote_app_data(rid, {BEARER: "rotated-" + TOKEN, INSECURE: "true"})
    assert ("INFO", "profiling-store: sending profiles to parca.cos.svc:7070 "
                    "(TLS verification off, bearer token set)") in result.logs
    assert agent_config(unit)[0]["bearer_token"] == "rotated-" + TOKEN
    assert result.relation_sets == []


def test_example_stops_sending_when_the_store_departs(unit):
    rid = unit.relate("profiling-store", "parca", units=1, app_data=STORE)
    assert agent_config(unit) is not None
    result = unit.remove_unit(rid, "parca/0")
    assert result.error is None
    assert ("INFO", "profiling-store: no store; stopped sending profiles") in result.logs
    assert agent_config(unit) is None
    assert not {f for f in unit.flags if f.startswith(("profiling-store.", "demo."))}
    result = unit.remove_relation(rid)
    assert result.error is None


def test_example_resumes_after_the_store_rejoins(unit):
    rid = unit.relate("profiling-store", "parca", units=1, app_data=STORE)
    unit.remove_relation(rid)
    assert agent_config(unit) is None
    unit.relate("profiling-store", "parca", units=1, app_data=STORE)
    assert agent_config(unit)[0]["store_address"] == "parca.cos.svc:7070"
    assert "demo.sending-profiles" in unit.flags


def test_example_reports_unusable_store_data_as_blocked(unit):
    rid = unit.relate("profiling-store", "parca", units=1, app_data=STORE)
    result = unit.set_remote_app_data(rid, {INSECURE: "sometimes"})
    assert result.error is None
    state, message = unit.status
    assert state == "blocked" and INSECURE in message
    assert result.warnings != []
    assert agent_config(unit) is None  # it stopped sending to a store it cannot use


def test_example_publishes_its_store_from_config(unit):
    rid = unit.relate("parca-store-endpoint", "parca-agent", units=1)
    assert unit.local_app_data(rid) == {ADDRESS: "10.0.0.10:7070", INSECURE: "false"}
    unit.set_config(**{"parca-store-bearer-token": TOKEN, "parca-store-insecure": True})
    assert unit.local_app_data(rid) == {ADDRESS: "10.0.0.10:7070", INSECURE: "true",
                                        BEARER: TOKEN}
    unit.set_config(**{"parca-store-external-url": "parca.example.com:443"})
    assert unit.local_app_data(rid)[ADDRESS] == "parca.example.com:443"
    result = unit.run_hook("update-status")
    assert result.relation_sets == []


def test_example_blocks_on_a_bad_port_in_config(unit):
    rid = unit.relate("parca-store-endpoint", "parca-agent", units=1)
    result = unit.set_config(**{"parca-store-port": 70000, "parca-store-bearer-token": TOKEN})
    assert result.error is None
    state, message = unit.status
    assert state == "blocked" and "port" in message and TOKEN not in message
    assert unit.local_app_data(rid) == {ADDRESS: "10.0.0.10:7070", INSECURE: "false"}


def test_built_charm_has_the_parca_store_layer_and_hooks(built_charm):
    layer = os.path.join(built_charm, "hooks", "relations", "parca_store")
    assert {"common.py", "provides.py", "requires.py"} <= set(os.listdir(layer))
    assert "README.md" not in os.listdir(layer)
    for endpoint in ("profiling-store", "parca-store-endpoint"):
        for event in ("created", "joined", "changed", "departed", "broken"):
            assert os.access(os.path.join(built_charm, "hooks",
                                          f"{endpoint}-relation-{event}"), os.X_OK)
    assert os.path.exists(os.path.join(built_charm, "reactive", "demo_parca_store.py"))
