"""Fuzzing every layer through the simulated Juju: the machinery of the fuzz properties.

Each layer's properties are in ``tests/<interface>/test_fuzz*.py``, drawing from its
``fuzz_data.py`` (built on ``kit.fuzz_data``); this module runs their examples.

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
each property ran and how many failed; ``kit.fuzz_report`` prints them.
"""

from urllib.parse import urlsplit

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from jujusim import state as jst
from kit import fuzz_data as fd
from kit import registered
from kit.layer import public_flags
from kit.leakcheck import secrets_in_bag, secrets_in_kv, secrets_shown, visible_text

#: examples per simulated unit before a fresh one is made (keeps its logs short)
BATCH = 100
SETTINGS = {"deadline": None, "suppress_health_check": [
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example, HealthCheck.filter_too_much]}
#: provides sides get at most this many examples (``make fuzz`` spends its time on requires)
PROVIDES_CAP = 2000


def provides_settings():
    """The settings of a provides-side property: ``SETTINGS``, at most ``PROVIDES_CAP`` examples."""
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
        if self.unit.endpoints[self.endpoint]["scope"] == "container":
            self.unit.subordinate = True  # Juju: a container-scoped endpoint is a subordinate's
        names = [f"{self.layer.remote_app}/{i}" for i in range(self.units)]
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


def read_endpoint(layer, seen, read=None):
    """A hook action that records what the requires endpoint exposes (and, with ``read``,
    whatever ``read(endpoint, seen)`` records besides)."""
    def act(endpoint_from_name):
        endpoint = endpoint_from_name(layer.requires)
        seen["exposed"] = layer.exposed(endpoint)
        seen["reason"] = endpoint.invalid_reason
        if read:
            read(endpoint, seen)
    return act


def visible_texts(result):
    texts = [visible_text(c["tool"], c["args"]) for c in result.calls]
    return [t for t in texts if t] + ([result.error] if result.error else [])


def assert_hook_clean(result, secrets, app_keys=()):
    """No error, no secret shown, no relation data written (but the application keys a
    requires side writes back as upstream does, ``app_keys``, when it has any)."""
    assert result.error is None, result.error
    writes = [args for args in result.relation_sets if not (app_keys and "--app" in args)]
    assert writes == [], "a requires side wrote relation data"
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

# --------------------------------------------------------------------------
# Requires sides
# --------------------------------------------------------------------------

def requires_example(related, bag, verdict, check_available, unit_bags=None, read=None,
                     valid_means_available=True):
    """Feed one example to a requires side and check the properties that hold for any layer;
    ``check_available(seen)`` checks what the layer exposes when ``available`` is set.
    ``valid_means_available``: data the contract accepts sets ``available`` (parca_scrape:
    only when it holds a job, which its property checks itself)."""
    unit = related.next()
    seen = {}
    result = related.feed(bag, unit_bags, action=read_endpoint(related.layer, seen, read))
    secrets = secrets_in_bag(bag) | {s for b in (unit_bags or {}).values() for s in secrets_in_bag(b)}
    assert_hook_clean(result, secrets, related.layer.requires_app_keys)
    available = assert_flags(unit, related.layer, verdict, seen)
    if verdict.kind == fd.VALID and valid_means_available:
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

# --------------------------------------------------------------------------
# Provides sides: a clean ValueError, or a round trip through the decoder
# --------------------------------------------------------------------------

def provide(related, call, secrets=()):
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


def url_arg():
    """A URL argument with its verdict: a URL of ``URL_VALUES``, or any odd value."""
    return st.one_of(fd.URL_VALUES, fd.ODD_ARG.map(
        lambda v: (v, fd.Verdict(fd.UNKNOWN if isinstance(v, str) else fd.INVALID))))


def optional_url_arg():
    """An optional URL argument: None is valid there (``ODD_ARG`` draws it too)."""
    return st.one_of(st.just((None, None)), url_arg()).map(
        lambda arg: (None, None) if arg[0] is None else arg)


def check_verdict(error, kind):
    """A provides call refused (``error``) exactly where the verdict's ``kind`` says so."""
    if kind == fd.VALID:
        assert error is None, f"refused valid input: {error}"
    elif kind == fd.INVALID:
        assert error is not None, "accepted input the contract rejects"


# --------------------------------------------------------------------------

_CURRENT = {}


def relate(make_unit, interface, side, units=1):
    """The ``Related`` unit of the running test, kept across its examples (one per test:
    ``make_unit`` is the test's own factory, so a new test starts afresh)."""
    current = _CURRENT.get("related")
    if current is None or current.make_unit is not make_unit or (
            current.layer.interface, current.side) != (interface, side):
        _CURRENT["related"] = Related(make_unit, registered.module(interface, "row").ROW, side,
                                     units=units)
    return _CURRENT["related"]
