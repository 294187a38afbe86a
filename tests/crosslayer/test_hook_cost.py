"""Hook cost against the framework's own: the call-count guarantees of every layer.

The baseline is the same charm with every layer replaced by an empty ``Endpoint``
subclass on the same endpoints (``helpers.stub_layers``): what charms.reactive
costs by itself. Both charms have no handlers; the layers' charm publishes
through the layers' API once, then both run the same hooks on the same model
(``make bench`` measures the same thing at larger sizes, with the example's
handlers). Each layer's cases (``ENDPOINTS`` of ``tests/<interface>/hookcost.py``) say
what its provides side publishes and which guarantees apply to its endpoints.
"""

from collections import Counter

import pytest

from kit import helpers
from kit.hookcost import ENDPOINTS, ONE_RELATION, populate

#: What a charm asks each provides side to publish (in the layers' charm only).
PUBLISH = {ep: case.publish for ep, case in ENDPOINTS.items() if case.publish}
#: The same sides when the charm gives the address: config-changed has nothing to re-check.
PUBLISH_GIVEN_ADDRESS = {ep: case.publish_given_address for ep, case in ENDPOINTS.items()
                         if case.publish_given_address}
#: Provides sides whose published data holds the unit's address: config-changed, the hook
#: Juju fires when the unit's addresses change, reads the unit's own databags there.
ADDRESS_IN_DATA = tuple(PUBLISH_GIVEN_ADDRESS)
#: Endpoints whose relation-changed cost beyond the framework does not grow with units.
FLAT_IN_UNITS = [ep for ep, case in ENDPOINTS.items() if case.flat_in_units]
RELATIONS = 3


@pytest.fixture(scope="module")
def charms(tmp_path_factory):
    base = tmp_path_factory.mktemp("hookcost")
    stubs = helpers.stub_layers(str(base / "stubs"))
    return {"layers": helpers.assemble_charm(str(base / "layers" / "demo")),
            "baseline": helpers.assemble_charm(str(base / "baseline" / "demo"),
                                               layers_root=stubs)}


def settled_unit(make_unit, charm_dir, endpoint, units_per_relation, publish):
    """A leader related on ``endpoint`` (three relations, or one for one-application
    endpoints), its layers caught up with the model; returns ``(unit, relation ids)``.
    ``publish``: what to ask of the layer (a function of the endpoint), or None."""
    unit = make_unit(charm=charm_dir)
    unit.start()
    relations = 1 if endpoint in ONE_RELATION else RELATIONS
    rids = populate(unit, endpoint, units_per_relation * relations, relations)
    unit.run_hook("upgrade-charm",
                  action=(lambda e: publish(e(endpoint))) if publish else None)
    unit.run_hook("update-status")
    return unit, rids


def calls(result):
    """The hook's tool calls as a multiset of ``(tool, args)``; log lines count as calls,
    whatever they say (the framework's trace lists the flags set, the layers' among them)."""
    return Counter((c["tool"], () if c["tool"] == "juju-log" else tuple(c["args"]))
                   for c in result.calls)


def extra_calls(make_unit, charms, endpoint, run, units_per_relation=2, publish=None):
    """``(calls the layers' charm made beyond the baseline's, layers' result, relation ids)``
    for the hook ``run(unit, rids)`` runs, on the same model; the layers' charm first asks
    ``publish`` (default: ``PUBLISH``) of its layer."""
    results = {}
    for name, charm_dir in charms.items():
        wanted = (publish or PUBLISH.get(endpoint)) if name == "layers" else None
        unit, rids = settled_unit(make_unit, charm_dir, endpoint, units_per_relation,
                                  publish=wanted)
        results[name] = run(unit, rids)
        assert results[name].error is None
    return calls(results["layers"]) - calls(results["baseline"]), results["layers"], rids


def own_bag_read(args, rids, unit_name, app_name):
    """Whether ``relation-get`` ``args`` read this unit's own unit or application databag."""
    return args[-1] in (unit_name, app_name) and args[args.index("-r") + 1] in rids


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_update_status_costs_no_call_beyond_the_framework(make_unit, charms, endpoint):
    extra, result, _ = extra_calls(make_unit, charms, endpoint,
                                   lambda unit, rids: unit.run_hook("update-status"))
    assert extra == Counter()
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e not in ADDRESS_IN_DATA])
def test_config_changed_costs_no_call_beyond_the_framework(make_unit, charms, endpoint):
    extra, result, _ = extra_calls(make_unit, charms, endpoint,
                                   lambda unit, rids: unit.run_hook("config-changed"))
    assert extra == Counter()
    assert result.tool_calls("relation-get") == [] and result.relation_sets == []


@pytest.mark.parametrize("endpoint", ADDRESS_IN_DATA)
def test_config_changed_rechecks_the_address_with_own_databag_reads_only(make_unit, charms,
                                                                         endpoint):
    def run(unit, rids):
        run.unit = unit
        return unit.run_hook("config-changed")

    extra, result, rids = extra_calls(make_unit, charms, endpoint, run)
    unit = run.unit
    assert result.relation_sets == []
    for (tool, args), count in extra.items():
        assert tool in ("relation-get", "is-leader"), (tool, args)
        if tool == "relation-get":
            # the unit's own databag (where Juju refreshed ingress-address), once per relation
            assert own_bag_read(args, rids, unit.name, unit.app) and count == 1, args
            assert args[-1] == unit.name, args
    assert sum(n for (tool, _), n in extra.items() if tool == "relation-get") == len(rids)


@pytest.mark.parametrize("endpoint", ADDRESS_IN_DATA)
def test_config_changed_costs_nothing_when_the_charm_gave_the_address(make_unit, charms,
                                                                      endpoint):
    extra, result, _ = extra_calls(make_unit, charms, endpoint,
                                   lambda unit, rids: unit.run_hook("config-changed"),
                                   publish=PUBLISH_GIVEN_ADDRESS[endpoint])
    assert result.relation_sets == [] and result.tool_calls("relation-get") == []
    assert {tool for tool, _ in extra} <= {"is-leader"}, extra


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_relation_changed_reads_only_its_relation_and_writes_nothing(make_unit, charms,
                                                                     endpoint):
    def run(unit, rids):
        rid = rids[len(rids) // 2]
        run.rid = rid
        first = sorted(unit.relation(rid)["units"])[0]
        return unit.set_remote_unit_data(rid, first, {"unrelated": "1"})

    extra, result, rids = extra_calls(make_unit, charms, endpoint, run)
    assert result.relation_sets == []
    for tool, args in extra:
        assert tool in ("relation-get", "is-leader"), (tool, args)
        if tool == "relation-get":
            assert args[args.index("-r") + 1] == run.rid, args


@pytest.mark.parametrize("endpoint", FLAT_IN_UNITS)
def test_relation_changed_cost_beyond_the_framework_does_not_grow_with_units(
        make_unit, charms, endpoint):
    def run(unit, rids):
        first = sorted(unit.relation(rids[0])["units"])[0]
        return unit.set_remote_unit_data(rids[0], first, {"unrelated": "1"})

    small, _, _ = extra_calls(make_unit, charms, endpoint, run, units_per_relation=1)
    large, _, _ = extra_calls(make_unit, charms, endpoint, run, units_per_relation=6)
    assert sum(large.values()) == sum(small.values())
