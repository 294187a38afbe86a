"""parca_store provides side (the store), through whole hooks of the simulated Juju."""

import socket

import pytest

from jujusim.driver import HookFailed

EP = "parca-store-endpoint"
JOINED = EP + ".joined"
TOKEN = "s3cr3t-store-T0KEN-provides"
ADDRESS, BEARER, INSECURE = ("remote-store-address", "remote-store-bearer-token",
                             "remote-store-insecure")
WANT = {ADDRESS: "10.0.0.10:7070", INSECURE: "false"}


@pytest.fixture(autouse=True)
def token_never_in_a_hook_tool_call(tmp_path):
    """After every test: no hook tool call of any unit (logs, status, ...) carried the token."""
    yield
    for calls in tmp_path.rglob("calls.jsonl"):
        assert TOKEN not in calls.read_text(), f"the bearer token leaked into {calls}"


def publish(unit, **kwargs):
    """A hook in which a charm handler calls publish(); returns the HookResult."""
    return unit.run_hook("update-status", action=lambda e: e(EP).publish(**kwargs))


def publish_catching(unit, **kwargs):
    """Like ``publish``, but the ValueError the call raises is returned, not raised."""
    caught = {}

    def act(e):
        try:
            e(EP).publish(**kwargs)
        except ValueError as err:
            caught["error"] = err

    result = unit.run_hook("update-status", action=act)
    return result, caught.get("error")


def test_provides_leader_writes_defaults_to_every_relation(leader):
    rid1 = leader.relate(EP, "parca-agent", units=1)
    rid2 = leader.relate(EP, "other-agent", units=2)
    publish(leader)
    for rid in (rid1, rid2):
        assert leader.local_app_data(rid) == WANT
        assert leader.local_unit_data(rid) == {}


def test_provides_writes_token_port_and_insecure(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, port=7171, insecure=True, bearer_token=TOKEN)
    assert leader.local_app_data(rid) == {
        ADDRESS: "10.0.0.10:7171", INSECURE: "true", BEARER: TOKEN}


def test_provides_address_is_the_units_ingress_address_on_each_relation(leader):
    rid1 = leader.relate(EP, "parca-agent", units=1)
    rid2 = leader.relate(EP, "far-agent", units=1)
    key = rid2.split(":")[1]
    leader.edit(lambda s: s["relations"][key]["local_unit"].update(
        {"ingress-address": "192.168.7.7"}))
    publish(leader)
    assert leader.local_app_data(rid1)[ADDRESS] == "10.0.0.10:7070"
    assert leader.local_app_data(rid2)[ADDRESS] == "192.168.7.7:7070"


def test_provides_ipv6_ingress_address_is_bracketed(make_unit):
    unit = make_unit(address="fd00::7")
    unit.start()
    rid = unit.relate(EP, "parca-agent", units=1)
    publish(unit)
    assert unit.local_app_data(rid)[ADDRESS] == "[fd00::7]:7070"


def test_provides_falls_back_to_fqdn_without_an_address(make_unit, monkeypatch):
    monkeypatch.setattr(socket, "getfqdn", lambda *a: "parca-0.parca-endpoints.cos.svc")
    unit = make_unit(address=None)
    unit.start()
    rid = unit.relate(EP, "parca-agent", units=1)
    publish(unit, port=7071)
    assert unit.local_app_data(rid) == {ADDRESS: "parca-0.parca-endpoints.cos.svc:7071",
                                        INSECURE: "false"}


def test_provides_external_url_is_written_verbatim(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, external_url="https://Parca.example.com:443/store", port=7070)
    assert leader.local_app_data(rid) == {ADDRESS: "https://Parca.example.com:443/store",
                                          INSECURE: "false"}


def test_provides_relation_joining_later_gets_published_data(leader):
    publish(leader, bearer_token=TOKEN)
    rid = leader.relate(EP, "parca-agent", units=1)
    assert leader.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})
    assert JOINED in leader.flags


def test_provides_repeated_publish_costs_no_hook_tool_call(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token=TOKEN)
    result = publish(leader, bearer_token=TOKEN)
    assert result.relation_sets == []
    assert result.tool_calls("relation-get") == []
    assert result.tool_calls("is-leader") == []
    assert leader.local_app_data(rid)[BEARER] == TOKEN


def test_provides_hooks_with_nothing_new_write_nothing(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token=TOKEN, insecure=True)
    hooks = [leader.run_hook(h) for h in ("update-status", "config-changed", "leader-elected",
                                          "upgrade-charm")]
    hooks.append(leader.add_unit(rid, "parca-agent/1"))
    hooks.append(leader.set_remote_app_data(rid, {"anything": "x"}))
    hooks.append(leader.remove_unit(rid, "parca-agent/1"))
    for result in hooks:
        assert result.relation_sets == [], result.name


def test_provides_token_change_rewrites_only_the_token(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token="first-" + TOKEN)
    result = publish(leader, bearer_token=TOKEN)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})


def test_provides_dropping_the_token_removes_the_key(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token=TOKEN)
    publish(leader, bearer_token="")
    assert leader.local_app_data(rid) == WANT


@pytest.mark.parametrize("kwargs,argument", [
    ({"port": "7070"}, "port"),
    ({"port": True}, "port"),
    ({"port": 0}, "port"),
    ({"port": 65536}, "port"),
    ({"port": 7070.0}, "port"),
    ({"insecure": "false"}, "insecure"),
    ({"insecure": 1}, "insecure"),
    ({"external_url": 443}, "external_url"),
    ({"external_url": "  \t"}, "external_url"),
    ({"bearer_token": TOKEN.encode()}, "bearer_token"),
])
def test_provides_bad_argument_raises_value_error_naming_it(leader, kwargs, argument):
    rid = leader.relate(EP, "parca-agent", units=1)
    result, error = publish_catching(leader, **dict({"bearer_token": TOKEN}, **kwargs))
    assert isinstance(error, ValueError)
    assert str(error).startswith(argument + " ")
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert result.relation_sets == [] and leader.local_app_data(rid) == {}


def test_provides_port_boundaries_are_accepted(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, port=1)
    assert leader.local_app_data(rid)[ADDRESS] == "10.0.0.10:1"
    publish(leader, port=65535)
    assert leader.local_app_data(rid)[ADDRESS] == "10.0.0.10:65535"


def test_provides_uncaught_bad_argument_fails_the_hook_without_the_token(leader):
    leader.relate(EP, "parca-agent", units=1)
    with pytest.raises(HookFailed, match="port") as caught:
        publish(leader, port=-1, bearer_token=TOKEN)
    assert TOKEN not in str(caught.value)


def test_provides_non_leader_remembers_but_writes_nothing(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "parca-agent", units=1)
    result = publish(unit, bearer_token=TOKEN)
    assert result.error is None
    assert result.relation_sets == []
    assert unit.local_app_data(rid) == {}
    # ... and the unit writes it, without another call, when it becomes leader.
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})


def test_provides_unit_that_lost_leadership_stops_writing(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token=TOKEN)
    leader.set_leader(False)
    result = publish(leader, port=7171)
    assert result.error is None and result.relation_sets == []
    assert leader.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})  # the old data stays
    result = leader.set_leader(True)
    assert leader.local_app_data(rid) == {ADDRESS: "10.0.0.10:7171", INSECURE: "false"}
    assert len(result.relation_sets) == 1


def test_provides_new_leader_repairs_data_written_by_another_leader(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={
        ADDRESS: "10.9.9.9:7070", INSECURE: "true", BEARER: "old-token"}))
    leader.set_leader(True)
    assert leader.local_app_data(rid) == WANT


def test_provides_upgrade_charm_writes_remembered_data(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, bearer_token=TOKEN)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={}))
    leader.run_hook("upgrade-charm")
    assert leader.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})


def test_provides_new_address_is_published_on_config_changed(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key]["local_unit"].update(
        {"ingress-address": "10.0.0.99"}))
    result = leader.run_hook("config-changed")
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid)[ADDRESS] == "10.0.0.99:7070"


def test_provides_config_changed_rewrites_only_where_the_address_moved(leader):
    rids = [leader.relate(EP, "parca-agent", units=1), leader.relate(EP, "other-agent", units=1)]
    publish(leader)
    leader.edit(lambda s: s["relations"][rids[1].split(":")[1]]["local_unit"].update(
        {"ingress-address": "10.0.0.99"}))
    result = leader.run_hook("config-changed")
    assert [args[args.index("-r") + 1] for args in result.relation_sets] == [rids[1]]
    assert leader.local_app_data(rids[0]) == WANT
    assert leader.local_app_data(rids[1])[ADDRESS] == "10.0.0.99:7070"
    # the application databag is read where the address moved only; the unit's own once each
    reads = result.tool_calls("relation-get")
    assert sorted((args[args.index("-r") + 1], args[-1]) for args in reads) == sorted(
        [(rids[0], leader.name), (rids[1], leader.name), (rids[1], leader.app)]), reads
    again = leader.run_hook("config-changed")
    assert again.relation_sets == []
    assert [args[-1] for args in again.tool_calls("relation-get")] == [leader.name] * 2


def test_provides_config_changed_reads_nothing_with_an_external_url(leader):
    rid = leader.relate(EP, "parca-agent", units=1)
    publish(leader, external_url="parca.example.com:443")
    leader.edit(lambda s: s["relations"][rid.split(":")[1]]["local_unit"].update(
        {"ingress-address": "10.0.0.99"}))
    result = leader.run_hook("config-changed")
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []
    assert leader.local_app_data(rid)[ADDRESS] == "parca.example.com:443"


def test_provides_new_leader_publishes_its_own_address_and_config_changed_keeps_it(make_unit):
    """A leader that lost and regained leadership does not trust what it recorded before."""
    unit = make_unit(leader=True)
    unit.start()
    rid = unit.relate(EP, "parca-agent", units=1)
    publish(unit)
    unit.set_leader(False)
    unit.edit(lambda s: s["relations"][rid.split(":")[1]]["local_app"].update(
        {ADDRESS: "10.0.0.77:7070"}))  # what the other unit wrote as leader
    unit.set_leader(True)
    assert unit.local_app_data(rid) == WANT
    assert unit.run_hook("config-changed").relation_sets == []


def test_provides_joined_flag_follows_the_relations(leader):
    rid1 = leader.relate(EP, "parca-agent", units=1)
    rid2 = leader.relate(EP, "other-agent", units=1)
    assert JOINED in leader.flags
    leader.remove_relation(rid1)
    assert JOINED in leader.flags
    leader.remove_relation(rid2)
    assert JOINED not in leader.flags


def test_provides_departure_and_broken_relation_never_fail(leader):
    rid = leader.relate(EP, "parca-agent", units=2)
    publish(leader, bearer_token=TOKEN)
    assert leader.remove_unit(rid, "parca-agent/0").error is None
    assert JOINED in leader.flags
    result = leader.remove_relation(rid)
    assert result.error is None and result.relation_sets == []
    assert JOINED not in leader.flags


def test_provides_rejoined_relation_gets_data_again(leader):
    publish(leader, bearer_token=TOKEN)
    rid = leader.relate(EP, "parca-agent", units=1)
    leader.remove_relation(rid)
    rid = leader.relate(EP, "parca-agent", units=1)
    assert leader.local_app_data(rid) == dict(WANT, **{BEARER: TOKEN})


def test_provides_published_property_hides_the_token_from_repr(leader):
    publish(leader, port=7171, bearer_token=TOKEN)
    seen = {}
    leader.run_hook("update-status", action=lambda e: seen.update(p=e(EP).published))
    published = seen["p"]
    assert (published.port, published.insecure, published.bearer_token) == (7171, False, TOKEN)
    assert TOKEN not in repr(published) and TOKEN not in str(published)
    assert "<redacted>" in repr(published)
