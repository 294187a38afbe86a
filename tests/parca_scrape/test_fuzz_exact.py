"""parca_scrape is wire-exact on any input: generated relations and calls against an oracle.

The oracle below is written from the rules of ``shared/contract/README.md``
(section parca_scrape) and the refusals the layer's README documents, not
from the layer's code. Each example runs through the real layer in the
simulated Juju:

* requires side: a related target application of three units gets the
  generated databags (``parca_scrape.exact_data.scrape_relation``), one
  ``relation-changed`` hook runs, and what ``jobs()`` exposes must be what the
  oracle derives (static configs compared as an unordered collection, as the
  contract says), or, for input the README lists as refused, the relation is
  ``invalid`` with a reason naming it and ``scrape_jobs``, and nothing is
  exposed;
* provides side: ``update_scrape_job_spec`` with a generated argument on the
  leader writes ``scrape_jobs`` and ``scrape_metadata`` byte for byte as
  upstream writes them (``static_configs`` first, then the caller's kept keys
  in the caller's order), or raises ``ValueError`` and writes nothing.

``make test`` runs a fixed number of examples (Hypothesis profile ``ci``),
``make fuzz`` runs them at scale (profile ``fuzz``); both count into the fuzz
table (``kit.fuzz_report.counted``) as ``parca_scrape`` ``requires (exact)`` and
``provides (exact)``.
"""

import ipaddress
import json

from hypothesis import example, given, settings

from kit import fuzz
from kit.fuzz_report import counted
from kit.layer import public_flags
from parca_scrape import exact_data as sd
from parca_scrape.row import ROW as LAYER

EP = LAYER.requires
INVALID = "invalid"
DEFAULT_STATIC_CONFIGS = [{"targets": ["*:80"]}]

# --------------------------------------------------------------------------
# The oracle: the contract's rules, and the refusals the layer's README lists
# --------------------------------------------------------------------------


def _is_str_map(value):
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items())


def _refused(job):
    """Whether a job (as received, or reduced) has a key of a shape the README refuses."""
    if job.get("job_name") is not None and not isinstance(job["job_name"], str):
        return True
    if job.get("relabel_configs") is not None and not isinstance(job["relabel_configs"], list):
        return True
    if "static_configs" not in job:
        return False
    if not isinstance(job["static_configs"], list):
        return True
    for sc in job["static_configs"]:
        if not isinstance(sc, dict):
            return True
        if "targets" in sc and not (isinstance(sc["targets"], list)
                                    and all(isinstance(t, str) for t in sc["targets"])):
            return True
        if sc.get("labels") is not None and not _is_str_map(sc["labels"]):
            return True
    return False


def _reduce(job):
    """The contract: only the kept keys survive, a job without static_configs gets the default
    one (and, as the target writes it, static_configs comes first)."""
    out = {"static_configs": job["static_configs"] if "static_configs" in job
           else DEFAULT_STATIC_CONFIGS}
    for key, value in job.items():
        if key in sd.KEPT_KEYS and key != "static_configs":
            out[key] = value
    return out


def _port(text):
    """The port of a ``*`` target: one to five ASCII digits, 1-65535 (else refused)."""
    return text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= 65535


def _host(address):
    """A unit address as a target's host: IPv6 literals (with or without a %zone) bracketed."""
    try:
        ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    return f"[{address}]"


def _units(unit_bags):
    """``[(name, address)]``: units with an address (the legacy key when the new one is
    missing), named by what they publish, else by their Juju name; one per name, the
    first unit in Juju's unit order winning."""
    out = {}
    for juju_name in sd.UNITS:
        bag = unit_bags[juju_name]
        address = bag.get("parca_scrape_unit_address") or bag.get("parca_scrape_host")
        name = bag.get("parca_scrape_unit_name") or juju_name
        if address and name not in out:
            out[name] = address
    return list(out.items())


def expected_jobs(app_bag, unit_bags):
    """What ``jobs()`` must return for one relation, or ``INVALID``."""
    raw = app_bag.get("scrape_jobs")
    if not raw:
        return []
    jobs = json.loads(raw)
    if not isinstance(jobs, list) or not all(isinstance(job, dict) for job in jobs):
        return INVALID
    raw_meta = app_bag.get("scrape_metadata")
    if not raw_meta:  # passed on as received
        return INVALID if any(_refused(job) for job in jobs) else jobs
    meta = json.loads(raw_meta)
    jobs = [_reduce(job) for job in jobs]
    if any(_refused(job) for job in jobs):
        return INVALID
    topology = {key: value for key, value in (
        ("juju_model", meta["model"]), ("juju_model_uuid", meta["model_uuid"]),
        ("juju_application", meta["application"]), ("juju_charm", meta.get("charm_name")))
        if value}
    prefix = "{}_{}_{}".format(meta["model"], meta["model_uuid"][:8], meta["application"])
    units = _units(unit_bags)
    out = []
    for job in jobs:
        configs, per_unit = [], False
        for sc in job["static_configs"]:
            labels = dict(sc.get("labels") or {}, **topology)
            ports, fixed = [], []
            for target in sc.get("targets", []):
                host, colon, port = target.partition(":")
                if host.strip() != "*":
                    fixed.append(target)
                elif colon and _port(port.strip()):
                    ports.append(port.strip())
                else:
                    return INVALID
            if fixed:
                configs.append({"targets": fixed, "labels": labels})
            for name, address in units:
                host = _host(address)
                configs.append({"labels": dict(labels, juju_unit=name),
                                "targets": [f"{host}:{p}" for p in ports] or [host]})
                per_unit = True
        sources = ["juju_model", "juju_model_uuid", "juju_application"]
        if per_unit:  # the job got at least one unit's static config
            sources.append("juju_unit")
        labeled = dict(job)
        labeled["job_name"] = prefix + ("_" + job["job_name"] if job.get("job_name") else "")
        labeled["static_configs"] = configs
        labeled["relabel_configs"] = [{"source_labels": sources, "separator": "_",
                                       "target_label": "instance", "regex": "(.*)"}]
        out.append(labeled)
    return out


def comparable(jobs):
    """Jobs in order, each job's static configs as an unordered collection (the contract), as
    JSON text: ``0``, ``0.0`` and ``false`` are equal to ``==``, not on the wire."""
    return json.dumps([dict(job, static_configs=sorted(json.dumps(sc, sort_keys=True)
                                                       for sc in job["static_configs"]))
                       if isinstance(job.get("static_configs"), list) else job for job in jobs],
                      sort_keys=True)


def expected_scrape_jobs(jobs):
    """The bytes of ``scrape_jobs`` upstream writes for ``update_scrape_job_spec(jobs)``; a
    job whose static_configs is ``None`` gets the default (the README's deviation)."""
    if not jobs:
        return json.dumps([{"static_configs": DEFAULT_STATIC_CONFIGS}])
    return json.dumps([_reduce(dict(job, static_configs=DEFAULT_STATIC_CONFIGS)
                               if job.get("static_configs") is None else job) for job in jobs])


# --------------------------------------------------------------------------
# Requires side
# --------------------------------------------------------------------------

_CURRENT = {}


def _related(make_unit, side):
    """One related unit per test (fresh for a new test), three remote units on the requires
    side; ``Related`` makes a fresh unit every ``BATCH`` examples."""
    current = _CURRENT.get(side)
    if current is None or current.make_unit is not make_unit:
        current = _CURRENT[side] = fuzz.Related(make_unit, LAYER, side, units=len(sd.UNITS))
    return current


def _bags(**units):
    """Unit databags for an ``@example``: every unit, ``{}`` unless given."""
    return {name: units.get(name.replace("/", ""), {}) for name in sd.UNITS}


def _meta(**extra):
    return json.dumps(dict({"model": "cos", "model_uuid": sd.UUID, "application": "t",
                            "unit": "t/0", "charm_name": "target"}, **extra))


def _issue_case(jobs, **units):
    """Issue 13's inputs: one unit at 10.0.0.1 (``target0``) unless ``units`` says otherwise."""
    units = units or {"target0": {"parca_scrape_unit_address": "10.0.0.1",
                                  "parca_scrape_unit_name": "t/0"}}
    return {"scrape_metadata": _meta(), "scrape_jobs": json.dumps(jobs)}, _bags(**units)


@settings(**fuzz.SETTINGS)
@given(relation=sd.scrape_relation())
# issue 13, items 5-9: dropped keys, a remote relabel rule, no static_configs, no unit config,
# whitespace around * and the port
@example(relation=_issue_case([{"metrics_path": "/x", "honor_labels": True, "params": {"a": ["b"]},
                                "sample_limit": 5, "static_configs": [{"targets": ["*:80"]}]}]))
@example(relation=_issue_case([{"relabel_configs": [{"action": "drop"}],
                                "static_configs": [{"targets": ["*:80"]}]}]))
@example(relation=_issue_case([{"job_name": "j"}]))
@example(relation=_issue_case([{"static_configs": []}]))
@example(relation=_issue_case([{"static_configs": [{"targets": ["*:80"]}]}],
                              target0={"parca_scrape_unit_name": "t/0"}))
@example(relation=_issue_case([{"static_configs": [{"targets": [" *:80"]}]}]))
@example(relation=_issue_case([{"static_configs": [{"targets": ["\u3000*\t: 80\n"]}]}]))
# two units publishing one name: one config (upstream keys its units by name)
@example(relation=_issue_case([{}], target0={"parca_scrape_unit_address": "10.0.0.1",
                                             "parca_scrape_unit_name": "t/0"},
                              target2={"parca_scrape_unit_address": "10.0.0.3",
                                       "parca_scrape_unit_name": "t/0"}))
# dropped keys are not checked (a relabel_configs that is no list); without scrape_metadata
# the same job is refused, as documented
@example(relation=_issue_case([{"relabel_configs": "drop", "static_configs": None}]))
@example(relation=_issue_case([{"relabel_configs": "drop"}]))
@example(relation=({"scrape_jobs": json.dumps([{"relabel_configs": "drop"}])}, _bags()))
def test_fuzz_parca_scrape_exact_requires(make_unit, relation):
    """For any relation, ``jobs()`` is what the contract derives, or the relation is invalid
    for a documented reason."""
    app_bag, unit_bags = relation
    related = _related(make_unit, "requires")
    with counted("parca_scrape", "requires (exact)"):
        unit = related.next()
        seen = {}

        def read(endpoint_from_name):
            endpoint = endpoint_from_name(EP)
            seen.update(jobs=endpoint.jobs(), reason=endpoint.invalid_reason)

        result = related.feed(app_bag, unit_bags, action=read)
        fuzz.assert_hook_clean(result, secrets=set())
        flags = public_flags(unit.flags, EP)
        want = expected_jobs(app_bag, unit_bags)
        if want == INVALID:
            assert f"{EP}.invalid" in flags and f"{EP}.available" not in flags, seen["reason"]
            assert related.rid in seen["reason"] and "scrape_jobs" in seen["reason"]
            assert seen["jobs"] == []
            assert all(related.rid in w and "scrape_jobs" in w for w in result.warnings)
        else:
            assert f"{EP}.invalid" not in flags, seen["reason"]
            assert (f"{EP}.available" in flags) == bool(want)
            assert comparable(seen["jobs"]) == comparable(want)
            assert result.warnings == []


# --------------------------------------------------------------------------
# Provides side
# --------------------------------------------------------------------------


@fuzz.provides_settings()
@given(spec=sd.job_spec_arg())
# issue 13, item 12: upstream's key order; item 10: static_configs None is the default job
@example(spec=([{"scheme": "https", "tls_config": {"insecure_skip_verify": True},
                 "profiling_config": {"path_prefix": "/debug"}, "scrape_timeout": "10s",
                 "static_configs": [{"targets": ["*:6060"]}], "metrics_path": "/x"}], True, None))
@example(spec=([{"job_name": "j", "static_configs": None}], True, None))
@example(spec=([{"scrape_interval": {1: "a", "1": "b"}}], False, None))
# found by the property (seed 20261122): the layer compared jobs with ==, so jobs with
# 0.0 where the last call had false were "the same" and not written
@example(spec=([{"scrape_timeout": [[False], 1]}], True, [{"scrape_timeout": [[0.0], True]}]))
def test_fuzz_parca_scrape_exact_provides(make_unit, spec):
    """``scrape_jobs`` and ``scrape_metadata`` are upstream's bytes, or the call raises
    ``ValueError`` and writes nothing; a second call with jobs that are equal to Python but
    not on the wire (``twin``) writes its own bytes."""
    jobs, ok, again = spec
    related = _related(make_unit, "provides")
    with counted("parca_scrape", "provides (exact)"):
        error, app, _ = fuzz.provide(related, lambda e: e.update_scrape_job_spec(jobs))
        assert (error is None) == ok, error
        if error is None:
            state = related.unit.state
            assert app["scrape_jobs"] == expected_scrape_jobs(jobs)
            assert app["scrape_metadata"] == json.dumps({
                "model": state["model"]["name"], "model_uuid": state["model"]["uuid"],
                "application": related.unit.app, "unit": related.unit.name,
                "charm_name": state["charm_name"]})
            error, app, _ = fuzz.provide(related, lambda e: e.update_scrape_job_spec(again))
            assert error is None, error
            assert app["scrape_jobs"] == expected_scrape_jobs(again)
