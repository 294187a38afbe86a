"""Fuzzing every layer through the simulated Juju, with generated remote data and calls.

Requires sides: each example is a remote application databag (and, for
parca_scrape, two remote units' databags) drawn by ``fuzz_data``, written into
the model and followed by one ``relation-changed`` hook through the real
charms.reactive bus. Properties, for every example:

* no exception escapes the hook, and a requires side writes no relation data;
* data the contract rejects never sets ``available`` (it sets ``invalid``);
  data it accepts sets ``available`` and the layer exposes what the contract
  says; no data sets neither;
* whenever ``available`` is set, what the layer exposes is well formed
  (``get_data()`` URLs are normalised http(s) URLs, ``jobs()`` are strict
  JSON of the documented shape, ``config`` has the three string keys);
* no log line, status or error shows this example's token or URL password.

Provides sides: each example is a ``publish`` call (or
``update_scrape_job_spec`` / ``set_unit_address``) with generated arguments, in
a hook on the leader: either a clean ``ValueError`` that writes nothing, or
data that the same layer's requires-side decoder reads back as the value that
was published (round trip).

How many examples: the Hypothesis profile (``ci`` for ``make test``, ``fuzz``
for ``make fuzz``, see ``conftest.py``). ``FUZZ_STATS`` counts the examples
each property ran and how many failed; ``fuzz_report`` prints them.
"""

import dataclasses
import json
from urllib.parse import urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fuzz_data as fd
from fuzz_report import counted
from jujusim import state as jst
from layer_table import BY_NAME, public_flags
from leakcheck import secrets_in_bag, secrets_in_kv, secrets_shown, visible_text

#: examples per simulated unit before a fresh one is made (keeps its logs short)
BATCH = 100
SETTINGS = {"deadline": None, "suppress_health_check": [
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example, HealthCheck.filter_too_much]}
#: provides sides get at most this many examples (``make fuzz`` spends its time on requires)
PROVIDES_CAP = 2000


def _provides_settings():
    return settings(max_examples=min(settings().max_examples, PROVIDES_CAP), **SETTINGS)


class Related:
    """A unit whose requires (or provides) endpoint is related to one remote application."""

    def __init__(self, make_unit, layer, side, units=1):
        self.make_unit, self.layer, self.side, self.units = make_unit, layer, side, units
        self.examples = 0
        self._new()

    def _new(self):
        # One unit serves many examples, and a value that is a secret in one example can be
        # ordinary data that another shows (an "insecure" value quoted in a warning): each
        # example checks its own hook against its own secrets (``assert_hook_clean``,
        # ``_provide``) instead of the suite-wide check, which would mix them.
        self.unit = self.make_unit(watched=False)
        self.endpoint = self.layer.requires if self.side == "requires" else self.layer.provides
        names = [f"{self.layer.remote_app}/{i}" for i in range(self.units)]
        if self.side == "requires" and self.layer.interface == "parca_scrape":
            names = [f"target/{i}" for i in range(self.units)]
        self.remote_units = names
        self.rid = self.unit.relate(self.endpoint, self.layer.remote_app, units=names)

    def next(self):
        """The unit to use for the next example (a fresh one every ``BATCH`` examples)."""
        self.examples += 1
        if self.examples % BATCH == 0:
            self._new()
        return self.unit

    def feed(self, app_bag, unit_bags=None, action=None):
        """The remote side's databags become ``app_bag`` / ``unit_bags``; one relation-changed."""
        key = self.rid.split(":")[1]

        def change(state):
            relation = state["relations"][key]
            relation["app"] = {}
            jst.apply_settings(relation["app"], app_bag)
            for name, bag in (unit_bags or {}).items():
                fresh = {k: v for k, v in relation["units"][name].items() if k in jst.JUJU_ADDRESS_KEYS}
                jst.apply_settings(fresh, bag)
                relation["units"][name] = fresh

        self.unit.edit(change)
        return self.unit.run_hook(f"{self.endpoint}-relation-changed", rid=self.rid,
                                  remote_unit=self.remote_units[0], action=action, check=False)


def read_endpoint(layer, seen):
    """A hook action that records what the requires endpoint exposes."""
    def act(endpoint_from_name):
        endpoint = endpoint_from_name(layer.requires)
        seen["exposed"] = layer.exposed(endpoint)
        seen["reason"] = endpoint.invalid_reason
        if layer.interface == "parca_store":
            seen["data"] = endpoint.get_data()
            seen["config"] = endpoint.config
    return act


def visible_texts(result):
    texts = [visible_text(c["tool"], c["args"]) for c in result.calls]
    return [t for t in texts if t] + ([result.error] if result.error else [])


def assert_hook_clean(result, secrets):
    assert result.error is None, result.error
    assert result.relation_sets == [], "a requires side wrote relation data"
    shown = secrets_shown(secrets, visible_texts(result))
    assert not shown, f"secret shown: {shown}"


def assert_flags(unit, layer, verdict, seen):
    flags = public_flags(unit.flags, layer.requires)
    available, invalid = f"{layer.requires}.available" in flags, f"{layer.requires}.invalid" in flags
    if verdict.kind == fd.INVALID:
        assert not available and invalid, (flags, seen.get("reason"))
        assert seen["reason"]
    elif verdict.kind == fd.EMPTY:
        assert not available and not invalid, (flags, seen.get("reason"))
    elif verdict.kind == fd.VALID:
        assert not invalid, seen.get("reason")
    assert not (available and invalid)
    return available


def assert_normalised_url(url, normalise):
    """A URL as the layer exposes it: printable ASCII, http(s), a host, a port that parses."""
    assert isinstance(url, str) and url.isascii() and url.isprintable() and " " not in url, url
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname, url
    parts.port  # noqa: B018  (raises ValueError when the port is not one)
    assert normalise(url) == url, "not in normal form"


def _strict_json(value):
    return json.loads(json.dumps(value, allow_nan=False))


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


# --------------------------------------------------------------------------
# Requires sides
# --------------------------------------------------------------------------

def _requires_example(related, bag, verdict, check_available, unit_bags=None):
    unit = related.next()
    seen = {}
    result = related.feed(bag, unit_bags, action=read_endpoint(related.layer, seen))
    secrets = secrets_in_bag(bag) | {s for b in (unit_bags or {}).values() for s in secrets_in_bag(b)}
    assert_hook_clean(result, secrets)
    available = assert_flags(unit, related.layer, verdict, seen)
    if verdict.kind == fd.VALID and related.layer.interface != "parca_scrape":
        assert available, seen.get("reason")
    if available:
        check_available(seen)
    else:
        assert not seen["exposed"]


def assert_url_pair(urls, normalise):
    """``{"direct_url": URL, "ingress_url": URL or None}``, both normalised."""
    assert set(urls) == {"direct_url", "ingress_url"}
    assert_normalised_url(urls["direct_url"], normalise)
    if urls["ingress_url"] is not None:
        assert_normalised_url(urls["ingress_url"], normalise)


@settings(**SETTINGS)
@given(example=fd.prometheus_bag())
def test_fuzz_prometheus_api_requires(make_unit, import_layer, example):
    side = "requires"
    normalise = import_layer("prometheus_api").normalise_http_url
    related = _related(make_unit, "prometheus_api", side)
    bag, verdict = example

    def check(seen):
        data = seen["exposed"]
        assert_url_pair(data, normalise)
        if verdict.expected is not None:
            assert data == verdict.expected

    with counted("prometheus_api", side):
        _requires_example(related, bag, verdict, check)


@settings(**SETTINGS)
@given(example=fd.tempo_bag())
def test_fuzz_tempo_api_requires(make_unit, import_layer, example):
    side = "requires"
    normalise = import_layer("tempo_api").normalise_http_url
    related = _related(make_unit, "tempo_api", side)
    bag, verdict = example

    def check(seen):
        data = seen["exposed"]
        assert set(data) == {"http", "grpc"}
        for urls in data.values():
            assert_url_pair(urls, normalise)
        if verdict.expected is not None:
            assert data == verdict.expected

    with counted("tempo_api", side):
        _requires_example(related, bag, verdict, check)


@settings(**SETTINGS)
@given(example=fd.store_bag())
# found by make fuzz (seed 20261122): a token that is part of the framework's flag names,
# and a token equal to the address
@example(example=({"remote-store-bearer-token": "private-"}, fd.Verdict(fd.INVALID)))
@example(example=({"remote-store-address": "0", "remote-store-bearer-token": "0"},
                  fd.Verdict(fd.VALID, {"config": {"remote-store-address": "0",
                                                   "remote-store-bearer-token": "0",
                                                   "remote-store-insecure": ""},
                                        "bearer_token": "0", "insecure": False})))
def test_fuzz_parca_store_requires(make_unit, example):
    side = "requires"
    related = _related(make_unit, "parca_store", side)
    bag, verdict = example

    def check(seen):
        config, data = seen["config"], seen["data"]
        assert set(config) == {"remote-store-address", "remote-store-bearer-token",
                               "remote-store-insecure"}
        assert all(isinstance(v, str) for v in config.values())
        assert data.address.strip() and isinstance(data.insecure, bool)
        if data.bearer_token:  # repr() does not depend on the token (it may equal the address)
            assert repr(data) == repr(dataclasses.replace(data, bearer_token="another-token"))
        if verdict.expected is not None:
            assert config == verdict.expected["config"]
            assert data.bearer_token == verdict.expected["bearer_token"]
            assert data.insecure is verdict.expected["insecure"]

    with counted("parca_store", side):
        _requires_example(related, bag, verdict, check)


@settings(**SETTINGS)
@given(example=fd.scrape_bags())
def test_fuzz_parca_scrape_requires(make_unit, example):
    side = "requires"
    related = _related(make_unit, "parca_scrape", side, units=2)
    bag, unit_bags, verdict = example

    def check(seen):
        jobs = seen["exposed"]
        assert isinstance(jobs, list) and jobs
        assert _strict_json(jobs) == jobs, "jobs are not strict JSON"
        for job in jobs:
            assert isinstance(job, dict) and isinstance(job.get("static_configs", []), list)
            for sc in job.get("static_configs", []):
                assert isinstance(sc, dict)
                assert all(isinstance(t, str) for t in sc.get("targets", []))
                labels = sc.get("labels") or {}
                assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
        if verdict.expected is not None:
            _check_scrape_jobs(jobs, verdict.expected)

    with counted("parca_scrape", side):
        _requires_example(related, bag, verdict, check, unit_bags)
        if verdict.kind == fd.VALID:  # available iff there is a job
            flags = public_flags(related.unit.flags, related.layer.requires)
            has_jobs = bool(verdict.expected["jobs"])
            assert (f"{related.layer.requires}.available" in flags) == has_jobs


def _check_scrape_jobs(jobs, expected):
    """The jobs Parca builds, by the contract: one per published job, topology, per-unit configs."""
    sent, meta, units = expected["jobs"], expected["metadata"], expected["units"]
    if meta is None:
        assert jobs == sent  # passed on as received
        return
    assert len(jobs) == len(sent)
    prefix = "{}_{}_{}".format(meta["model"], meta["model_uuid"][:8], meta["application"])
    for job, original in zip(jobs, sent):
        name = original.get("job_name")
        assert job["job_name"] == prefix + (f"_{name}" if name else "")
        assert job["relabel_configs"][-1]["target_label"] == "instance"
        configs = job["static_configs"]
        want = 0
        # a job without static_configs gets the default one; one config per unit name
        for sc in original.get("static_configs", [{"targets": ["*:80"]}]):
            fixed = [t for t in sc["targets"] if not t.startswith("*")]
            want += (1 if fixed else 0) + len({n for n, _ in units})
        assert len(configs) == want
        for sc in configs:
            assert sc["labels"]["juju_model"] == meta["model"]
            assert sc["labels"]["juju_application"] == meta["application"]
        assert {sc["labels"]["juju_unit"] for sc in configs if "juju_unit" in sc["labels"]} <= {
            n for n, _ in units}
        hosts = {fd.ipv6_host(a) for _, a in units}
        for sc in configs:
            if "juju_unit" in sc["labels"]:
                assert all(t.rsplit(":", 1)[0] in hosts or t in hosts for t in sc["targets"])


# --------------------------------------------------------------------------
# Provides sides: a clean ValueError, or a round trip through the decoder
# --------------------------------------------------------------------------

def _provide(related, call, secrets=()):
    """Run ``call(endpoint)`` in a hook on the leader; returns (error, app bag, unit bag).

    Neither the hook's visible texts nor the error show ``secrets`` or a secret the unit
    holds after the hook (in its databags or remembered publications)."""
    caught = {}
    related.next()
    before = related.unit.local_app_data(related.rid), related.unit.local_unit_data(related.rid)

    def act(endpoint_from_name):
        try:
            call(endpoint_from_name(related.layer.provides))
        except ValueError as e:
            caught["error"] = e

    result = related.unit.run_hook("update-status", action=act, check=False)
    assert result.error is None, result.error
    app, unit_bag = related.unit.local_app_data(related.rid), related.unit.local_unit_data(related.rid)
    held = set(secrets) | secrets_in_kv(related.unit) | secrets_in_bag(app) | secrets_in_bag(unit_bag)
    texts = visible_texts(result) + ([str(caught["error"])] if "error" in caught else [])
    shown = secrets_shown(held, texts)
    assert not shown, f"secret shown: {shown}"
    if "error" in caught:
        assert result.relation_sets == [] and (app, unit_bag) == before, "a refused call wrote data"
    return caught.get("error"), app, unit_bag


def _url_arg():
    return st.one_of(fd.URL_VALUES, fd.ODD_ARG.map(
        lambda v: (v, fd.Verdict(fd.UNKNOWN if isinstance(v, str) else fd.INVALID))))


def _optional_url_arg():
    """An optional URL argument: None is valid there (``ODD_ARG`` draws it too)."""
    return st.one_of(st.just((None, None)), _url_arg()).map(
        lambda arg: (None, None) if arg[0] is None else arg)


@_provides_settings()
@given(direct=_url_arg(), ingress=_optional_url_arg())
def test_fuzz_prometheus_api_provides(make_unit, import_layer, direct, ingress):
    side = "provides"
    common = import_layer("prometheus_api")
    related = _related(make_unit, "prometheus_api", side)
    with counted("prometheus_api", side):
        error, app, _ = _provide(related, lambda e: e.publish(direct[0], ingress_url=ingress[0]))
        verdicts = [direct[1]] + ([ingress[1]] if ingress[1] else [])
        _check_verdict(error, fd.combine(verdicts))
        if error is None:
            data = common.PrometheusApiData.from_databag(app)
            want = {"direct_url": common.normalise_http_url(direct[0]),
                    "ingress_url": common.normalise_http_url(ingress[0]) if ingress[1] else None}
            assert data.as_dict() == want
            for verdict, key in ((direct[1], "direct_url"), (ingress[1], "ingress_url")):
                if verdict and verdict.kind == fd.VALID:
                    assert want[key] == verdict.expected


@_provides_settings()
@given(urls=st.tuples(_url_arg(), _url_arg(), _optional_url_arg(), _optional_url_arg()))
def test_fuzz_tempo_api_provides(make_unit, import_layer, urls):
    side = "provides"
    common = import_layer("tempo_api")
    related = _related(make_unit, "tempo_api", side)
    args = [u[0] for u in urls]
    with counted("tempo_api", side):
        error, app, _ = _provide(related, lambda e: e.publish(*args))
        _check_verdict(error, fd.combine([u[1] for u in urls if u[1]]))
        if error is None:
            data = common.TempoApiData.from_databag(app).as_dict()
            norm = [common.normalise_http_url(a) if a is not None else None for a in args]
            assert data == {"http": {"direct_url": norm[0], "ingress_url": norm[2]},
                            "grpc": {"direct_url": norm[1], "ingress_url": norm[3]}}


@_provides_settings()
@given(port=fd.PORTS, insecure=st.one_of(st.booleans(), fd.ODD_ARG),
       external_url=st.one_of(st.none(), fd.STORE_ADDRESS, fd.ODD_ARG),
       token=st.one_of(st.none(), fd.TOKEN, fd.TEXT, fd.ODD_ARG))
# found by make fuzz (seed 20261122): a blank external URL is refused, as documented
@example(port=1, insecure=False, external_url=" " * 40, token=None)
@example(port=7070, insecure=False, external_url=None, token="tok-Zq8RkT3vLm5e2b7d")  # a real one
def test_fuzz_parca_store_provides(make_unit, import_layer, port, insecure, external_url, token):
    side = "provides"
    common = import_layer("parca_store")
    related = _related(make_unit, "parca_store", side)
    ok = (isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535
          and isinstance(insecure, bool) and isinstance(external_url, (str, type(None)))
          and not (external_url and not external_url.strip())  # blank: "give host:port or None"
          and isinstance(token, (str, type(None))))
    with counted("parca_store", side):
        error, app, _ = _provide(related, lambda e: e.publish(
            port=port, insecure=insecure, external_url=external_url, bearer_token=token),
            secrets={token} if isinstance(token, str) else ())
        assert (error is None) == ok, error
        if error is None:
            data = common.ParcaStoreConfig.from_databag(app)
            assert data is not None, "published data the requires side cannot read"
            assert data.address == (external_url or f"10.0.0.10:{port}")
            assert data.bearer_token == (token or None)
            assert data.insecure is insecure


@_provides_settings()
@given(jobs=fd.scrape_jobs_arg(), address=fd.ADDRESS_ARG)
def test_fuzz_parca_scrape_provides(make_unit, import_layer, jobs, address):
    side = "provides"
    common = import_layer("parca_scrape")
    related = _related(make_unit, "parca_scrape", side)
    with counted("parca_scrape", side):
        error, app, unit_bag = _provide(related, lambda e: e.update_scrape_job_spec(jobs))
        if error is None:
            metadata = json.loads(app["scrape_metadata"], parse_constant=_reject_constant)
            published = json.loads(app["scrape_jobs"], parse_constant=_reject_constant)
            assert common.decode_jobs(app["scrape_jobs"]) == published
            assert metadata["model_uuid"] == related.unit.state["model"]["uuid"]
            if jobs:
                assert len(published) == len(jobs)
                for job in published:
                    assert set(job) <= set(common.ALLOWED_JOB_KEYS)
            scraped = common.relation_jobs(app, {related.unit.name: unit_bag})
            assert len(scraped) == len(published)
        error, _, unit_bag = _provide(related, lambda e: e.set_unit_address(address))
        if error is None:
            want = address.strip() if address is not None else "10.0.0.10"
            assert unit_bag["parca_scrape_unit_address"] == want
            assert unit_bag["parca_scrape_unit_name"] == related.unit.name


def _check_verdict(error, kind):
    if kind == fd.VALID:
        assert error is None, f"refused valid input: {error}"
    elif kind == fd.INVALID:
        assert error is not None, "accepted input the contract rejects"


# --------------------------------------------------------------------------

_CURRENT = {}


def _related(make_unit, interface, side, units=1):
    """The ``Related`` unit of the running test, kept across its examples (one per test:
    ``make_unit`` is the test's own factory, so a new test starts afresh)."""
    current = _CURRENT.get("related")
    if current is None or current.make_unit is not make_unit or (
            current.layer.interface, current.side) != (interface, side):
        _CURRENT["related"] = Related(make_unit, BY_NAME[interface], side, units=units)
    return _CURRENT["related"]
