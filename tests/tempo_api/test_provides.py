"""tempo_api provides side, through whole hooks of the simulated Juju."""

import json

import pytest

from jujusim.driver import HookFailed

EP = "tempo-api"
JOINED = EP + ".joined"
HTTP = "http://tempo.cos.svc:3200"
GRPC = "http://tempo.cos.svc:9096"
WANT = {"http": '{"direct_url": "http://tempo.cos.svc:3200/"}',
        "grpc": '{"direct_url": "http://tempo.cos.svc:9096/"}'}


def publish(unit, *args, **kwargs):
    """A hook in which a charm handler calls publish(); returns the HookResult."""
    return unit.run_hook("update-status",
                         action=lambda e: e(EP).publish(*args, **kwargs))


def decoded(bag):
    return {key: json.loads(value) for key, value in bag.items()}


def test_provides_leader_writes_both_json_keys_to_every_relation(leader):
    rid1 = leader.relate(EP, "grafana", units=1)
    rid2 = leader.relate(EP, "trace-consumer", units=2)
    publish(leader, HTTP, GRPC, ingress_url_http="HTTPS://COS.example.com:443/tempo",
            ingress_url_grpc="https://cos.example.com:9096")
    for rid in (rid1, rid2):
        assert decoded(leader.local_app_data(rid)) == {
            "http": {"direct_url": "http://tempo.cos.svc:3200/",
                     "ingress_url": "https://cos.example.com/tempo"},
            "grpc": {"direct_url": "http://tempo.cos.svc:9096/",
                     "ingress_url": "https://cos.example.com:9096/"}}
        assert leader.local_unit_data(rid) == {}


def test_provides_leaves_ingress_url_out_of_the_json_when_absent(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC, ingress_url_grpc="https://cos.example.com:9096")
    bag = leader.local_app_data(rid)
    assert bag["http"] == '{"direct_url": "http://tempo.cos.svc:3200/"}'
    assert json.loads(bag["grpc"]) == {"direct_url": "http://tempo.cos.svc:9096/",
                                       "ingress_url": "https://cos.example.com:9096/"}


def test_provides_relation_joining_later_gets_published_data(leader):
    publish(leader, HTTP, GRPC)
    rid = leader.relate(EP, "grafana", units=1)
    assert leader.local_app_data(rid) == WANT
    assert JOINED in leader.flags


def test_provides_repeated_publish_writes_nothing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)
    result = publish(leader, "HTTP://tempo.cos.svc:3200/", "http://tempo.cos.svc:9096/")
    assert result.relation_sets == []
    assert result.tool_calls("relation-get") == []
    assert leader.local_app_data(rid) == WANT


def test_provides_hooks_with_nothing_new_write_nothing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)
    hooks = [leader.run_hook(h) for h in ("update-status", "config-changed", "leader-elected",
                                          "upgrade-charm")]
    hooks.append(leader.add_unit(rid, "grafana/1"))
    hooks.append(leader.set_remote_app_data(rid, {"anything": "x"}))
    for result in hooks:
        assert result.error is None, result.name
        assert result.relation_sets == [], result.name
    assert leader.local_app_data(rid) == WANT


def test_provides_changed_url_rewrites_only_the_changed_key(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC, ingress_url_http="https://cos.example.com/tempo")
    result = publish(leader, HTTP, GRPC)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == WANT
    result = publish(leader, HTTP, "https://tempo.cos.svc:9096")
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == {
        "http": WANT["http"], "grpc": '{"direct_url": "https://tempo.cos.svc:9096/"}'}


@pytest.mark.parametrize("args,kwargs,argument", [
    (("not-a-url", GRPC), {}, "direct_url_http"),
    ((HTTP, "grpc://tempo:9096"), {}, "direct_url_grpc"),
    ((HTTP, "tempo:9096"), {}, "direct_url_grpc"),
    ((HTTP, GRPC), {"ingress_url_http": "cos.example.com/tempo"}, "ingress_url_http"),
    ((HTTP, GRPC), {"ingress_url_grpc": "grpc://cos.example.com:9096"}, "ingress_url_grpc"),
    ((None, GRPC), {}, "direct_url_http"),
    ((HTTP, None), {}, "direct_url_grpc"),
    ((HTTP, "http://tempo:99999/"), {}, "direct_url_grpc"),
])
def test_provides_bad_url_raises_value_error_naming_the_argument(leader, args, kwargs, argument):
    rid = leader.relate(EP, "grafana", units=1)
    caught = {}

    def act(e):
        try:
            e(EP).publish(*args, **kwargs)
        except ValueError as err:
            caught["error"] = err

    result = leader.run_hook("update-status", action=act)
    assert str(caught["error"]).startswith(argument + ":")
    assert result.relation_sets == []
    assert leader.local_app_data(rid) == {}


def test_provides_grpc_scheme_error_says_to_use_http_or_https(leader):
    caught = {}

    def act(e):
        try:
            e(EP).publish(HTTP, "grpc://tempo:9096")
        except ValueError as err:
            caught["error"] = str(err)

    leader.run_hook("update-status", action=act)
    assert caught["error"].startswith("direct_url_grpc:")
    assert "use http or https" in caught["error"]


def test_provides_rejected_call_keeps_what_was_published_before(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)

    def act(e):
        with pytest.raises(ValueError):
            e(EP).publish(HTTP, "grpc://tempo:9096")

    result = leader.run_hook("update-status", action=act)
    assert result.relation_sets == []
    assert leader.local_app_data(rid) == WANT


def test_provides_bad_url_fails_the_hook_when_the_charm_does_not_catch_it(leader):
    leader.relate(EP, "grafana", units=1)
    with pytest.raises(HookFailed, match="direct_url_grpc"):
        publish(leader, HTTP, "grpc://tempo:9096")


def test_provides_non_leader_remembers_but_writes_nothing(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "grafana", units=1)
    result = publish(unit, HTTP, GRPC)
    assert result.error is None
    assert result.relation_sets == []
    assert unit.local_app_data(rid) == {}
    # ... and the unit writes it, without another call, when it becomes leader.
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == WANT


def test_provides_unit_that_lost_leadership_stops_writing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)
    leader.set_leader(False)
    result = publish(leader, HTTP, "http://tempo.cos.svc:4317/")
    assert result.error is None and result.relation_sets == []
    assert leader.local_app_data(rid) == WANT  # what the old leader wrote stays
    result = leader.set_leader(True)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == {
        "http": WANT["http"], "grpc": '{"direct_url": "http://tempo.cos.svc:4317/"}'}


def test_provides_new_leader_repairs_data_written_by_another_leader(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(
        local_app={"http": '{"direct_url": "http://old/"}'}))
    result = leader.set_leader(True)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == WANT


def test_provides_upgrade_charm_writes_remembered_data(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, HTTP, GRPC)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={}))
    leader.run_hook("upgrade-charm")
    assert leader.local_app_data(rid) == WANT


def test_provides_joined_flag_follows_the_relations(leader):
    assert JOINED not in leader.flags
    rid1 = leader.relate(EP, "grafana", units=1)
    rid2 = leader.relate(EP, "other", units=1)
    assert JOINED in leader.flags
    leader.remove_relation(rid1)
    assert JOINED in leader.flags
    leader.remove_relation(rid2)
    assert JOINED not in leader.flags


def test_provides_last_unit_departing_clears_joined(leader):
    rid = leader.relate(EP, "grafana", units=2)
    leader.remove_unit(rid, "grafana/1")
    assert JOINED in leader.flags
    leader.remove_unit(rid, "grafana/0")
    assert JOINED not in leader.flags


def test_provides_rejoined_relation_gets_data_again(leader):
    publish(leader, HTTP, GRPC)
    rid = leader.relate(EP, "grafana", units=1)
    leader.remove_relation(rid)
    rid = leader.relate(EP, "grafana", units=1)
    assert leader.local_app_data(rid) == WANT


def test_provides_published_property_returns_what_was_asked(leader):
    publish(leader, HTTP, GRPC, ingress_url_grpc="https://cos.example.com:9096")
    seen = {}
    leader.run_hook("update-status", action=lambda e: seen.update(p=e(EP).published))
    assert seen["p"].http.direct_url == "http://tempo.cos.svc:3200/"
    assert seen["p"].http.ingress_url is None
    assert seen["p"].grpc.as_dict() == {"direct_url": "http://tempo.cos.svc:9096/",
                                        "ingress_url": "https://cos.example.com:9096/"}


def test_provides_relation_changed_touches_only_its_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(3)]
    publish(leader, HTTP, GRPC)
    result = leader.set_remote_app_data(rids[1], {"x": "1"})
    own_app_reads = [a for a in result.tool_calls("relation-get") if "--app" in a
                     and a[-1] == leader.app]
    assert [a[a.index("-r") + 1] for a in own_app_reads] == [rids[1]]
