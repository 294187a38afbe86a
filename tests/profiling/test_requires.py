"""profiling requires side (a charm that sends profiles), through whole hooks of the simulated
Juju: many relations, each read on its own."""

import json

import pytest

EP = "send-profiles"
JOINED, AVAILABLE, CHANGED, INVALID = (EP + ".joined", EP + ".available", EP + ".changed",
                                       EP + ".invalid")
PUBLIC = {JOINED, AVAILABLE, CHANGED, INVALID}
ADDRESS = "pyroscope-0.pyroscope-endpoints.cos.svc.cluster.local:4040"
KEY, INSECURE = "otlp_grpc_endpoint_url", "insecure"


def bag(address=ADDRESS, insecure=None):
    """A backend's application databag as upstream writes it."""
    out = {KEY: json.dumps(address)}
    if insecure is not None:
        out[INSECURE] = json.dumps(insecure)
    return out


def read(unit):
    """Run a hook in which a charm handler reads the endpoint; return what it saw."""
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        seen.update(endpoints=[e.as_dict() for e in endpoint.get_endpoints()],
                    objects=endpoint.get_endpoints(), reasons=endpoint.invalid_reasons,
                    reason=endpoint.invalid_reason)

    unit.run_hook("update-status", action=act)
    return seen


def point(address, insecure=False):
    return {"otlp_grpc": address, "insecure": insecure}


def test_requires_sets_no_flag_before_any_relation(unit):
    assert not unit.flags & PUBLIC
    seen = read(unit)
    assert seen["endpoints"] == [] and seen["reasons"] == {} and seen["reason"] is None


def test_requires_joined_while_the_backend_has_published_nothing(unit):
    unit.relate(EP, "pyroscope", units=1)
    assert unit.flags & PUBLIC == {JOINED}
    assert read(unit)["endpoints"] == []


def test_requires_becomes_available_when_the_backend_publishes(unit):
    rid = unit.relate(EP, "pyroscope", units=1)
    result = unit.set_remote_app_data(rid, bag(insecure=True))
    assert unit.flags & PUBLIC == {JOINED, AVAILABLE, CHANGED}
    assert result.relation_sets == []
    seen = read(unit)
    assert seen["endpoints"] == [point(ADDRESS, True)]
    assert (seen["objects"][0].otlp_grpc, seen["objects"][0].insecure) == (ADDRESS, True)


@pytest.mark.parametrize("raw,insecure", [
    (None, False), ("true", True), ("false", False), ('"true"', True), ('"False"', False),
    ('"yes"', True), ("1", True), ("0.0", False), ('"off"', False),
])
def test_requires_reads_insecure_as_upstream_does(unit, raw, insecure):
    data = {KEY: json.dumps(ADDRESS)}
    if raw is not None:
        data[INSECURE] = raw
    unit.relate(EP, "pyroscope", units=1, app_data=data)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert read(unit)["endpoints"] == [point(ADDRESS, insecure)]


def test_requires_many_relations_come_in_relation_id_order(unit):
    unit.edit(lambda s: s.update(next_relation_id=8))  # ids 8, 9, 10, 11: 10 sorts after 9
    rids = [unit.relate(EP, f"backend{i}", units=1, app_data=bag(f"b{i}:4040", i % 2 == 1))
            for i in range(4)]
    assert [r.split(":")[1] for r in rids] == ["8", "9", "10", "11"]
    assert read(unit)["endpoints"] == [point(f"b{i}:4040", i % 2 == 1) for i in range(4)]


def test_requires_invalid_relation_is_left_out_and_the_others_still_come_through(unit):
    good = unit.relate(EP, "pyroscope", units=1, app_data=bag("a:4040"))
    bad = unit.relate(EP, "broken", units=1, app_data={KEY: "b:4040"})  # not JSON-quoted
    other = unit.relate(EP, "collector", units=1, app_data=bag("c:4040", True))
    assert {AVAILABLE, INVALID} <= unit.flags
    seen = read(unit)
    assert seen["endpoints"] == [point("a:4040"), point("c:4040", True)]
    assert list(seen["reasons"]) == [bad]
    assert bad in seen["reasons"][bad] and "broken" in seen["reasons"][bad]
    assert KEY in seen["reasons"][bad] and "not JSON" in seen["reasons"][bad]
    assert seen["reason"] == seen["reasons"][bad]
    assert good not in seen["reason"] and other not in seen["reason"]


@pytest.mark.parametrize("data,key", [
    ({KEY: ADDRESS}, KEY),
    ({INSECURE: "true"}, KEY),
    ({KEY: '""'}, KEY),
    ({KEY: '"  "'}, KEY),
    ({KEY: "4040"}, KEY),
    ({KEY: json.dumps(ADDRESS), INSECURE: '"maybe"'}, INSECURE),
    ({KEY: json.dumps(ADDRESS), INSECURE: "null"}, INSECURE),
    ({KEY: json.dumps(ADDRESS), INSECURE: "2"}, INSECURE),
    ({KEY: json.dumps(ADDRESS), INSECURE: "yes"}, INSECURE),  # not JSON
    ({KEY: json.dumps(ADDRESS), INSECURE: "[" * 100_000}, INSECURE),
    ({KEY: json.dumps("x" * 300_000)[:-1]}, KEY),
])
def test_requires_reports_unusable_data_as_invalid_without_raising(unit, data, key):
    rid = unit.relate(EP, "pyroscope", units=1)
    result = unit.set_remote_app_data(rid, data)
    assert result.error is None
    assert unit.flags & PUBLIC == {JOINED, INVALID}
    assert len(result.warnings) == 1
    assert rid in result.warnings[0] and key in result.warnings[0]
    seen = read(unit)
    assert seen["endpoints"] == []
    assert key in seen["reasons"][rid] and len(seen["reasons"][rid]) < 300


def test_requires_an_empty_databag_or_unknown_keys_are_not_invalid(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data={"colour": "{not json"})
    assert unit.flags & PUBLIC == {JOINED}
    unit.set_remote_app_data(rid, {KEY: "", INSECURE: ""})
    assert unit.flags & PUBLIC == {JOINED}
    assert read(unit)["reasons"] == {}


def test_requires_logs_an_unchanged_problem_once(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data={KEY: ADDRESS})
    result = unit.set_remote_unit_data(rid, "pyroscope/0", {"unrelated": "change"})
    assert INVALID in unit.flags
    assert result.warnings == []
    assert unit.run_hook("upgrade-charm").warnings == []


def test_requires_recovers_when_data_becomes_valid(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data={KEY: ADDRESS})
    assert INVALID in unit.flags
    unit.clear_flag(CHANGED)
    result = unit.set_remote_app_data(rid, bag())
    assert unit.flags & PUBLIC == {JOINED, AVAILABLE, CHANGED}
    assert result.warnings == []
    assert read(unit)["reasons"] == {}


def test_requires_valid_data_becoming_invalid_is_a_change(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag())
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {INSECURE: '"sometimes"'})
    assert unit.flags & PUBLIC == {JOINED, CHANGED, INVALID}
    assert read(unit)["endpoints"] == []


def test_requires_sets_changed_only_when_the_endpoints_change(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag())
    unit.clear_flag(CHANGED)
    results = [unit.set_remote_app_data(rid, {"colour": "blue"}),  # an unknown key
               unit.set_remote_app_data(rid, {INSECURE: "false"}),  # missing meant false
               unit.set_remote_unit_data(rid, "pyroscope/0", {"whatever": "1"}),
               unit.add_unit(rid, "pyroscope/1"), unit.remove_unit(rid, "pyroscope/1")]
    unit.relate(EP, "empty", units=1)  # a second backend that has published nothing yet
    results += unit.history[-3:]
    results += [unit.run_hook("update-status"), unit.run_hook("upgrade-charm"),
               unit.run_hook("config-changed"), unit.set_leader(False), unit.set_leader(True)]
    assert CHANGED not in unit.flags and AVAILABLE in unit.flags
    for result in results:
        assert result.relation_sets == [], result.name


def test_requires_a_second_backend_is_a_change(unit):
    unit.relate(EP, "pyroscope", units=1, app_data=bag("a:4040"))
    unit.clear_flag(CHANGED)
    unit.relate(EP, "collector", units=1, app_data=bag("b:4040"))
    assert CHANGED in unit.flags
    assert read(unit)["endpoints"] == [point("a:4040"), point("b:4040")]


def test_requires_departure_of_one_relation_keeps_the_other(unit):
    first = unit.relate(EP, "pyroscope", units=1, app_data=bag("a:4040"))
    unit.relate(EP, "collector", units=1, app_data=bag("b:4040"))
    unit.clear_flag(CHANGED)
    unit.remove_relation(first)
    assert unit.flags & PUBLIC == {JOINED, AVAILABLE, CHANGED}
    assert read(unit)["endpoints"] == [point("b:4040")]


def test_requires_departure_of_the_last_unit_clears_all_but_changed(unit):
    rid = unit.relate(EP, "pyroscope", units=2, app_data=bag())
    unit.clear_flag(CHANGED)
    unit.remove_unit(rid, "pyroscope/0")
    assert AVAILABLE in unit.flags and CHANGED not in unit.flags  # one unit is still there
    result = unit.remove_unit(rid, "pyroscope/1")
    assert result.error is None
    assert unit.flags & PUBLIC == {CHANGED}  # the endpoint went away: the charm must know
    assert read(unit)["endpoints"] == []
    unit.clear_flag(CHANGED)
    unit.remove_relation(rid)
    assert not unit.flags & PUBLIC  # nothing more went away


def test_requires_broken_relation_sets_changed_and_leaves_no_stored_data(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag())
    unit.clear_flag(CHANGED)
    result = unit.remove_relation(rid)
    assert result.error is None
    assert unit.flags & PUBLIC == {CHANGED}
    unit.clear_flag(CHANGED)
    assert not unit.flags & PUBLIC
    assert unit.kv("interface.profiling.") == {}


def test_requires_broken_invalid_relation_clears_invalid_and_its_reason(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data={KEY: ADDRESS})
    assert INVALID in unit.flags
    unit.remove_relation(rid)
    assert not unit.flags & {JOINED, AVAILABLE, INVALID}
    assert read(unit)["reasons"] == {}
    unit.clear_flag(CHANGED)
    assert unit.kv("interface.profiling.") == {}


def test_requires_rejoin_makes_the_backend_available_again(unit):
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag())
    unit.remove_relation(rid)
    unit.clear_flag(CHANGED)
    unit.relate(EP, "pyroscope", units=1, app_data=bag("new:4040"))
    assert unit.flags & PUBLIC == {JOINED, AVAILABLE, CHANGED}
    assert read(unit)["endpoints"] == [point("new:4040")]


def test_requires_upgrade_charm_rereads_every_relation(unit):
    rids = [unit.relate(EP, f"b{i}", units=1, app_data=bag(f"b{i}:4040")) for i in range(2)]
    unit.clear_flag(CHANGED)
    for rid in rids:
        key = rid.split(":")[1]
        unit.edit(lambda s, key=key: s["relations"][key]["app"].update({INSECURE: "true"}))
    unit.run_hook("upgrade-charm")
    assert CHANGED in unit.flags
    assert read(unit)["endpoints"] == [point("b0:4040", True), point("b1:4040", True)]


def test_requires_relation_hook_reads_only_its_relation(unit):
    """(The framework itself reads every remote unit's databag, for its own flags.)"""
    rids = [unit.relate(EP, f"b{i}", units=1, app_data=bag(f"b{i}:4040")) for i in range(3)]
    result = unit.set_remote_app_data(rids[1], bag("moved:4040"))
    app_reads = [a[a.index("-r") + 1] for a in result.tool_calls("relation-get") if "--app" in a]
    assert app_reads == [rids[1]]
    assert read(unit)["endpoints"] == [point("b0:4040"), point("moved:4040"), point("b2:4040")]


def test_requires_never_writes_relation_data(make_unit):
    unit = make_unit(leader=True)
    unit.start()
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag())
    unit.set_remote_app_data(rid, {KEY: ADDRESS})
    unit.set_leader(False)
    unit.remove_relation(rid)
    assert [args for r in unit.history for args in r.relation_sets] == []


def test_requires_shows_no_url_password_it_received(unit):
    """The endpoint may carry credentials (it is passed on verbatim): the layer never logs it.
    The suite's leak check (conftest) judges every hook of this unit."""
    secret = "https://agent:pw-Zq8RkT3vLm@pyroscope.example.com:443/"
    rid = unit.relate(EP, "pyroscope", units=1, app_data=bag(secret))
    assert read(unit)["endpoints"] == [point(secret)]
    unit.set_remote_app_data(rid, {INSECURE: json.dumps(secret)})
    assert INVALID in unit.flags
    assert "pw-Zq8RkT3vLm" not in read(unit)["reason"]
