"""parca_store requires side (the profiling agent), through whole hooks of the simulated Juju."""

import pytest

EP = "profiling-store"
AVAILABLE, CHANGED, INVALID = (EP + ".available", EP + ".changed", EP + ".invalid")
PUBLIC = {AVAILABLE, CHANGED, INVALID}
JOINED = EP + ".joined"
TOKEN = "s3cr3t-store-T0KEN-requires"
ADDRESS, BEARER, INSECURE = ("remote-store-address", "remote-store-bearer-token",
                             "remote-store-insecure")
STORE = {ADDRESS: "parca.cos.svc:7070", BEARER: TOKEN, INSECURE: "false"}


def leaked(tmp_path, secret):
    """The calls logs of this test's units that contain ``secret``."""
    return [str(p) for p in tmp_path.rglob("calls.jsonl") if secret in p.read_text()]


@pytest.fixture(autouse=True)
def token_never_in_a_hook_tool_call(tmp_path):
    """After every test: no hook tool call of any unit (logs, status, ...) carried the token."""
    yield
    assert leaked(tmp_path, TOKEN) == []


def read(unit):
    """Run a hook in which a charm handler reads the endpoint; return what it saw."""
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name(EP)
        data = endpoint.get_data()
        seen.update(config=endpoint.config, address=endpoint.address,
                    bearer_token=endpoint.bearer_token, insecure=endpoint.insecure,
                    reason=endpoint.invalid_reason, data=data, repr=repr(data))

    unit.run_hook("update-status", action=act)
    return seen


def test_requires_sets_no_flag_before_any_relation(unit):
    assert not unit.flags & PUBLIC
    seen = read(unit)
    assert seen["config"] == {} and seen["address"] is None and seen["bearer_token"] is None
    assert seen["insecure"] is False and seen["reason"] is None


def test_requires_waits_while_the_store_has_published_nothing(unit):
    unit.relate(EP, "parca", units=1)
    assert not unit.flags & PUBLIC
    assert read(unit)["config"] == {}


def test_requires_becomes_available_when_the_store_publishes(unit):
    rid = unit.relate(EP, "parca", units=1)
    result = unit.set_remote_app_data(rid, dict(STORE, **{INSECURE: "true"}))
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    assert result.relation_sets == []
    seen = read(unit)
    assert seen["config"] == dict(STORE, **{INSECURE: "true"})
    assert (seen["address"], seen["bearer_token"], seen["insecure"]) == (
        "parca.cos.svc:7070", TOKEN, True)


def test_requires_config_reports_missing_keys_as_empty_strings(unit):
    unit.relate(EP, "parca", units=1, app_data={ADDRESS: "parca:7070"})
    assert AVAILABLE in unit.flags
    seen = read(unit)
    assert seen["config"] == {ADDRESS: "parca:7070", BEARER: "", INSECURE: ""}
    assert seen["bearer_token"] is None and seen["insecure"] is False


@pytest.mark.parametrize("raw,insecure", [
    ("true", True), ("false", False), ("True", True), ("FALSE", False),
])
def test_requires_accepts_true_and_false_in_any_case(unit, raw, insecure):
    unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{INSECURE: raw}))
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    seen = read(unit)
    assert seen["insecure"] is insecure
    assert seen["config"][INSECURE] == raw  # passed on as received, like upstream


def test_requires_token_change_sets_changed_again(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=STORE)
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {BEARER: "rotated-" + TOKEN})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert read(unit)["bearer_token"] == "rotated-" + TOKEN


def test_requires_sets_changed_only_when_the_configuration_changes(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=STORE)
    unit.clear_flag(CHANGED)
    results = [unit.set_remote_app_data(rid, {"colour": "blue"}),  # an unknown key
               unit.set_remote_unit_data(rid, "parca/0", {"whatever": "1"}),
               unit.add_unit(rid, "parca/1"),
               unit.run_hook("update-status"), unit.run_hook("upgrade-charm"),
               unit.run_hook("config-changed"), unit.set_leader(False)]
    assert CHANGED not in unit.flags and AVAILABLE in unit.flags
    for result in results:
        assert result.relation_sets == [], result.name


def test_requires_token_removal_is_a_change(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=STORE)
    unit.clear_flag(CHANGED)
    unit.set_remote_app_data(rid, {BEARER: ""})
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert read(unit)["config"][BEARER] == ""


@pytest.mark.parametrize("bag,key", [
    ({INSECURE: "yes"}, INSECURE),
    ({INSECURE: "1"}, INSECURE),
    ({INSECURE: " true"}, INSECURE),
    ({INSECURE: "\"true\""}, INSECURE),
    ({INSECURE: "x" * 100000}, INSECURE),
    ({ADDRESS: ""}, ADDRESS),
    ({ADDRESS: "   "}, ADDRESS),
])
def test_requires_reports_unusable_data_as_invalid_without_raising(unit, bag, key):
    rid = unit.relate(EP, "parca", units=1)
    result = unit.set_remote_app_data(rid, dict(STORE, **bag))
    assert result.error is None
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert len(result.warnings) == 1
    assert rid in result.warnings[0] and key in result.warnings[0]
    seen = read(unit)
    assert seen["config"] == {} and seen["address"] is None and seen["bearer_token"] is None
    assert key in seen["reason"] and rid in seen["reason"] and TOKEN not in seen["reason"]
    assert len(seen["reason"]) < 300


def test_requires_logs_an_unchanged_problem_once(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{INSECURE: "maybe"}))
    result = unit.set_remote_unit_data(rid, "parca/0", {"unrelated": "change"})
    assert INVALID in unit.flags
    assert result.warnings == []


def test_requires_recovers_when_data_becomes_valid(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{INSECURE: "maybe"}))
    assert INVALID in unit.flags
    result = unit.set_remote_app_data(rid, {INSECURE: "true"})
    assert {AVAILABLE, CHANGED} <= unit.flags and INVALID not in unit.flags
    assert result.warnings == []
    assert read(unit)["reason"] is None


def test_requires_departure_of_the_last_store_unit_clears_everything_but_changed(unit):
    rid = unit.relate(EP, "parca", units=2, app_data=STORE)
    unit.remove_unit(rid, "parca/0")
    assert {AVAILABLE, JOINED} <= unit.flags  # one store unit is still there
    unit.clear_flag(CHANGED)
    result = unit.remove_unit(rid, "parca/1")
    assert result.error is None
    assert unit.flags & (PUBLIC | {JOINED}) == {CHANGED}  # the store went away: the charm is told
    assert read(unit)["config"] == {}
    assert unit.kv("interface.parca_store.") == {}


def test_requires_broken_relation_clears_everything(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{INSECURE: "maybe"}))
    assert INVALID in unit.flags
    result = unit.remove_relation(rid)
    assert result.error is None
    assert not unit.flags & PUBLIC
    assert read(unit)["reason"] is None


def test_requires_rejoin_makes_the_store_available_again(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=STORE)
    unit.clear_flag(CHANGED)
    unit.remove_relation(rid)
    rid = unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{BEARER: "new-" + TOKEN}))
    assert {AVAILABLE, CHANGED} <= unit.flags
    assert read(unit)["bearer_token"] == "new-" + TOKEN


def test_requires_two_related_stores_are_invalid(unit):
    unit.enforces_limits = False  # Juju before 2.8 did not enforce `limit: 1`
    unit.relate(EP, "parca", units=1, app_data=STORE)
    rid2 = unit.relate(EP, "parca-two", units=1, app_data={ADDRESS: "other:7070"})
    assert INVALID in unit.flags and AVAILABLE not in unit.flags
    assert "limit: 1" in read(unit)["reason"]
    unit.remove_relation(rid2)
    assert AVAILABLE in unit.flags and INVALID not in unit.flags
    assert read(unit)["address"] == "parca.cos.svc:7070"


def test_requires_upgrade_charm_rereads_the_relation(unit):
    rid = unit.relate(EP, "parca", units=1, app_data=STORE)
    unit.clear_flag(CHANGED)
    key = rid.split(":")[1]
    unit.edit(lambda s: s["relations"][key]["app"].update({ADDRESS: "moved:7070"}))
    unit.run_hook("upgrade-charm")
    assert CHANGED in unit.flags
    assert read(unit)["address"] == "moved:7070"


def test_requires_repr_of_the_configuration_hides_the_token(unit):
    unit.relate(EP, "parca", units=1, app_data=STORE)
    seen = read(unit)
    assert seen["data"].bearer_token == TOKEN
    assert TOKEN not in seen["repr"] and "<redacted>" in seen["repr"]
    assert "parca.cos.svc:7070" in seen["repr"]


def test_token_scan_finds_a_token_that_a_handler_logs(unit, tmp_path, no_secret_leaks):
    """The leak check of this module can fail: a handler that logs a token is caught."""
    from charmhelpers.core import hookenv

    canary = "canary-token-9f8e7d"
    unit.relate(EP, "parca", units=1, app_data=dict(STORE, **{BEARER: canary}))
    assert leaked(tmp_path, canary) == []
    unit.run_hook("update-status", action=lambda e: hookenv.log(
        f"careless: {e(EP).bearer_token}"))
    assert leaked(tmp_path, canary) != []
    assert no_secret_leaks.leaks(unit)  # the suite-wide check (conftest) sees it too ...
    no_secret_leaks.forget(unit)  # ... and is told this leak was on purpose
