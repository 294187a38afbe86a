"""Leadership, churn, departure and secrets: the same scenarios for every layer.

Each test runs once per registered layer (its row, ``tests/<interface>/row.py``); it
asserts on the hook tool calls the simulated Juju recorded, the databags, the flags and
the unit's key-value store.
"""

import pytest

from kit import registered
from kit.layer import public_flags, relate_requires
from kit.leakcheck import LeakWatch

LAYERS = registered.rows()

by_layer = pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)


def act(unit, call, hook="update-status"):
    """A hook in which a charm handler calls ``call(endpoint_from_name)``."""
    return unit.run_hook(hook, action=call)


def publish(unit, layer, other=False):
    fn = layer.publish_other if other else layer.publish
    return act(unit, lambda e: fn(e(layer.provides)))


def app_writes(results):
    """``relation-set --app`` calls among ``results``' recorded calls."""
    return [(r.name, args) for r in results for args in r.relation_sets if "--app" in args]


def expected_app_data(make_unit, layer, other=False, name="observability-demo/0"):
    """What leader ``name`` writes for ``publish`` / ``publish_other``, from a model of its own."""
    unit = make_unit(unit=name)
    rid = unit.relate(layer.provides, "consumer", units=1)
    publish(unit, layer, other=other)
    return unit.local_app_data(rid)


# --------------------------------------------------------------------------
# Leadership
# --------------------------------------------------------------------------

@by_layer
def test_non_leader_never_writes_app_data_and_new_leader_publishes_without_being_asked(
        make_unit, layer):
    """Leadership moves away and back mid-relation; the charm calls publish only as a non-leader."""
    want_first = expected_app_data(make_unit, layer)
    want_other = expected_app_data(make_unit, layer, other=True)
    unit = make_unit(leader=True)
    unit.start()
    unit.endpoints[layer.provides]["limit"] = 0  # two relations: a charm without the example's limit
    rid = unit.relate(layer.provides, "consumer", units=1)
    publish(unit, layer)
    assert unit.local_app_data(rid) == want_first

    as_follower = [unit.set_leader(False)]
    as_follower.append(publish(unit, layer, other=True))       # the charm asks while not leader
    as_follower.append(unit.add_unit(rid, "consumer/1"))
    later = unit.relate(layer.provides, "late-consumer", units=1)  # a relation joins meanwhile
    as_follower += unit.history[-3:]
    as_follower.append(unit.run_hook("config-changed"))
    as_follower.append(unit.run_hook("upgrade-charm"))
    assert app_writes(as_follower) == []
    assert unit.local_app_data(rid) == want_first   # the old leader's data stays as it was
    assert unit.local_app_data(later) == {}

    elected = unit.set_leader(True)                  # no publish call from here on
    assert unit.local_app_data(rid) == want_other
    assert unit.local_app_data(later) == want_other
    if layer.app_keys:
        assert app_writes([elected])
    else:  # a layer of unit databags only: leadership changes nothing it wrote
        assert elected.relation_sets == []
    assert app_writes([unit.run_hook("update-status")]) == []


@by_layer
def test_unit_that_was_never_leader_publishes_when_elected(make_unit, layer):
    """A second unit of the application: the relation already carries the first leader's data."""
    unit = make_unit(unit="observability-demo/1", leader=False)
    unit.start()
    rid = unit.relate(layer.provides, "consumer", units=2)
    stale = dict.fromkeys(layer.app_keys, "stale")
    unit.edit(lambda s: s["relations"][rid.split(":")[1]].update(local_app=dict(stale)))
    results = [publish(unit, layer), unit.run_hook("update-status"),
               unit.remove_unit(rid, "consumer/1")]
    assert app_writes(results) == []
    assert unit.local_app_data(rid) == stale
    unit.set_leader(True)
    assert unit.local_app_data(rid) == expected_app_data(make_unit, layer, name=unit.name)


@by_layer
def test_requires_side_writes_app_data_only_as_upstream_and_only_as_leader(make_unit, layer):
    """A requires side writes no application data, but for the keys upstream's requirer
    writes back (``requires_app_keys``), and those only on the leader."""
    unit = make_unit(leader=False)
    unit.start()
    rid = relate_requires(unit, layer)
    assert app_writes(unit.history) == []
    unit.set_leader(True)
    unit.set_remote_app_data(rid, layer.other_app_data, replace=True)
    assert set(unit.local_app_data(rid)) <= set(layer.requires_app_keys)
    done = len(unit.history)
    unit.set_leader(False)
    unit.remove_relation(rid)
    assert app_writes(unit.history[done:]) == []
    if not layer.requires_app_keys:
        assert app_writes(unit.history) == []


# --------------------------------------------------------------------------
# Churn: hooks in which nothing changed write nothing
# --------------------------------------------------------------------------

@by_layer
@pytest.mark.parametrize("leader", [True, False], ids=["leader", "non-leader"])
def test_hooks_in_which_nothing_changed_make_no_relation_set(make_unit, layer, leader):
    unit = make_unit(leader=leader, config={"parca-store-port": 7070})
    unit.start()
    provided = unit.relate(layer.provides, "consumer", units=1)
    relate_requires(unit, layer)
    publish(unit, layer)
    unit.run_hook("update-status")  # anything the first publish left to settle
    quiet = [
        unit.run_hook("update-status"),
        unit.set_config(**{"parca-store-port": 7070}),   # config-changed, same config
        unit.run_hook("config-changed"),
        publish(unit, layer),                             # the same data again
        publish(unit, layer),
        unit.run_hook("upgrade-charm"),
        unit.set_remote_unit_data(provided, "consumer/0", {"unrelated": "x"}),
    ]
    assert [(r.name, r.relation_sets) for r in quiet if r.relation_sets] == []


@by_layer
def test_requires_reading_the_same_data_again_writes_nothing(make_unit, layer):
    unit = make_unit()
    unit.start()
    rid = relate_requires(unit, layer)
    again = [unit.set_remote_app_data(rid, layer.app_data), unit.run_hook("update-status"),
             unit.run_hook("config-changed")]
    assert [(r.name, r.relation_sets) for r in again if r.relation_sets] == []


# --------------------------------------------------------------------------
# Departure: nothing left behind; a rejoin starts from scratch
# --------------------------------------------------------------------------

@by_layer
def test_requires_broken_relation_leaves_only_changed_and_no_stored_data(make_unit, layer):
    unit = make_unit()
    unit.start()
    rid = relate_requires(unit, layer)
    prefix = layer.kv_prefix(layer.requires)
    assert f"{layer.requires}.available" in unit.flags and unit.kv(prefix)
    unit.clear_flag(f"{layer.requires}.changed")
    seen = {}
    unit.remove_relation(rid)
    # the data went away: changed tells the charm, which sees nothing exposed any more
    assert public_flags(unit.flags, layer.requires) == {f"{layer.requires}.changed"}
    act(unit, lambda e: seen.update(gone=layer.exposed(e(layer.requires))))
    assert not seen["gone"]
    assert unit.kv(prefix) == {}
    unit.clear_flag(f"{layer.requires}.changed")
    assert public_flags(unit.flags, layer.requires) == set()

    rid = relate_requires(unit, layer, app_data=layer.other_app_data)
    act(unit, lambda e: seen.update(exposed=layer.exposed(e(layer.requires))))
    assert public_flags(unit.flags, layer.requires) == {f"{layer.requires}.available",
                                                        f"{layer.requires}.changed",
                                                        f"{layer.requires}.joined"}
    fresh = make_unit(unit="fresh/0")
    relate_requires(fresh, layer, app_data=layer.other_app_data)
    act(fresh, lambda e: seen.update(fresh=layer.exposed(e(layer.requires))))
    assert seen["exposed"] == seen["fresh"] and seen["exposed"]


@by_layer
def test_requires_broken_relation_after_invalid_data_leaves_nothing(make_unit, layer):
    unit = make_unit()
    unit.start()
    bad = layer.unusable_app_data()
    rid = relate_requires(unit, layer, app_data=bad, unit_data=layer.unusable_unit_data)
    assert f"{layer.requires}.invalid" in unit.flags
    unit.remove_relation(rid)
    assert public_flags(unit.flags, layer.requires) == set()
    assert unit.kv(layer.kv_prefix(layer.requires)) == {}


@by_layer
def test_provides_broken_relation_leaves_no_public_flag_and_rejoin_gets_the_data(make_unit, layer):
    unit = make_unit()
    unit.start()
    rid = unit.relate(layer.provides, "consumer", units=2)
    publish(unit, layer)
    want = unit.local_app_data(rid), unit.local_unit_data(rid)
    assert any(want)
    unit.remove_relation(rid)
    assert public_flags(unit.flags, layer.provides) == set()
    stored = unit.kv(layer.kv_prefix(layer.provides))
    assert not [k for k in stored if rid in k or rid.split(":")[1] in k.split(".")]
    rid = unit.relate(layer.provides, "consumer", units=1)
    assert (unit.local_app_data(rid), unit.local_unit_data(rid)) == want
    assert public_flags(unit.flags, layer.provides) == {
        f"{layer.provides}.{flag}" for flag in layer.provides_joined_flags}


# --------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------

URL_SECRET = "pw-Zq8RkT3vLm"


def _with_url_password(bag):
    """``bag`` with ``user:URL_SECRET@`` put into every URL it holds."""
    return {k: v.replace("://", f"://user:{URL_SECRET}@") for k, v in bag.items()}


@by_layer
def test_layers_show_no_token_or_url_password_in_logs_status_or_errors(make_unit, layer):
    """Valid and unusable data carrying secrets, both sides; the suite's leak check judges."""
    unit = make_unit()
    unit.start()
    valid = _with_url_password(layer.app_data)
    if layer.secret_data:
        valid.update(layer.secret_data(URL_SECRET))
    unit_bags = layer.secret_unit_data(URL_SECRET) if layer.secret_unit_data else None
    rid = relate_requires(unit, layer, app_data=valid, unit_data=unit_bags)
    assert f"{layer.requires}.available" in unit.flags
    broken = {k: v.replace("://", f"://user:{URL_SECRET}@").replace(":8080", ":80a").replace(
        ":3200", ":3200x") for k, v in layer.other_app_data.items()}
    broken.update(layer.unusable_data)
    unit.set_remote_app_data(rid, broken, replace=True)
    for index, bag in (layer.unusable_unit_data or {}).items():
        unit.set_remote_unit_data(rid, f"{layer.remote_app}/{index}",
                                  {k: v.replace("://", f"://user:{URL_SECRET}@")
                                   for k, v in bag.items()})
    assert f"{layer.requires}.invalid" in unit.flags
    unit.remove_relation(rid)
    provided = unit.relate(layer.provides, "consumer", units=1)
    publish(unit, layer)
    assert unit.local_app_data(provided) or (not layer.app_keys and unit.local_unit_data(provided))


def test_leak_check_finds_a_token_or_url_password_that_a_handler_shows(make_unit, monkeypatch,
                                                                     no_secret_leaks):
    """The check the suite runs after every test does fail when a secret is shown."""
    from charmhelpers.core import hookenv

    watch = LeakWatch()
    watch.patch(monkeypatch)
    layer = {row.interface: row for row in LAYERS}["parca_store"]
    unit = watch.watch(make_unit(unit="leaky/0"))
    rid = relate_requires(unit, layer)
    assert watch.leaks(unit) == []
    token = layer.app_data["remote-store-bearer-token"]
    act(unit, lambda e: hookenv.log(f"store token is {e(layer.requires).bearer_token}"))
    assert [secret for _, secret in watch.leaks(unit)] == [token]
    unit.set_remote_app_data(rid, {"remote-store-address": f"https://agent:{URL_SECRET}@parca/"})
    act(unit, lambda e: hookenv.status_set("active", e(layer.requires).address))
    assert URL_SECRET in {secret for _, secret in watch.leaks(unit)}
    no_secret_leaks.forget(unit)  # the suite's own check: this unit leaked on purpose


def test_leak_check_skips_only_values_that_are_the_codes_own_text():
    """A "token" that is a Juju key or a layer's literal text cannot be told apart from that
    text; anything else is looked for, and the framework's trace lines only are skipped."""
    from kit.leakcheck import lookable, visible_text

    assert not lookable("private-") and not lookable("unusable data")
    assert lookable(URL_SECRET) and lookable("tok-5e2b7d9a0c3f4a81") and not lookable("short")
    assert visible_text("juju-log", ["-l", "DEBUG", "tracer: set flag endpoint.x.changed.k"]) is None
    assert visible_text("juju-log", ["-l", "INFO", "my token is t"]) == "-l INFO my token is t"
    assert visible_text("status-set", ["active", "tracer"]) == "active tracer"
    assert visible_text("relation-get", ["-r", "x:1", "-", "a/0"]) is None
