"""profiling provides side (the profiling backend), through whole hooks of the simulated Juju."""

import json

import pytest

from jujusim.driver import HookFailed

EP = "receive-profiles"
JOINED = EP + ".joined"
ADDRESS = "pyroscope-0.pyroscope-endpoints.cos.svc.cluster.local:4040"
WANT = {"otlp_grpc_endpoint_url": json.dumps(ADDRESS), "insecure": "false"}


def publish(unit, *args, **kwargs):
    """A hook in which a charm handler calls publish_endpoint(); returns the HookResult."""
    return unit.run_hook("update-status",
                         action=lambda e: e(EP).publish_endpoint(*args, **kwargs))


def unpublish(unit):
    return unit.run_hook("update-status", action=lambda e: e(EP).unpublish())


def published(unit):
    seen = {}
    unit.run_hook("update-status", action=lambda e: seen.update(p=e(EP).published))
    return seen["p"]


def test_provides_leader_writes_both_keys_json_encoded_to_every_relation(leader):
    rid1 = leader.relate(EP, "opentelemetry-collector", units=1)
    rid2 = leader.relate(EP, "my-app", units=2)
    result = publish(leader, ADDRESS)
    assert len(result.relation_sets) == 2
    for rid in (rid1, rid2):
        assert leader.local_app_data(rid) == WANT
        assert leader.local_unit_data(rid) == {}


@pytest.mark.parametrize("insecure,written", [
    (True, "true"), (False, "false"), (1, "true"), (0.0, "false"), ("yes", "true"),
    ("OFF", "false"), ("t", "true"), ("0", "false"),
])
def test_provides_writes_insecure_as_the_json_boolean_upstream_makes_of_it(leader, insecure,
                                                                          written):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS, insecure=insecure)
    assert leader.local_app_data(rid) == dict(WANT, insecure=written)


def test_provides_keeps_the_endpoint_verbatim(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, "HTTPS://Pyroscope.Example.com:443/x")
    assert leader.local_app_data(rid)["otlp_grpc_endpoint_url"] == (
        '"HTTPS://Pyroscope.Example.com:443/x"')


def test_provides_relation_joining_later_gets_published_data(leader):
    publish(leader, ADDRESS)
    rid = leader.relate(EP, "my-app", units=1)
    assert leader.local_app_data(rid) == WANT
    assert JOINED in leader.flags


def test_provides_repeated_publish_makes_no_hook_tool_call(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    for again in (publish(leader, ADDRESS), publish(leader, ADDRESS, insecure="false"),
                  publish(leader, ADDRESS, insecure=0)):
        assert again.relation_sets == [] and again.tool_calls("relation-get") == []
        assert again.tool_calls("is-leader") == []
    assert leader.local_app_data(rid) == WANT


def test_provides_hooks_with_nothing_new_write_nothing(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    hooks = [leader.run_hook(h) for h in ("update-status", "config-changed", "leader-elected",
                                          "upgrade-charm")]
    hooks.append(leader.add_unit(rid, "my-app/1"))
    hooks.append(leader.set_remote_app_data(rid, {"anything": "x"}))
    hooks.append(leader.set_remote_unit_data(rid, "my-app/0", {"anything": "y"}))
    hooks.append(leader.remove_unit(rid, "my-app/1"))
    for result in hooks:
        assert result.relation_sets == [], result.name


def test_provides_changed_insecure_is_one_write_per_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(2)]
    publish(leader, ADDRESS)
    result = publish(leader, ADDRESS, insecure=True)
    assert len(result.relation_sets) == 2
    for rid in rids:
        assert leader.local_app_data(rid) == dict(WANT, insecure="true")


def test_provides_leaves_keys_that_are_not_its_own_alone(leader):
    rid = leader.relate(EP, "my-app", units=1)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={"colour": "blue"}))
    publish(leader, ADDRESS)
    assert leader.local_app_data(rid) == dict(WANT, colour="blue")


@pytest.mark.parametrize("args,kwargs,argument", [
    ((4040,), {}, "otlp_grpc_endpoint"),
    ((None,), {}, "otlp_grpc_endpoint"),
    ((b"host:4040",), {}, "otlp_grpc_endpoint"),
    (("",), {}, "otlp_grpc_endpoint"),
    (("  ",), {}, "otlp_grpc_endpoint"),
    ((ADDRESS,), {"insecure": None}, "insecure"),
    ((ADDRESS,), {"insecure": 2}, "insecure"),
    ((ADDRESS,), {"insecure": "maybe"}, "insecure"),
    ((ADDRESS,), {"insecure": " true"}, "insecure"),
    ((ADDRESS,), {"insecure": ""}, "insecure"),
])
def test_provides_bad_argument_raises_value_error_naming_it_and_writes_nothing(
        leader, args, kwargs, argument):
    rid = leader.relate(EP, "my-app", units=1)
    caught = {}

    def act(e):
        try:
            e(EP).publish_endpoint(*args, **kwargs)
        except ValueError as err:
            caught["error"] = err

    result = leader.run_hook("update-status", action=act)
    assert str(caught["error"]).startswith(argument + " ")
    assert result.relation_sets == [] and leader.local_app_data(rid) == {}


def test_provides_bad_argument_keeps_what_was_published_before(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    with pytest.raises(HookFailed, match="insecure"):
        publish(leader, "other:4040", insecure="maybe")
    assert leader.local_app_data(rid) == WANT
    assert published(leader).otlp_grpc == ADDRESS


def test_provides_non_leader_remembers_but_writes_nothing_and_does_not_raise(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "my-app", units=1)
    result = publish(unit, ADDRESS)
    assert result.error is None and result.relation_sets == []
    assert unit.local_app_data(rid) == {}
    # ... and the unit writes it, without another call, when it becomes leader.
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == WANT


def test_provides_unit_that_lost_leadership_stops_writing(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    leader.set_leader(False)
    result = publish(leader, "pyroscope-1:4040", insecure=True)
    assert result.error is None and result.relation_sets == []
    assert leader.local_app_data(rid) == WANT  # what the old leader wrote stays
    result = leader.set_leader(True)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == {"otlp_grpc_endpoint_url": '"pyroscope-1:4040"',
                                          "insecure": "true"}


def test_provides_new_leader_repairs_data_written_by_another_leader(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(
        local_app={"otlp_grpc_endpoint_url": '"old:4040"', "insecure": "true"}))
    leader.set_leader(True)
    assert leader.local_app_data(rid) == WANT


def test_provides_upgrade_charm_writes_remembered_data(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={}))
    leader.run_hook("upgrade-charm")
    assert leader.local_app_data(rid) == WANT


def test_provides_joined_flag_follows_the_relations(leader):
    assert JOINED not in leader.flags
    rid1 = leader.relate(EP, "my-app", units=1)
    rid2 = leader.relate(EP, "other", units=1)
    assert JOINED in leader.flags
    leader.remove_relation(rid1)
    assert JOINED in leader.flags
    leader.remove_relation(rid2)
    assert JOINED not in leader.flags


def test_provides_rejoined_relation_gets_data_again(leader):
    publish(leader, ADDRESS)
    rid = leader.relate(EP, "my-app", units=1)
    leader.remove_relation(rid)
    rid = leader.relate(EP, "my-app", units=1)
    assert leader.local_app_data(rid) == WANT


def test_provides_published_property_returns_what_was_asked(leader):
    assert published(leader) is None
    publish(leader, ADDRESS, insecure="yes")
    got = published(leader)
    assert (got.otlp_grpc, got.insecure) == (ADDRESS, True)


def test_provides_relation_changed_touches_only_its_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(3)]
    publish(leader, ADDRESS)
    result = leader.set_remote_app_data(rids[1], {"x": "1"})
    own_app_reads = [a for a in result.tool_calls("relation-get") if "--app" in a
                     and a[-1] == leader.app]
    assert [a[a.index("-r") + 1] for a in own_app_reads] == [rids[1]]


# --------------------------------------------------------------------------
# unpublish()
# --------------------------------------------------------------------------

def test_provides_unpublish_removes_the_keys_on_every_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(2)]
    key = rids[0].split(":")[1]
    publish(leader, ADDRESS)
    leader.edit(lambda s: s["relations"][key]["local_app"].update(colour="blue"))
    result = unpublish(leader)
    assert len(result.relation_sets) == 2
    assert leader.local_app_data(rids[0]) == {"colour": "blue"}  # not the layer's key
    assert leader.local_app_data(rids[1]) == {}
    assert published(leader) is None
    assert JOINED in leader.flags


def test_provides_unpublish_is_not_undone_by_a_new_leader_or_a_new_relation(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    unpublish(leader)
    results = [leader.set_leader(False), leader.set_leader(True), leader.run_hook("upgrade-charm")]
    later = leader.relate(EP, "late", units=1)
    results += leader.history[-3:]
    assert [r.name for r in results if r.relation_sets] == []
    assert leader.local_app_data(rid) == {} and leader.local_app_data(later) == {}


def test_provides_unpublish_with_nothing_published_writes_nothing(leader):
    leader.relate(EP, "my-app", units=1)
    first, again = unpublish(leader), unpublish(leader)
    assert first.relation_sets == []  # (it looks: an earlier leader may have left data)
    assert again.relation_sets == [] and again.tool_calls("relation-get") == []
    publish(leader, ADDRESS)
    unpublish(leader)
    again = unpublish(leader)
    assert again.relation_sets == [] and again.tool_calls("relation-get") == []


def test_provides_unpublish_on_a_non_leader_forgets_and_writes_nothing(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "my-app", units=1)
    publish(unit, ADDRESS)
    result = unpublish(unit)
    assert result.error is None and result.relation_sets == []
    assert unit.set_leader(True).relation_sets == []  # nothing remembered to bring back
    assert unit.local_app_data(rid) == {}


def test_provides_publish_after_unpublish_writes_again(leader):
    rid = leader.relate(EP, "my-app", units=1)
    publish(leader, ADDRESS)
    unpublish(leader)
    result = publish(leader, ADDRESS)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == WANT


def test_provides_never_writes_unit_data(leader):
    rid = leader.relate(EP, "my-app", units=2)
    publish(leader, ADDRESS, insecure=True)
    unpublish(leader)
    publish(leader, ADDRESS)
    writes = [args for r in leader.history for args in r.relation_sets]
    assert writes and all("--app" in args for args in writes)
    assert leader.local_unit_data(rid) == {}


def test_provides_unpublish_removes_what_an_earlier_leader_left_once_leader(make_unit):
    unit = make_unit(unit="observability-demo/1", leader=False)
    unit.start()
    rid = unit.relate(EP, "my-app", units=1)
    key = rid.split(":")[1]
    unit.edit(lambda s: s["relations"][key].update(local_app=dict(WANT, colour="blue")))
    assert unpublish(unit).relation_sets == []  # not the leader
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == {"colour": "blue"}
