"""prometheus_api provides side, through whole hooks of the simulated Juju."""

import pytest

from jujusim.driver import HookFailed

EP = "prometheus-api"
JOINED = EP + ".joined"
URL = "http://demo.cos.svc:9090/api"
WANT = {"direct_url": "http://demo.cos.svc:9090/api"}


def publish(unit, *args, **kwargs):
    """A hook in which a charm handler calls publish(); returns the HookResult."""
    return unit.run_hook("update-status",
                         action=lambda e: e(EP).publish(*args, **kwargs))


def test_provides_leader_writes_application_data_to_every_relation(leader):
    rid1 = leader.relate(EP, "grafana", units=1)
    rid2 = leader.relate(EP, "prometheus-scraper", units=2)
    publish(leader, URL, ingress_url="HTTPS://COS.example.com:443/demo")
    for rid in (rid1, rid2):
        assert leader.local_app_data(rid) == {
            "direct_url": URL, "ingress_url": "https://cos.example.com/demo"}
        assert leader.local_unit_data(rid) == {}


def test_provides_relation_joining_later_gets_published_data(leader):
    publish(leader, URL)
    rid = leader.relate(EP, "grafana", units=1)
    assert leader.local_app_data(rid) == WANT
    assert JOINED in leader.flags


def test_provides_repeated_publish_writes_nothing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL)
    result = publish(leader, "http://demo.cos.svc:9090/api")
    assert result.relation_sets == []
    assert result.tool_calls("relation-get") == []
    assert leader.local_app_data(rid) == WANT


def test_provides_hooks_with_nothing_new_write_nothing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL)
    hooks = [leader.run_hook(h) for h in ("update-status", "config-changed", "leader-elected",
                                          "upgrade-charm")]
    hooks.append(leader.add_unit(rid, "grafana/1"))
    hooks.append(leader.set_remote_app_data(rid, {"anything": "x"}))
    for result in hooks:
        assert result.relation_sets == [], result.name


def test_provides_changed_url_rewrites_only_what_changed(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL, ingress_url="https://cos.example.com/demo")
    result = publish(leader, URL)
    assert len(result.relation_sets) == 1
    assert leader.local_app_data(rid) == WANT


@pytest.mark.parametrize("args,kwargs,argument", [
    (("not-a-url",), {}, "direct_url"),
    (("ftp://demo/",), {}, "direct_url"),
    ((URL,), {"ingress_url": "demo-ingress"}, "ingress_url"),
    ((None,), {}, "direct_url"),
    (("http://demo:99999/",), {}, "direct_url"),
])
def test_provides_bad_url_raises_value_error_naming_the_argument(leader, args, kwargs, argument):
    rid = leader.relate(EP, "grafana", units=1)
    caught = {}

    def act(e):
        try:
            e(EP).publish(*args, **kwargs)
        except ValueError as err:
            caught["error"] = err

    leader.run_hook("update-status", action=act)
    assert str(caught["error"]).startswith(argument + ":")
    assert leader.local_app_data(rid) == {}


def test_provides_bad_url_fails_the_hook_when_the_charm_does_not_catch_it(leader):
    leader.relate(EP, "grafana", units=1)
    with pytest.raises(HookFailed, match="direct_url"):
        publish(leader, "not-a-url")


def test_provides_non_leader_remembers_but_writes_nothing(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    rid = unit.relate(EP, "grafana", units=1)
    result = publish(unit, URL)
    assert result.error is None
    assert result.relation_sets == []
    assert unit.local_app_data(rid) == {}
    # ... and the unit writes it, without another call, when it becomes leader.
    result = unit.set_leader(True)
    assert len(result.relation_sets) == 1
    assert unit.local_app_data(rid) == WANT


def test_provides_unit_that_lost_leadership_stops_writing(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL)
    leader.set_leader(False)
    result = publish(leader, "http://demo.cos.svc:9091/")
    assert result.error is None and result.relation_sets == []
    assert leader.local_app_data(rid) == WANT  # what the old leader wrote stays
    unit_result = leader.set_leader(True)
    assert leader.local_app_data(rid) == {"direct_url": "http://demo.cos.svc:9091/"}
    assert len(unit_result.relation_sets) == 1


def test_provides_new_leader_repairs_data_written_by_another_leader(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={"direct_url": "http://old/"}))
    leader.set_leader(True)
    assert leader.local_app_data(rid) == WANT


def test_provides_upgrade_charm_writes_remembered_data(leader):
    rid = leader.relate(EP, "grafana", units=1)
    publish(leader, URL)
    key = rid.split(":")[1]
    leader.edit(lambda s: s["relations"][key].update(local_app={}))
    leader.run_hook("upgrade-charm")
    assert leader.local_app_data(rid) == WANT


def test_provides_joined_flag_follows_the_relations(leader):
    rid1 = leader.relate(EP, "grafana", units=1)
    rid2 = leader.relate(EP, "other", units=1)
    assert JOINED in leader.flags
    leader.remove_relation(rid1)
    assert JOINED in leader.flags
    leader.remove_relation(rid2)
    assert JOINED not in leader.flags


def test_provides_rejoined_relation_gets_data_again(leader):
    publish(leader, URL)
    rid = leader.relate(EP, "grafana", units=1)
    leader.remove_relation(rid)
    rid = leader.relate(EP, "grafana", units=1)
    assert leader.local_app_data(rid) == WANT


def test_provides_published_property_returns_what_was_asked(leader):
    publish(leader, URL)
    seen = {}
    leader.run_hook("update-status", action=lambda e: seen.update(p=e(EP).published))
    assert seen["p"].direct_url == URL and seen["p"].ingress_url is None


def test_provides_relation_changed_touches_only_its_relation(leader):
    rids = [leader.relate(EP, f"app{i}", units=1) for i in range(3)]
    publish(leader, URL)
    result = leader.set_remote_app_data(rids[1], {"x": "1"})
    own_app_reads = [a for a in result.tool_calls("relation-get") if "--app" in a
                     and a[-1] == leader.app]
    assert [a[a.index("-r") + 1] for a in own_app_reads] == [rids[1]]
