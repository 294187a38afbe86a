"""The contract runner: every case of every vectors file, through the real layer.

Each registered layer's cases are in ``tests/<interface>/vectors.json`` (a copy of the
vectors recorded from the upstream library); ``CONTRACT_VECTORS=<dir>`` runs the
``*.json`` files of another directory instead (one file per interface, named as you
like). A file or a case this runner does not understand fails; nothing is skipped.
Comparison rules: raw keys byte for byte, JSON keys (the adapter's ``json_keys``) after
``json.loads``, no extra keys (Juju's own address keys aside). The runner knows the
vector format and Juju; each layer's adapter (``tests/<interface>/adapter.py``) knows
the layer.
"""

import glob
import json
import os

import pytest

from kit import helpers, registered

COMMON_CASE_KEYS = {"name", "side", "upstream", "expect", "deviation"}
PROVIDER_COMMON = {"leader", "local", "bind_address", "fqdn"}
REQUIRER_INPUTS = {"remote_app_databags", "remote_app_databag", "relations"}


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
    """The local unit of a case: the model of the file; a provider case's ``local``
    identity (model, unit, charm name) when it gives one."""
    local = case.get("local") or {}
    _check_keys(local, LOCAL_KEYS, "local")
    if local.get("unit"):
        kwargs["unit"] = local["unit"]
        if local.get("application"):
            assert local["unit"].split("/")[0] == local["application"], "local: unit/application"
    if local.get("charm_name"):
        kwargs["charm"] = charm_named(local["charm_name"])
    kwargs.update(adapter.unit_kwargs(case))
    return make_unit(model_name=local.get("model") or top.get("model", "cos"),
                     model_uuid=local.get("model_uuid") or top.get(
                         "model_uuid", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
                     **kwargs)


def run_provider(adapter, top, case, make_unit, charm_named):
    _check_keys(case, COMMON_CASE_KEYS | PROVIDER_COMMON | set(adapter.provider_inputs), "case")
    expect = case["expect"]
    _check_keys(expect, {"app_databag", "unit_databag", "raises"}, "expect")
    unit = _unit(make_unit, top, case, adapter, charm_named=charm_named,
                 leader=case.get("leader", True))
    rid = unit.relate(adapter.provides_endpoint, "remote", units=1)
    outcome = {}

    def act(endpoint_from_name):
        try:
            adapter.provide(endpoint_from_name(adapter.provides_endpoint), case)
        except ValueError as e:
            outcome["raised"] = e

    unit.run_hook("update-status", action=act)
    app_bag, unit_bag = unit.local_app_data(rid), unit.local_unit_data(rid)
    if "raises" in expect:
        assert expect["raises"] == "ValueError", f"unknown exception kind {expect!r}"
        assert isinstance(outcome.get("raised"), ValueError), "expected ValueError, none raised"
        assert str(outcome["raised"]), "ValueError without a message"
        assert app_bag == {} and unit_bag == {}, "a rejected call wrote data"
        return
    assert "raised" not in outcome, "unexpected ValueError: {}".format(outcome.get("raised"))
    if "app_databag" in expect:
        assert adapter.decode_bag(app_bag) == adapter.decode_bag(expect["app_databag"])
        assert app_bag.keys() == expect["app_databag"].keys()
    else:
        assert app_bag == {}
    assert adapter.decode_bag(unit_bag) == adapter.decode_bag(expect.get("unit_databag", {}))


def run_requirer(adapter, top, case, make_unit, charm_named):
    _check_keys(case, COMMON_CASE_KEYS | REQUIRER_INPUTS, "case")
    expect = case["expect"]
    _check_keys(expect, {"available", "invalid"} | set(adapter.exposed_fields)
                | set(adapter.after_fields), "expect")
    unit = _unit(make_unit, top, case, adapter, charm_named=charm_named)
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
    for relation in relations:
        _check_keys(relation, {"application", "app", "app_databag", "units"}, "relation")
        rids.append(unit.relate(adapter.requires_endpoint,
                                relation.get("application") or relation["app"],
                                units=sorted(relation["units"]), unit_data=relation["units"],
                                app_data=relation.get("app_databag") or {}))
    seen = {}
    unit.run_hook("update-status", action=lambda e: seen.update(
        adapter.exposed(e(adapter.requires_endpoint))))
    flags = unit.flags
    ep = adapter.requires_endpoint
    available = expect["available"] if "available" in expect else adapter.available(expect)
    assert (f"{ep}.available" in flags) == available
    assert (f"{ep}.invalid" in flags) == expect.get("invalid", False)
    for field in adapter.exposed_fields:
        if field in expect:
            assert adapter.normalise(field, seen[field]) == adapter.normalise(field, expect[field])
    after = {field: expect[field] for field in adapter.after_fields if field in expect}
    if after:
        adapter.check_after(unit, rids, after)


RUNNERS = {"provider": run_provider, "requirer": run_requirer}
