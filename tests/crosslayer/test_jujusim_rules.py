"""The simulated Juju refuses what Juju refuses, at the call, in Juju's words (jujusim.rules),
and its calls return what the hooks they ran did.

The test charm is the example's metadata: ``metrics-api`` (requires, prometheus_api,
``limit: 1``), ``cos-agent`` (provides, cos_agent, ``limit: 1``), ``cos-agent-collector``
(requires, cos_agent, ``scope: container``), ``traces-api`` (requires, no limit), ...
"""

import os

import pytest

from jujusim.driver import JujuError, RelationId, Unit

MIMIR = {"direct_url": "http://mimir:8080/prometheus"}


@pytest.fixture
def unit(make_unit):
    u = make_unit()
    u.start()
    return u


def refused(unit, call, *args, match, **kwargs):
    """``call`` raises ``JujuError`` matching ``match``, before any hook and with the model
    as it was."""
    before, hooks = unit.state["relations"], len(unit.history)
    with pytest.raises(JujuError, match=match):
        call(*args, **kwargs)
    assert unit.state["relations"] == before and len(unit.history) == hooks


# --------------------------------------------------------------------------
# Juju's rules
# --------------------------------------------------------------------------

def test_an_interface_name_for_an_endpoint_is_refused_and_the_endpoints_named(unit):
    refused(unit, unit.relate, "cos_agent", "opentelemetry-collector",
            match=r'application "observability-demo" has no "cos_agent" relation \("cos_agent" '
                  r"is the interface of its endpoint cos-agent, cos-agent-collector")


def test_an_endpoint_the_charm_does_not_have_is_refused_with_the_ones_it_has(unit):
    refused(unit, unit.add_relation, "metrics", "mimir",
            match=r'has no "metrics" relation \(its endpoints: .*metrics-api')


def test_another_interface_on_the_remote_side_does_not_relate(unit):
    refused(unit, unit.relate, "metrics-api", "tempo", interface="tempo_api",
            remote_endpoint="tempo-api",
            match=r'^cannot add relation "observability-demo:metrics-api tempo:tempo-api": '
                  r'endpoints do not relate')
    assert unit.relate("metrics-api", "mimir", interface="prometheus_api")


def test_a_relation_past_the_endpoints_limit_is_refused_in_jujus_words(unit):
    unit.relate("metrics-api", "mimir", app_data=MIMIR)
    refused(unit, unit.relate, "metrics-api", "prometheus",
            match=r'^cannot add relation "observability-demo:metrics-api prometheus": '
                  r"establishing a new relation for observability-demo:metrics-api would exceed "
                  r"its maximum relation limit of 1 \(quota limit exceeded\)$")


def test_a_controller_before_2_8_does_not_enforce_the_limit(make_unit):
    unit = make_unit(enforces_limits=False)
    unit.relate("metrics-api", "mimir")
    assert unit.relate("metrics-api", "prometheus")


def test_the_same_relation_twice_already_exists(unit):
    unit.relate("traces-api", "tempo")
    refused(unit, unit.relate, "traces-api", "tempo", match="relation .* already exists")


def test_a_container_scoped_relation_between_two_principals_is_refused(unit):
    refused(unit, unit.relate, "cos-agent-collector", "workload",
            match="container scoped relation requires at least one subordinate application")


def test_a_container_scoped_relation_has_one_remote_unit(make_unit):
    collector = make_unit(unit="opentelemetry-collector/0", subordinate=True)
    collector.start()
    refused(collector, collector.relate, "cos-agent-collector", "workload", units=2,
            match=r"container-scoped: .* workload/0 is already there; Juju never adds workload/1")
    rid = collector.relate("cos-agent-collector", "workload", units=1)
    refused(collector, collector.add_unit, rid, "workload/1", match="container-scoped")


def test_a_subordinate_remote_application_comes_with_one_unit(unit):
    refused(unit, unit.relate, "cos-agent", "opentelemetry-collector", units=2,
            remote_subordinate=True, match="container-scoped")
    rid = unit.relate("cos-agent", "opentelemetry-collector", remote_subordinate=True)
    assert unit.relation(rid)["scope"] == "container"


def test_a_subordinate_units_principal_is_the_unit_of_its_container_relation(make_unit):
    collector = make_unit(unit="opentelemetry-collector/0", subordinate=True)
    seen = {}
    collector.relate("cos-agent-collector", "workload", units=["workload/3"])
    collector.run_hook("update-status",
                       action=lambda _: seen.update(p=os.environ["JUJU_PRINCIPAL_UNIT"]))
    assert seen["p"] == "workload/3"


def test_a_subordinate_charm_without_a_container_scoped_requires_is_refused(tmp_path):
    charm = tmp_path / "charm"
    charm.mkdir()
    (charm / "metadata.yaml").write_text(
        "name: sub\nsubordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n")
    with pytest.raises(JujuError, match='^subordinate charm "sub" lacks "requires" relation '
                                        'with container scope$'):
        Unit(tmp_path / "unit", charm, unit="sub/0")
    (charm / "metadata.yaml").write_text(
        "name: sub\nsubordinate: true\nrequires:\n  juju-info:\n    interface: juju-info\n"
        "    scope: container\n")
    assert Unit(tmp_path / "unit", charm, unit="sub/0").subordinate


@pytest.mark.parametrize("call", ["relate-app", "relate-unit", "add_unit", "set_app", "set_unit"])
def test_databag_values_that_are_not_strings_are_refused(unit, call):
    rid = unit.relate("traces-api", "tempo")
    calls = {
        "relate-app": lambda: unit.relate("profiling-targets", "app", app_data={"insecure": True}),
        "relate-unit": lambda: unit.relate("profiling-targets", "app",
                                           unit_data={"app/0": {"insecure": True}}),
        "add_unit": lambda: unit.add_unit(rid, "tempo/1", {"insecure": True}),
        "set_app": lambda: unit.set_remote_app_data(rid, {"insecure": True}),
        "set_unit": lambda: unit.set_remote_unit_data(rid, "tempo/0", {"insecure": True}),
    }
    refused(unit, calls[call], match=r"\['insecure'\] is True \(bool\), not a string: Juju "
                                     "relation data holds only strings")


def test_databag_keys_that_are_not_strings_are_refused(unit):
    rid = unit.relate("traces-api", "tempo")
    refused(unit, unit.set_remote_app_data, rid, {1: "x"}, match="key 1 is not a string")


def test_none_deletes_a_key_where_juju_deletes_it(unit):
    rid = unit.relate("traces-api", "tempo", app_data={"a": "1", "b": "2"})
    unit.set_remote_app_data(rid, {"a": None, "b": ""})
    assert unit.relation(rid)["app"] == {}


def test_data_for_a_unit_not_in_the_relation_is_refused(unit):
    rid = unit.relate("traces-api", "tempo", units=1)
    refused(unit, unit.set_remote_unit_data, rid, "tempo/7", {"k": "v"},
            match=r"unit tempo/7 is not in relation traces-api:\d+ \(its remote units: tempo/0\)")
    refused(unit, unit.remove_unit, rid, "tempo/7", match="not in relation")


def test_a_unit_of_another_application_does_not_join(unit):
    rid = unit.relate("traces-api", "tempo", units=1)
    refused(unit, unit.add_unit, rid, "grafana/0", match="is not a unit of tempo")
    refused(unit, unit.add_unit, rid, "tempo/0", match="already in relation")
    refused(unit, unit.relate, "profiling-targets", "app", unit_data={"other/0": {}},
            match="unit_data has data for other/0")


def test_a_relation_not_in_the_model_is_named_with_those_that_are(unit):
    rid = unit.relate("traces-api", "tempo")
    refused(unit, unit.set_remote_app_data, "traces-api:99", {"k": "v"},
            match=rf"relation traces-api:99 not found \(relations in the model: {rid}\)")


def test_a_peer_unit_joins_only_a_peer_endpoint_the_charm_has(unit):
    """The example charm has no peer endpoint: add_peer() names that, and changes nothing."""
    refused(unit, unit.add_peer, "observability-demo/1",
            match=r'application "observability-demo" has no peer relation "None" '
                  r"\(its peer endpoints: none\)")


def test_an_invalid_application_name_is_refused(unit):
    refused(unit, unit.relate, "traces-api", "Tempo_2", match="not a valid application name")


# --------------------------------------------------------------------------
# What the calls return
# --------------------------------------------------------------------------

def warn_on_changed(_):
    from charmhelpers.core import hookenv

    if hookenv.hook_name().endswith("-changed"):
        hookenv.log("seen " + hookenv.remote_unit(), level=hookenv.WARNING)
        hookenv.status_set("active", "seen " + hookenv.remote_unit())


def test_relate_returns_the_relation_id_and_what_each_hook_did(unit):
    rid = unit.relate("traces-api", "tempo", units=2, action=warn_on_changed)
    assert isinstance(rid, RelationId) and isinstance(rid, str)
    assert rid == f"traces-api:{rid.id}" and rid.endpoint == "traces-api"
    assert unit.relation(rid)["remote_app"] == "tempo"  # works wherever an id does
    assert [h.name for h in rid.hooks] == [
        "traces-api-relation-created", "traces-api-relation-joined",
        "traces-api-relation-changed", "traces-api-relation-joined",
        "traces-api-relation-changed"]
    assert rid.warnings == ["seen tempo/0", "seen tempo/1"]
    assert [h.status for h in rid.hooks][2] == ["active", "seen tempo/0"]
    assert rid.status == unit.status == ["active", "seen tempo/1"]
    assert "traces-api.joined" in rid.flags and "traces-api.joined" not in rid.hooks[0].flags


def test_multi_hook_calls_return_their_last_hook_with_every_hook(unit):
    rid = unit.relate("traces-api", "tempo", units=1)
    added = unit.add_unit(rid, "tempo/1")
    assert [h.name for h in added.hooks] == ["traces-api-relation-joined",
                                            "traces-api-relation-changed"]
    assert added is added.hooks[-1]
    removed = unit.remove_relation(rid)
    assert [h.name for h in removed.hooks] == ["traces-api-relation-departed"] * 2 + [
        "traces-api-relation-broken"]
    assert "traces-api.joined" in removed.hooks[0].flags and "traces-api.joined" not in removed.flags


def test_the_unit_keeps_its_status_history(unit):
    def status(state, message):
        from charmhelpers.core import hookenv

        return lambda _: hookenv.status_set(state, message)

    unit.run_hook("update-status", action=status("waiting", "a"))
    result = unit.run_hook("update-status", action=status("active", "b"))
    assert unit.status_history[-2:] == [["waiting", "a"], ["active", "b"]]
    assert result.statuses == [["active", "b"]] and result.status == ["active", "b"]


def test_model_name_uuid_and_remote_addresses_are_the_tests_to_set(make_unit):
    unit = make_unit(model_name="prod", model_uuid="12345678-0000-4000-8000-000000000000")
    seen = {}

    def look(_):
        from charmhelpers.core import hookenv

        seen.update(model=(os.environ["JUJU_MODEL_NAME"], os.environ["JUJU_MODEL_UUID"]),
                    address=hookenv.relation_get("ingress-address", unit="tempo/0"))

    rid = unit.relate("traces-api", "tempo", units=1, addresses={"tempo/0": "192.0.2.7"})
    unit.run_hook("traces-api-relation-changed", rid=rid, remote_unit="tempo/0", action=look)
    assert seen == {"model": ("prod", "12345678-0000-4000-8000-000000000000"),
                    "address": "192.0.2.7"}
