"""tempo_api requires side, through whole hooks of the simulated Juju."""

import json

import pytest

EP = "traces-api"
AVAILABLE, CHANGED, INVALID = (EP + ".available", EP + ".changed", EP + ".invalid")
PUBLIC = {AVAILABLE, CHANGED, INVALID}
JOINED = EP + ".joined"
TEMPO = {"http": '{"direct_url": "http://tempo.cos.svc:3200/"}',
         "grpc": '{"direct_url": "http://tempo.cos.svc:9096/"}'}


def get_data(unit):
    """Run a hook in which a charm handler calls get_data(); return (data, invalid_reason)."""
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        seen["data"] = endpoint.get_data()
        seen["reason"] = endpoint.invalid_reason

    unit.run_hook("update-status", action=act)
    return seen["data"], seen["reason"]


def test_requires_sets_no_flag_before_any_relation(unit):
    assert not unit.flags & PUBLIC
    assert get_data(unit) == (None, None)


def test_requires_waits_while_provider_has_published_nothing(unit):
    rid = unit.relate(EP, "tempo", units=1)
    assert not unit.flags & PUBLIC
    unit.set_remote_app_data(rid, {"colour": "blue"})  # unknown keys only: still nothing
    assert not unit.flags & PUBLIC
    assert get_data(unit) == (None, None)


def test_requires_becomes_available_when_application_data_arrives(unit):
    rid = unit.relate(EP, "tempo", units=1)
    result = unit.set_remote_app_data(rid, {
        "http": json.dumps({"direct_url": "HTTP://Tempo.COS.svc:3200",
                            "ingress_url": "https://cos.example.com:443/tempo"}),
        "grpc": json.dumps({"direct_url": "https://tempo.cos.svc:9096"})})
    assert result.error is None and result.warnings == []
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    data, reason = get_data(unit)
    assert reason is None
    assert data.http.direct_url == "http://tempo.cos.svc:3200/"
    assert data.http.ingress_url == "https://cos.example.com/tempo"
    assert data.grpc.direct_url == "https://tempo.cos.svc:9096/"
    assert data.grpc.ingress_url is None
    assert data.as_dict() == {
        "http": {"direct_url": "http://tempo.cos.svc:3200/",
                 "ingress_url": "https://cos.example.com/tempo"},
        "grpc": {"direct_url": "https://tempo.cos.svc:9096/", "ingress_url": None}}


def test_requires_ignores_unknown_keys_outside_and_inside_the_json(unit):
    rid = unit.relate(EP, "tempo", units=1)
    result = unit.set_remote_app_data(rid, {
        "http": json.dumps({"direct_url": "http://tempo:3200/", "protocol": "h2",
                            "ingress_url": None}),
        "grpc": json.dumps({"direct_url": "http://tempo:9096/", "ingress_url": ""}),
        "otlp": "not { json", "version": "3"})
    assert result.error is None and result.warnings == []
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    data = get_data(unit)[0]
    assert data.http.ingress_url is None and data.grpc.ingress_url is None


def test_requires_sets_changed_only_when_data_changes(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {"colour": "blue"})  # an unknown key: same data
    assert CHANGED not in unit.flags
    # the same URLs, written differently: same data
    unit.set_remote_app_data(rid, {"http": '{"direct_url":"HTTP://tempo.cos.svc:3200"}'})
    assert CHANGED not in unit.flags
    unit.set_remote_unit_data(rid, "tempo/0", {"whatever": "1"})
    assert CHANGED not in unit.flags
    unit.set_remote_app_data(rid, {"grpc": '{"direct_url": "http://tempo.cos.svc:4317/"}'})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert get_data(unit)[0].grpc.direct_url == "http://tempo.cos.svc:4317/"


@pytest.mark.parametrize("bag,key", [
    ({"http": TEMPO["http"]}, "grpc"),
    ({"grpc": TEMPO["grpc"]}, "http"),
    ({"http": "http://tempo:3200/", "grpc": TEMPO["grpc"]}, "http"),
    ({"http": TEMPO["http"], "grpc": '["http://tempo:9096/"]'}, "grpc"),
    ({"http": TEMPO["http"], "grpc": '"http://tempo:9096/"'}, "grpc"),
    ({"http": TEMPO["http"], "grpc": "null"}, "grpc"),
    ({"http": '{"ingress_url": "https://cos.example.com/"}', "grpc": TEMPO["grpc"]},
     "http.direct_url"),
    ({"http": '{"direct_url": "tempo:3200"}', "grpc": TEMPO["grpc"]}, "http.direct_url"),
    ({"http": TEMPO["http"], "grpc": '{"direct_url": "grpc://tempo:9096"}'},
     "grpc.direct_url"),
    ({"http": TEMPO["http"], "grpc": '{"direct_url": 9096}'}, "grpc.direct_url"),
    ({"http": TEMPO["http"],
      "grpc": '{"direct_url": "http://tempo:9096/", "ingress_url": "ftp://x/"}'},
     "grpc.ingress_url"),
])
def test_requires_reports_invalid_data_naming_the_key_without_raising(unit, bag, key):
    rid = unit.relate(EP, "tempo", units=1)
    result = unit.set_remote_app_data(rid, bag)
    assert result.error is None
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    logged = result.warnings
    assert len(logged) == 1
    assert rid in logged[0] and key in logged[0]
    data, reason = get_data(unit)
    assert data is None and rid in reason and key in reason


def test_requires_logs_an_unchanged_problem_once(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data={"http": TEMPO["http"]})
    assert INVALID in unit.flags
    result = unit.set_remote_unit_data(rid, "tempo/0", {"unrelated": "change"})
    assert INVALID in unit.flags
    assert result.warnings == []
    result = unit.set_remote_app_data(rid, {"colour": "blue"})
    assert result.warnings == []
    # a different problem is logged again
    result = unit.set_remote_app_data(rid, {"grpc": "not json"})
    assert len(result.warnings) == 1 and "grpc is not JSON" in result.warnings[0]


def test_requires_never_logs_credentials_from_the_remote_data(unit):
    rid = unit.relate(EP, "tempo", units=1)
    result = unit.set_remote_app_data(rid, {
        "http": '{"direct_url": "http://admin:s3cret@tempo:99999/"}', "grpc": TEMPO["grpc"]})
    assert INVALID in unit.flags
    assert len(result.warnings) == 1
    assert not [m for _, m in result.logs if "s3cret" in m]
    assert "s3cret" not in get_data(unit)[1]


def test_requires_recovers_when_data_becomes_valid(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data={"http": "{", "grpc": "}"})
    assert INVALID in unit.flags
    unit.set_remote_app_data(rid, TEMPO)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert get_data(unit)[1] is None


@pytest.mark.parametrize("bag", [
    {"http": "[" * 100000, "grpc": TEMPO["grpc"]},
    {"http": '{"direct_url": "\\u0000\\ud800"}', "grpc": TEMPO["grpc"]},
    {"http": '{"direct_url": "http://[::1"}', "grpc": TEMPO["grpc"]},
    {"http": '{"direct_url": {"nested": "object"}}', "grpc": TEMPO["grpc"]},
    {"http": '{"direct_url": "' + "x" * 100000 + '"}', "grpc": TEMPO["grpc"]},
    {"http": "\x00\ud7ff", "grpc": TEMPO["grpc"]},
    {"http": "NaN", "grpc": "Infinity"},
    {"grpc": TEMPO["grpc"], "ingress_url": "https://x.example.com"},
])
def test_requires_never_fails_a_hook_on_bad_data(unit, bag):
    rid = unit.relate(EP, "tempo", units=1)
    result = unit.set_remote_app_data(rid, bag)
    assert result.error is None
    assert INVALID in unit.flags and AVAILABLE not in unit.flags


def test_requires_two_related_applications_are_invalid(unit):
    unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    rid2 = unit.relate(EP, "other-tempo", units=1, app_data={
        "http": '{"direct_url": "http://other:3200/"}',
        "grpc": '{"direct_url": "http://other:9096/"}'})
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert "limit: 1" in get_data(unit)[1]
    unit.remove_relation(rid2)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert get_data(unit)[0].http.direct_url == "http://tempo.cos.svc:3200/"


def test_requires_keeps_data_while_one_unit_remains(unit):
    rid = unit.relate(EP, "tempo", units=2, app_data=TEMPO)
    unit.remove_unit(rid, "tempo/1")
    assert AVAILABLE in unit.flags
    assert get_data(unit)[0].grpc.direct_url == "http://tempo.cos.svc:9096/"


def test_requires_clears_available_when_last_unit_departs(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    unit.clear_flag(CHANGED)
    unit.remove_unit(rid, "tempo/0")
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}  # the data went away: the charm is told
    assert get_data(unit) == (None, None)


def test_requires_clears_every_flag_but_changed_and_every_stored_value_when_broken(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data={"http": "bad"})
    unit.set_remote_app_data(rid, TEMPO)
    assert {AVAILABLE, CHANGED, JOINED} <= unit.flags
    unit.clear_flag(CHANGED)
    unit.remove_relation(rid)
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}
    assert unit.kv("interface.tempo_api.") == {}


def test_requires_broken_while_invalid_clears_invalid(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data={"http": "bad"})
    assert INVALID in unit.flags
    unit.remove_relation(rid)
    assert not unit.flags & PUBLIC
    assert get_data(unit) == (None, None)


def test_requires_rejoin_starts_from_scratch(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    unit.clear_flag(CHANGED)
    unit.remove_relation(rid)
    unit.relate(EP, "tempo", units=1, app_data={
        "http": '{"direct_url": "http://tempo-2:3200/"}',
        "grpc": '{"direct_url": "http://tempo-2:9096/"}'})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert get_data(unit)[0].http.direct_url == "http://tempo-2:3200/"


def test_requires_reads_nothing_in_hooks_that_cannot_change_the_data(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    for hook in ("update-status", "config-changed", "leader-settings-changed"):
        result = unit.run_hook(hook)
        assert result.tool_calls("relation-get") == [], hook
        assert result.relation_sets == [], hook
    assert AVAILABLE in unit.flags
    assert unit.relation(rid)["local_app"] == {}
    assert unit.local_unit_data(rid) == {}


def test_requires_rereads_relation_after_upgrade_charm(unit):
    rid = unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    # The stored copy is lost (e.g. the previous charm version kept none).
    unit.run_hook("update-status", action=lambda _: __import__(
        "charmhelpers.core.unitdata", fromlist=["kv"]).kv().unsetrange(
            prefix="interface.tempo_api."))
    assert get_data(unit)[0] is None
    result = unit.run_hook("upgrade-charm")
    assert result.tool_calls("relation-get")
    assert result.relation_sets == []
    assert get_data(unit)[0].http.direct_url == "http://tempo.cos.svc:3200/"
    assert rid


def test_requires_works_on_a_non_leader_unit(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    unit.relate(EP, "tempo", units=1, app_data=TEMPO)
    assert AVAILABLE in unit.flags
