"""The contract runner: every case of every vectors file, through the real layer.

Each registered layer's cases are in ``tests/<interface>/vectors.json`` (a copy of the
vectors recorded from the upstream library); ``CONTRACT_VECTORS=<dir>`` runs the
``*.json`` files of another directory instead (one file per interface, named as you
like). A file or a case this runner does not understand fails; nothing is skipped.
Comparison rules: every databag value a case records byte for byte (``kit.exact``: same
key order, separators, escaping, compressed bytes; decoding only explains a failure), only
the part upstream leaves arbitrary compared unordered (the adapter's ``compare_value``), no
extra keys (Juju's own address keys aside); a provider case that records no databag and a
requirer whose adapter says it writes nothing must leave the databags empty. The runner knows the
vector format and Juju; each layer's adapter (``tests/<interface>/adapter.py``) knows
the layer.

Each case runs in the test charm of its layer alone (``charm_named`` of
``tests/crosslayer/test_contract.py``): a charm that includes only the layer the case is
about, as upstream's cases were recorded from a charm with only the library.

Case shapes every layer may use (the contract README, "The vectors"): ``files`` (path
relative to the charm directory: text) are written into a charm of the case's own, and
``{charm_dir}`` in a case's inputs is that directory's absolute path; ``republish``
publishes again with these arguments replacing the same-named ``args``, and ``expect`` is
the state after it. What is particular to one layer goes through its adapter: the remote
side of a provider case (``remote``), what a provider reads back (``observe``) and the
expect fields it checks (``provider_expect_fields``, ``check_provider``), a requirer's
own inputs and settings (``requirer_inputs``, ``require``), and comparisons that need the
relation ids (``compare``), and what the remote side does once related (``drive``).
"""

import glob
import json
import os
import shutil

import pytest

from kit import helpers, registered

COMMON_CASE_KEYS = {"name", "side", "upstream", "expect", "deviation"}
PROVIDER_COMMON = {"leader", "local", "bind_address", "fqdn"}
REQUIRER_INPUTS = {"remote_app_databags", "remote_app_databag", "relations", "leader", "local"}
#: what a string in a case's inputs writes for the absolute path of the charm directory
CHARM_DIR = "{charm_dir}"


class Unreadable:
    """Stands for a vectors file (or directory) the runner cannot use: its test fails."""

    def __init__(self, reason):
        self.reason = reason


def vectors_files(directory=None):
    """The vectors files to run: every ``*.json`` of ``directory`` (``CONTRACT_VECTORS``
    when not given), or, when neither is set, every registered layer's ``vectors.json``."""
    directory = directory or os.environ.get("CONTRACT_VECTORS")
    if directory:
        return directory, sorted(glob.glob(os.path.join(directory, "*.json")))
    return None, [registered.vectors_file(interface) for interface in registered.LAYERS]


def collect(directory=None):
    """``(vector-file-top, case)`` params for every case of every file of ``vectors_files``."""
    directory, files = vectors_files(directory)
    if not files:
        return [pytest.param(None, Unreadable(f"no *.json vectors in {directory}"),
                             id="no-vectors")]
    params = []
    for path in files:
        name = os.path.relpath(path, directory or helpers.TESTS)
        try:
            with open(path) as f:
                top = json.load(f)
            cases = top["cases"]
            if not isinstance(cases, list) or not cases:
                raise ValueError("'cases' is not a non-empty list")
        except (OSError, ValueError, KeyError, TypeError) as e:
            params.append(pytest.param(None, Unreadable(f"{name}: {e}"), id=name))
            continue
        for i, case in enumerate(cases):
            label = case.get("name", f"case {i}") if isinstance(case, dict) else str(i)
            params.append(pytest.param(top, case, id="{}::{}".format(top.get("interface"), label)))
    return params


def adapter_of(top, case):
    """The adapter of a case's interface; the test fails on a case the runner cannot run."""
    if isinstance(case, Unreadable):
        pytest.fail("vectors not understood: " + case.reason)
    adapter = registered.adapters().get(top.get("interface"))
    if adapter is None:
        pytest.fail("no adapter for interface {!r}".format(top.get("interface")))
    if not isinstance(case, dict) or case.get("side") not in ("provider", "requirer"):
        pytest.fail(f"case has no known side: {case!r}")
    return adapter


def _check_keys(case, allowed, what):
    unknown = set(case) - allowed
    if unknown:
        pytest.fail(f"{what} keys not understood: {sorted(unknown)}")


LOCAL_KEYS = {"model", "model_uuid", "application", "unit", "charm_name", "fqdn",
              "bind_address"}


def _unit(make_unit, top, case, adapter, charm_named=None, **kwargs):
    """The local unit of a case: the model of the file; the case's ``local`` identity
    (model, unit, charm name) when it gives one; with ``files``, a charm of its own that
    holds them (path relative to the charm directory: text)."""
    local = case.get("local") or {}
    _check_keys(local, LOCAL_KEYS, "local")
    if local.get("unit"):
        kwargs["unit"] = local["unit"]
        if local.get("application"):
            assert local["unit"].split("/")[0] == local["application"], "local: unit/application"
    kwargs["charm"] = charm_named(local.get("charm_name") or None)
    if "files" in case:
        kwargs["charm"] = _charm_with_files(kwargs["charm"], case["files"])
    kwargs.update(adapter.unit_kwargs(case))
    return make_unit(model_name=local.get("model") or top.get("model", "cos"),
                     model_uuid=local.get("model_uuid") or top.get(
                         "model_uuid", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
                     **kwargs)


def _charm_with_files(charm, files):
    """A copy of ``charm`` (a fresh directory next to it) with ``files`` written into it."""
    if not isinstance(files, dict):
        pytest.fail(f"files: expected {{path: text}}, got {files!r}")
    dest = charm.rstrip("/") + "-files-" + os.urandom(6).hex()
    shutil.copytree(charm, dest, symlinks=True)
    for path, text in files.items():
        full = os.path.normpath(os.path.join(dest, path))
        if not full.startswith(dest + os.sep) or not isinstance(text, str):
            pytest.fail(f"files: {path!r} is not a text file inside the charm")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    return dest


def _with_charm_dir(value, charm_dir):
    """``value`` (a case's inputs) with ``{charm_dir}`` in every string made ``charm_dir``."""
    if isinstance(value, str):
        return value.replace(CHARM_DIR, charm_dir)
    if isinstance(value, list):
        return [_with_charm_dir(v, charm_dir) for v in value]
    if isinstance(value, dict):
        return {k: _with_charm_dir(v, charm_dir) for k, v in value.items()}
    return value


def run_provider(adapter, top, case, make_unit, charm_named):
    _check_keys(case, COMMON_CASE_KEYS | PROVIDER_COMMON | set(adapter.provider_inputs), "case")
    expect = case["expect"]
    _check_keys(expect, {"app_databag", "unit_databag", "raises"}
                | set(adapter.provider_expect_fields), "expect")
    unit = _unit(make_unit, top, case, adapter, charm_named=charm_named,
                 leader=case.get("leader", True))
    upstream = case.get("upstream") or {}
    inputs = {k: v for k, v in case.items() if k not in ("expect", "upstream")}
    case = dict(_with_charm_dir(inputs, unit.charm_dir), expect=expect)
    remote_app, remote_units = adapter.remote(case)
    rid = unit.relate(adapter.provides_endpoint, remote_app,
                      units=sorted(remote_units) if remote_units is not None else 1,
                      unit_data=remote_units, app_data=adapter.remote_app_data(case))
    adapter.drive(unit, [rid], case)
    outcome, seen = {}, {}

    def act(call_case, observe):
        def action(endpoint_from_name):
            endpoint = endpoint_from_name(adapter.provides_endpoint)
            try:
                adapter.provide(endpoint, call_case)
            except ValueError as e:
                outcome["raised"] = e
            if observe:
                seen.update(adapter.observe(endpoint, call_case))
        return action

    republish = case.get("republish")
    unit.run_hook("update-status", action=act(case, observe=republish is None))
    if republish is not None:
        # the charm publishes again, these arguments replacing the same-named ones
        if not isinstance(republish, dict) or not isinstance(case.get("args"), dict):
            pytest.fail("republish: expected an object of arguments, and the case's args")
        assert "raised" not in outcome, "unexpected ValueError: {}".format(outcome.get("raised"))
        again = dict(case, args=dict(case["args"], **republish))
        unit.run_hook("update-status", action=act(again, observe=True))
    app_bag, unit_bag = unit.local_app_data(rid), unit.local_unit_data(rid)
    if "raises" in expect:
        assert expect["raises"] == "ValueError", f"unknown exception kind {expect!r}"
        assert isinstance(outcome.get("raised"), ValueError), "expected ValueError, none raised"
        assert str(outcome["raised"]), "ValueError without a message"
        assert app_bag == {} and unit_bag == {}, "a rejected call wrote data"
        return
    assert "raised" not in outcome, "unexpected ValueError: {}".format(outcome.get("raised"))
    # without a deviation, what the layer must write is what upstream wrote
    if "deviation" not in case:
        for bag in ("app_databag", "unit_databag"):
            if bag in expect and bag in upstream:
                assert expect[bag] == upstream[bag], (
                    f"vectors: expect.{bag} is not upstream's and the case notes no deviation")
    # what was written, byte for byte (nothing where the case records nothing)
    assert_bag(adapter, case, "app_databag", app_bag, expect.get("app_databag", {}))
    assert_bag(adapter, case, "unit_databag", unit_bag, expect.get("unit_databag", {}))
    for field in adapter.provider_expect_fields:
        if field in expect:
            adapter.check_provider(field, expect[field], unit_bag, seen)


def _write_unit(unit, rid, name, data):
    """A remote unit written into relation ``rid`` past the simulator's rules, then its
    relation-joined and -changed."""
    from jujusim import state as jst

    key = rid.split(":")[1]

    def add(state):
        bag = jst.juju_address_keys(f"10.1.{int(key) % 250}.{len(state['relations'][key]['units']) + 1}")
        bag.update(data or {})
        state["relations"][key]["units"][name] = bag

    unit.edit(add)
    endpoint = unit.relation(rid)["endpoint"]
    for hook in ("joined", "changed"):
        unit.run_hook(f"{endpoint}-relation-{hook}", rid=rid, remote_unit=name)


def run_requirer(adapter, top, case, make_unit, charm_named):
    _check_keys(case, COMMON_CASE_KEYS | REQUIRER_INPUTS | set(adapter.requirer_inputs), "case")
    expect = case["expect"]
    _check_keys(expect, {"available", "invalid"} | set(adapter.exposed_fields)
                | set(adapter.after_fields), "expect")
    unit = _unit(make_unit, top, case, adapter, charm_named=charm_named,
                 leader=case.get("leader", True))
    if "relations" in case:
        relations = case["relations"]
    else:
        bags = case.get("remote_app_databags")
        if bags is None:
            bags = [case["remote_app_databag"]] if "remote_app_databag" in case else None
        if bags is None:
            pytest.fail("requirer case without remote data")
        relations = [{"application": f"remote{i}", "app_databag": bag,
                      "units": {f"remote{i}/0": {}}} for i, bag in enumerate(bags)]
    rids = []
    container = unit.endpoints[adapter.requires_endpoint]["scope"] == "container"
    if container:
        unit.subordinate = True  # Juju: a container-scoped endpoint is a subordinate's
    # upstream's cases relate more applications than the example charm's `limit` allows
    unit.enforces_limits = False
    for relation in relations:
        _check_keys(relation, {"application", "app", "app_databag", "units"}, "relation")
        names = sorted(relation["units"])
        joined = names[:1] if container else names
        rid = unit.relate(adapter.requires_endpoint, relation.get("application") or relation["app"],
                          units=joined, unit_data={n: relation["units"][n] for n in joined},
                          app_data=relation.get("app_databag") or {})
        for name in names[len(joined):]:
            # Juju never puts a second unit on a container-scoped relation, and refuses to
            # here; upstream's case has one, so it goes into the model directly.
            _write_unit(unit, rid, name, relation["units"][name])
        rids.append(rid)
    adapter.drive(unit, rids, case)
    seen = {}

    def action(endpoint_from_name):
        endpoint = endpoint_from_name(adapter.requires_endpoint)
        adapter.require(endpoint, case)
        seen.update(adapter.exposed(endpoint))

    unit.run_hook("update-status", action=action)
    flags = unit.flags
    ep = adapter.requires_endpoint
    available = expect["available"] if "available" in expect else adapter.available(expect)
    assert (f"{ep}.available" in flags) == available
    assert (f"{ep}.invalid" in flags) == expect.get("invalid", False)
    for field in adapter.exposed_fields:
        if field in expect:
            adapter.compare(field, seen[field], expect[field], rids)
    if not adapter.requirer_writes:
        for rid in rids:
            assert unit.local_app_data(rid) == {}, f"the requirer wrote its app databag on {rid}"
            assert unit.local_unit_data(rid) == {}, f"the requirer wrote its unit databag on {rid}"
    after = {field: expect[field] for field in adapter.after_fields if field in expect}
    if after:
        adapter.check_after(unit, rids, after)



def assert_bag(adapter, case, bag, got, want):
    """The databag ``bag`` (``app_databag``, ``unit_databag``, ...) the layer wrote is the
    recorded one: the same keys, each value byte for byte unless the adapter's
    ``compare_value`` says which part upstream leaves arbitrary."""
    if not isinstance(want, dict):
        raise AssertionError(f"{bag}: expected an object of strings, got {want!r:.200}")
    if set(got) != set(want):
        raise AssertionError(f"{bag}: keys written {sorted(got)}, recorded {sorted(want)}")
    for key in sorted(want):
        adapter.compare_value(bag, key, got[key], want[key], case)


RUNNERS = {"provider": run_provider, "requirer": run_requirer}
