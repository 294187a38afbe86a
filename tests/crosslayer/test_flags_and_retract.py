"""The flags charm authors expect and the way back from a publication, in every layer.

Requires sides: ``{endpoint}.joined`` while a remote application is related,
whatever its data; ``{endpoint}.changed`` also when the data goes away with the
last unit or the relation, and then only the charm clears it. Provides sides:
``unpublish()`` removes what the layer wrote, a new leader does not bring it
back, and a second call (or one with nothing published) writes nothing.
"""

import pytest

from kit import registered
from kit.layer import public_flags, relate_requires

LAYERS = registered.rows()

by_layer = pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.id)


def act(unit, call, hook="update-status"):
    return unit.run_hook(hook, action=call)


def _own_keys(layer, bag):
    """The keys of ``bag`` that are the layer's (Juju's address keys aside)."""
    juju = {"ingress-address", "private-address", "egress-subnets"}
    return {k: v for k, v in bag.items() if k not in juju}


def _published(layer, unit, rid):
    """What the provides side published on ``rid``: its application data, or, for a layer of
    unit databags only (no ``app_keys``), its own unit databag's keys."""
    if layer.app_keys:
        return unit.local_app_data(rid)
    return _own_keys(layer, unit.local_unit_data(rid))


def _set_remote_unit_data(unit, layer, rid):
    """The remote units write the row's unit databags (where the layer reads its data)."""
    for index, bag in layer.unit_data.items():
        unit.set_remote_unit_data(rid, f"{layer.remote_app}/{index}", bag)


@by_layer
def test_requires_joined_is_set_while_related_whatever_the_data(make_unit, layer):
    unit = make_unit()
    unit.start()
    rid = relate_requires(unit, layer, app_data={}, unit_data={})
    assert public_flags(unit.flags, layer.requires) == {f"{layer.requires}.joined"}
    unit.set_remote_app_data(rid, layer.app_data)
    _set_remote_unit_data(unit, layer, rid)
    assert {f"{layer.requires}.joined", f"{layer.requires}.available"} <= unit.flags
    unit.remove_relation(rid)
    assert f"{layer.requires}.joined" not in unit.flags


@by_layer
@pytest.mark.parametrize("how", ["last-unit-departs", "relation-broken"])
def test_requires_changed_is_set_when_the_data_goes_away_and_only_the_charm_clears_it(
        make_unit, layer, how):
    unit = make_unit()
    unit.start()
    rid = relate_requires(unit, layer)
    unit.clear_flag(f"{layer.requires}.changed")
    seen = {}
    if how == "relation-broken":
        unit.remove_relation(rid)
    else:
        for name in sorted(unit.relation(rid)["units"]):
            unit.remove_unit(rid, name)
    assert public_flags(unit.flags, layer.requires) == {f"{layer.requires}.changed"}
    for _ in range(2):  # later hooks do not clear it: the charm has not handled it yet
        act(unit, lambda e: seen.update(gone=layer.exposed(e(layer.requires))))
        assert public_flags(unit.flags, layer.requires) == {f"{layer.requires}.changed"}
    assert not seen["gone"]
    unit.clear_flag(f"{layer.requires}.changed")
    act(unit, lambda e: None)
    assert public_flags(unit.flags, layer.requires) == set()


@by_layer
def test_requires_changed_is_not_set_when_nothing_was_exposed(make_unit, layer):
    unit = make_unit()
    unit.start()
    rid = relate_requires(unit, layer, app_data={}, unit_data={})
    unit.remove_relation(rid)
    assert public_flags(unit.flags, layer.requires) == set()


@by_layer
def test_unpublish_removes_what_the_leader_wrote_from_every_relation(make_unit, layer):
    unit = make_unit(leader=True)
    unit.start()
    unit.endpoints[layer.provides]["limit"] = 0  # three relations: a charm without the example's limit
    rids = [unit.relate(layer.provides, f"consumer{i}", units=1) for i in range(2)]
    act(unit, lambda e: layer.publish(e(layer.provides)))
    assert all(_published(layer, unit, rid) for rid in rids)
    result = act(unit, lambda e: e(layer.provides).unpublish())
    assert result.error is None
    for rid in rids:
        assert unit.local_app_data(rid) == {}
        assert _own_keys(layer, unit.local_unit_data(rid)) == {}
    assert act(unit, lambda e: e(layer.provides).unpublish()).relation_sets == []
    # nothing comes back: not in a relation hook, not after upgrade-charm or leader-elected
    unit.add_unit(rids[0], "consumer0/1")
    unit.run_hook("upgrade-charm")
    unit.run_hook("leader-elected")
    later = unit.relate(layer.provides, "late", units=1)
    for rid in rids + [later]:
        assert unit.local_app_data(rid) == {}
        assert _own_keys(layer, unit.local_unit_data(rid)) == {}
    assert unit.kv(layer.kv_prefix(layer.provides) + "published") == {}
    # and publishing again works
    act(unit, lambda e: layer.publish(e(layer.provides)))
    assert all(_published(layer, unit, rid) for rid in rids + [later])


@by_layer
def test_a_new_leader_does_not_bring_back_what_it_unpublished(make_unit, layer):
    unit = make_unit(leader=True)
    unit.start()
    rid = unit.relate(layer.provides, "consumer", units=1)
    act(unit, lambda e: layer.publish(e(layer.provides)))
    assert _published(layer, unit, rid)
    unit.set_leader(False)
    act(unit, lambda e: e(layer.provides).unpublish())   # every unit is asked, this one too
    if layer.app_keys:
        assert unit.local_app_data(rid), "a non-leader cannot remove application data"
    else:  # a unit databag: every unit removes its own at once
        assert _published(layer, unit, rid) == {}
    unit.set_leader(True)                                # leader-elected: it removes, not restores
    assert _published(layer, unit, rid) == {}


@by_layer
def test_unpublish_with_nothing_published_writes_nothing(make_unit, layer):
    unit = make_unit(leader=True)
    unit.start()
    rid = unit.relate(layer.provides, "consumer", units=1)
    before = _own_keys(layer, unit.local_unit_data(rid))
    result = act(unit, lambda e: e(layer.provides).unpublish())
    assert result.error is None
    assert [args for args in result.relation_sets if "--app" in args] == []
    # every layer, those of unit databags too: nothing added or changed in the unit databag
    # (an unpublish may only take away what the layer keeps there without a publication,
    # parca_scrape's unit address), and where it keeps nothing, no relation-set ran at all
    assert _own_keys(layer, unit.local_unit_data(rid)).items() <= before.items()
    if not layer.writes_unit_data:
        assert before == {}
    if before == {}:
        assert result.relation_sets == []
    assert act(unit, lambda e: e(layer.provides).unpublish()).relation_sets == []
