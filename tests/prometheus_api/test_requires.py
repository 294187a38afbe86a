"""prometheus_api requires side, through whole hooks of the simulated Juju."""

import pytest

EP = "metrics-api"
AVAILABLE, CHANGED, INVALID = (EP + ".available", EP + ".changed", EP + ".invalid")
PUBLIC = {AVAILABLE, CHANGED, INVALID}
JOINED = EP + ".joined"
MIMIR = {"direct_url": "http://mimir.cos.svc:8080/prometheus"}


def get_data(unit):
    """Run a hook in which a charm handler calls get_data(); return what it got."""
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
    unit.relate(EP, "mimir", units=1)
    assert not unit.flags & PUBLIC
    assert get_data(unit) == (None, None)


def test_requires_becomes_available_when_application_data_arrives(unit):
    rid = unit.relate(EP, "mimir", units=1)
    unit.set_remote_app_data(rid, {"direct_url": "HTTP://Mimir.COS.svc:80/prometheus",
                                   "ingress_url": "https://cos.example.com/mimir"})
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    data, reason = get_data(unit)
    assert reason is None
    assert data.direct_url == "http://mimir.cos.svc/prometheus"
    assert data.ingress_url == "https://cos.example.com/mimir"


def test_requires_sets_changed_only_when_data_changes(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {"colour": "blue"})  # an unknown key: same data
    assert CHANGED not in unit.flags
    unit.set_remote_unit_data(rid, "mimir/0", {"whatever": "1"})
    assert CHANGED not in unit.flags
    unit.set_remote_app_data(rid, {"direct_url": "http://mimir.cos.svc:9009/prometheus"})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert get_data(unit)[0].direct_url == "http://mimir.cos.svc:9009/prometheus"


def test_requires_reports_invalid_url_without_raising(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    result = unit.set_remote_app_data(rid, {"direct_url": "mimir:8080"})
    assert result.error is None
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    warnings = result.warnings
    assert len(warnings) == 1
    assert rid in warnings[0] and "direct_url" in warnings[0]
    data, reason = get_data(unit)
    assert data is None and "direct_url" in reason and rid in reason


def test_requires_logs_an_unchanged_problem_once(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data={"ingress_url": "https://x.example.com"})
    result = unit.set_remote_unit_data(rid, "mimir/0", {"unrelated": "change"})
    assert INVALID in unit.flags
    assert not result.warnings


def test_requires_recovers_when_data_becomes_valid(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data={"direct_url": "ftp://mimir/"})
    assert INVALID in unit.flags
    unit.set_remote_app_data(rid, MIMIR)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert get_data(unit)[1] is None


@pytest.mark.parametrize("bag", [
    {"direct_url": "\"http://mimir:8080\""},
    {"direct_url": "http://[::1"},
    {"direct_url": "http://mimir:99999/"},
    {"direct_url": "http://mimir/", "ingress_url": "javascript:alert(1)"},
    {"direct_url": "\x00\ud800"},
    {"ingress_url": "https://cos.example.com/mimir"},
    {"direct_url": "x" * 100000},
])
def test_requires_never_fails_a_hook_on_bad_data(unit, bag):
    rid = unit.relate(EP, "mimir", units=1)
    result = unit.set_remote_app_data(rid, bag)
    assert result.error is None
    assert INVALID in unit.flags and AVAILABLE not in unit.flags


def test_requires_two_related_applications_are_invalid(unit):
    unit.enforces_limits = False  # Juju before 2.8 did not enforce `limit: 1`
    unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    rid2 = unit.relate(EP, "prometheus", units=1, app_data={"direct_url": "http://prom:9090/"})
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert "limit: 1" in get_data(unit)[1]
    unit.remove_relation(rid2)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert get_data(unit)[0].direct_url == "http://mimir.cos.svc:8080/prometheus"


def test_requires_keeps_data_while_one_unit_remains(unit):
    rid = unit.relate(EP, "mimir", units=2, app_data=MIMIR)
    unit.remove_unit(rid, "mimir/1")
    assert AVAILABLE in unit.flags


def test_requires_clears_available_when_last_unit_departs(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    unit.clear_flag(CHANGED)
    unit.remove_unit(rid, "mimir/0")
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}  # the data went away: the charm is told
    assert get_data(unit) == (None, None)


def test_requires_clears_every_flag_but_changed_and_every_stored_value_when_broken(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data={"direct_url": "bad"})
    unit.set_remote_app_data(rid, MIMIR)
    unit.clear_flag(CHANGED)
    unit.remove_relation(rid)
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}
    assert unit.kv("interface.prometheus_api.") == {}


def test_requires_rejoin_starts_from_scratch(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    unit.remove_relation(rid)
    unit.relate(EP, "mimir", units=1, app_data={"direct_url": "http://mimir-2:8080/"})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert get_data(unit)[0].direct_url == "http://mimir-2:8080/"


def test_requires_reads_nothing_in_hooks_that_cannot_change_the_data(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    for hook in ("update-status", "config-changed", "leader-settings-changed"):
        result = unit.run_hook(hook)
        assert result.tool_calls("relation-get") == [], hook
        assert result.relation_sets == [], hook
    assert AVAILABLE in unit.flags
    assert unit.relation(rid)["local_app"] == {}


def test_requires_rereads_relation_after_upgrade_charm(unit):
    rid = unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    # The stored copy is lost (e.g. the previous charm version kept none).
    unit.run_hook("update-status", action=lambda _: __import__(
        "charmhelpers.core.unitdata", fromlist=["kv"]).kv().unsetrange(
            prefix="interface.prometheus_api."))
    assert get_data(unit)[0] is None
    result = unit.run_hook("upgrade-charm")
    assert result.tool_calls("relation-get")
    assert get_data(unit)[0].direct_url == "http://mimir.cos.svc:8080/prometheus"
    assert rid


def test_requires_works_on_a_non_leader_unit(make_unit):
    unit = make_unit(leader=False)
    unit.start()
    unit.relate(EP, "mimir", units=1, app_data=MIMIR)
    assert AVAILABLE in unit.flags
