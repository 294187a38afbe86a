"""Fuzzing profiling (``kit.fuzz``): generated databags on one to three relations of the
requires side at once, generated ``publish_endpoint()`` arguments on the provides side.

The requires side takes many relations, so each example writes a databag into each of
three relations (``{}`` where the example has fewer) and runs the relation-changed hook of
each relation whose databag changed; a handler reads the endpoint in the last hook.
Properties, besides those of every layer (no hook fails, nothing written, no secret
shown): each relation is reported invalid exactly when the contract rejects its data;
``get_endpoints()`` is the valid relations' endpoints in relation order; ``available`` and
``invalid`` follow from those.
"""

import json

from hypothesis import example, given, settings

from jujusim import state as jst
from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from kit.layer import public_flags
from kit.leakcheck import secrets_in_bag
from profiling.fuzz_data import ENDPOINT_ARG, INSECURE, INSECURE_ARG, KEY, PROFILING_BAGS
from profiling.row import ROW

RELATIONS = 3
SECRET_URL = "https://agent:pw-Zq8RkT3vLm@pyroscope.example.com:443"


class ManyRelated:
    """A unit whose requires endpoint is related to ``RELATIONS`` backends, one unit each."""

    def __init__(self, make_unit):
        self.make_unit = make_unit
        self.examples = 0
        self._new()

    def _new(self):
        # as kit.fuzz.Related: unwatched, each example checks its hooks for its own secrets
        self.unit = self.make_unit(watched=False)
        self.rids = [self.unit.relate(ROW.requires, f"backend{i}", units=1)
                     for i in range(RELATIONS)]
        self.bags = [{} for _ in self.rids]

    def next(self):
        """The unit to use for the next example (a fresh one every ``fuzz.BATCH`` examples)."""
        self.examples += 1
        if self.examples % fuzz.BATCH == 0:
            self._new()
        return self.unit

    def feed(self, bags, action):
        """Relation ``i``'s application databag becomes ``bags[i]`` (``{}`` beyond them),
        followed by its relation-changed hook where it changed; ``action`` runs in the last
        hook (an update-status hook when nothing changed). The hooks' results."""
        changed = [i for i in range(RELATIONS)
                   if (bags[i] if i < len(bags) else {}) != self.bags[i]]
        results = []
        for i in changed:
            bag, rid = (bags[i] if i < len(bags) else {}), self.rids[i]
            key = rid.split(":")[1]

            def change(state, key=key, bag=bag):
                state["relations"][key]["app"] = {}
                jst.apply_settings(state["relations"][key]["app"], bag)

            self.unit.edit(change)
            self.bags[i] = bag
            results.append(self.unit.run_hook(
                f"{ROW.requires}-relation-changed", rid=rid, remote_unit=f"backend{i}/0",
                action=action if i == changed[-1] else None, check=False))
        if not changed:  # Juju fires nothing where nothing changed: read in another hook
            results.append(self.unit.run_hook("update-status", action=action, check=False))
        return results


_CURRENT = {}


def many_related(make_unit):
    """The running test's ``ManyRelated`` unit, kept across its examples."""
    current = _CURRENT.get("related")
    if current is None or current.make_unit is not make_unit:
        _CURRENT["related"] = ManyRelated(make_unit)
    return _CURRENT["related"]


def _is_subsequence(short, long):
    rest = iter(long)
    return all(any(item == other for other in rest) for item in short)


@settings(**fuzz.SETTINGS)
@given(bags=PROFILING_BAGS)
# a URL password in a value that is rejected, and one in an address that is used
@example(bags=[({KEY: json.dumps("a:1"), INSECURE: json.dumps(SECRET_URL)}, fd.Verdict(fd.INVALID)),
               ({KEY: json.dumps(SECRET_URL)}, fd.Verdict(fd.VALID, {"otlp_grpc": SECRET_URL,
                                                                     "insecure": False}))])
def test_fuzz_profiling_requires(make_unit, bags):
    side = "requires"
    related = many_related(make_unit)
    ep = ROW.requires
    with counted("profiling", side):
        unit = related.next()
        seen = {}

        def act(endpoint_from_name):
            endpoint = endpoint_from_name(ep)
            seen.update(exposed=[e.as_dict() for e in endpoint.get_endpoints()],
                        reasons=endpoint.invalid_reasons)

        results = related.feed([bag for bag, _ in bags], act)
        secrets = set().union(*(secrets_in_bag(bag) for bag, _ in bags))
        for result in results:
            fuzz.assert_hook_clean(result, secrets)
        verdicts = [v for _, v in bags] + [fd.Verdict(fd.EMPTY)] * (RELATIONS - len(bags))
        for rid, verdict in zip(related.rids, verdicts):
            if verdict.kind == fd.INVALID:
                assert rid in seen["reasons"], (rid, seen["reasons"])
                assert seen["reasons"][rid].startswith(f"relation {rid} ")
            elif verdict.kind != fd.UNKNOWN:
                assert rid not in seen["reasons"], seen["reasons"][rid]
        flags = public_flags(unit.flags, ep)
        assert f"{ep}.joined" in flags
        assert (f"{ep}.invalid" in flags) == bool(seen["reasons"])
        assert (f"{ep}.available" in flags) == bool(seen["exposed"])
        for endpoint in seen["exposed"]:
            assert set(endpoint) == {"otlp_grpc", "insecure"}
            assert isinstance(endpoint["otlp_grpc"], str) and endpoint["otlp_grpc"].strip()
            assert isinstance(endpoint["insecure"], bool)
        valid = [v.expected for v in verdicts if v.kind == fd.VALID]
        if all(v.kind != fd.UNKNOWN for v in verdicts):
            assert seen["exposed"] == valid
        else:
            assert _is_subsequence(valid, seen["exposed"]), (valid, seen["exposed"])
            assert len(seen["exposed"]) + len(seen["reasons"]) <= len(bags)


@fuzz.provides_settings()
@given(endpoint=ENDPOINT_ARG, insecure=INSECURE_ARG)
@example(endpoint=(SECRET_URL, True), insecure=(SECRET_URL, None))
@example(endpoint=(SECRET_URL, True), insecure=("No", False))
def test_fuzz_profiling_provides(make_unit, endpoint, insecure):
    side = "provides"
    related = fuzz.relate(make_unit, "profiling", side)
    (address, address_ok), (flag, truth) = endpoint, insecure
    with counted("profiling", side):
        error, app, unit_bag = fuzz.provide(
            related, lambda e: e.publish_endpoint(address, insecure=flag))
        assert (error is None) == (address_ok and truth is not None), error
        if error is not None:
            assert str(error).startswith("insecure" if address_ok else "otlp_grpc_endpoint")
            return
        # the raw values the contract states (json.dumps, as charms.reactive's JSON views
        # write), from the contract, not read back through the layer's own decoder
        assert app == {KEY: json.dumps(address), INSECURE: "true" if truth else "false"}
        assert unit_bag == {}
