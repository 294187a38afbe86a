"""Fuzzing cos_agent (``kit.fuzz``): a principal unit's ``config`` of any shape for the
collector side; ``publish()`` with arguments of any type for the principal side; and the
rules-file reader with any text.

Collector side, for every example: no exception escapes the hook; the collector writes
nothing but ``receivers``, and only once some ``config`` is usable; a ``config`` the
contract rejects never sets ``available`` (it sets ``invalid``), one it accepts sets
``available`` and the layer exposes what the contract derives from it; whatever is
exposed is well formed. Principal side: a clean ``ValueError`` that writes nothing,
exactly where the contract refuses the arguments, or a ``config`` written as upstream
writes it (compact JSON, upstream's field order, ``subordinate`` null) that, decoded with
the stdlib (never the layer's own decoder), holds what was asked for.
"""

import base64
import json
import lzma
import os
import socket
import tempfile

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cos_agent.adapter import decode_config
from cos_agent.fuzz_data import PUBLISH_ARGS as ARGS
from cos_agent.fuzz_data import SERVED, YAML_TEXT, principal_bag, publish_ok
from kit import fuzz, registered
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from kit.layer import public_flags

MODEL, UUID = "cos", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _upstream_fields():
    """The fields of ``config`` in the order upstream wrote them (the vectors' first case)."""
    with open(registered.vectors_file("cos_agent")) as f:
        case = json.load(f)["cases"][0]
    return list(json.loads(case["upstream"]["unit_databag"]["config"]))


UPSTREAM_FIELDS = _upstream_fields()
FQDN = socket.getfqdn()


def _exposed(endpoint, seen):
    seen["jobs"] = endpoint.metrics_jobs
    seen["slots"] = endpoint.snap_log_endpoints
    seen["metrics_alerts"] = endpoint.metrics_alerts
    seen["logs_alerts"] = endpoint.logs_alerts
    seen["dashboards"] = endpoint.dashboards
    seen["protocols"] = endpoint.requested_tracing_protocols()
    seen["principals"] = endpoint.principals
    seen["reason"] = endpoint.invalid_reason


def _expected_protocols(config):
    return sorted({p for p in config.get("tracing_protocols") or () if p in SERVED})


def check_valid(seen, config, unit):
    """What the contract derives from a usable ``config`` of principal ``unit``."""
    app = unit.split("/")[0]
    slots = [s.split(":") for s in config["log_slots"] if s.count(":") == 1]
    assert seen["slots"] == [{"owner": o, "name": n, "application": app, "unit": unit}
                             for o, n in slots]
    ident = f"{MODEL}_{UUID[:8]}_{app}"
    assert seen["metrics_alerts"] == ({ident: config["metrics_alert_rules"]}
                                      if config["metrics_alert_rules"] else {})
    assert seen["logs_alerts"] == ({ident: config["log_alert_rules"]}
                                   if config["log_alert_rules"] else {})
    assert seen["protocols"] == _expected_protocols(config)
    # every dashboard that decodes to an object (decoded here with the stdlib, not by the
    # layer), in order, and every job: a count that cannot pass when everything is dropped
    assert [d["content"] for d in seen["dashboards"]] == _decodable_dashboards(config)
    assert len(seen["jobs"]) == len(_usable_jobs(config))


def _usable_jobs(config):
    """The jobs of ``config`` the README keeps: all but a pre-0.5 job (``job_name``, ``path``
    and ``port``) whose ``port`` is not an integer or a string, and a job whose
    ``static_configs`` is not a list."""
    out = []
    for job in config["metrics_scrape_jobs"]:
        if {"job_name", "path", "port"} <= set(job):
            if isinstance(job["port"], bool) or not isinstance(job["port"], (int, str)):
                continue
        elif "static_configs" in job and not isinstance(job["static_configs"], list):
            continue
        out.append(job)
    return out


def _refuse(name):
    raise ValueError(name)


def _decodable_dashboards(config):
    """The contract's dashboards of ``config``: base64, xz, JSON; those that are objects,
    less those the README's deviations skip: NaN or Infinity (not JSON), more than 16 MiB
    or 200 levels once decoded."""
    out = []
    for entry in config["dashboards"]:
        try:
            text = lzma.decompress(base64.b64decode(entry))
            content = json.loads(text, parse_constant=_refuse)
        except (ValueError, lzma.LZMAError, RecursionError):
            continue
        if isinstance(content, dict) and len(text) <= 16 * 1024 * 1024 and fd.nesting(content) <= 200:
            out.append(content)
    return out


def check_well_formed(seen, unit):
    topology = {"juju_model": MODEL, "juju_model_uuid": UUID,
                "juju_application": unit.split("/")[0], "juju_unit": unit}
    for job in seen["jobs"]:
        assert isinstance(job, dict)
        for static_config in job.get("static_configs", ()):
            assert isinstance(static_config, dict)
            assert topology.items() <= static_config["labels"].items()
    for slot in seen["slots"]:
        assert ":" not in slot["owner"] + slot["name"]
    for dashboard in seen["dashboards"]:
        assert isinstance(dashboard["title"], str) and dashboard["title"]
        assert isinstance(dashboard["content"], dict)
    assert set(seen["protocols"]) <= set(SERVED) and seen["protocols"] == sorted(seen["protocols"])
    json.dumps(seen, allow_nan=False)  # strict JSON all through


INFINITE_DASHBOARD = (
    '{"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": ["/Td6WFoAAATm1rRGAgAhAR'
    'YAAAB0L+WjAQAUeyJ0aXRsZSI6IFtJbmZpbml0eV19AAAAADALedd7LbOcAAEtFS8LcW0ftvN9AQAAAAAEWVo="], '
    '"metrics_scrape_jobs": [], "log_slots": [], "subordinate": null}')

PORTLESS_JOB = ('{"metrics_alert_rules": {}, "log_alert_rules": {}, "dashboards": [], '
                '"metrics_scrape_jobs": [{"job_name": "0", "path": "0", "port": null}], '
                '"log_slots": [], "subordinate": null}')


@settings(**fuzz.SETTINGS)
@given(example=principal_bag())
@example(example=({"config": '{"a": NaN}'}, fd.Verdict(fd.INVALID)))
@example(example=({"config": "[" * 3000 + "]" * 3000}, fd.Verdict(fd.UNKNOWN)))
@example(example=({"config": INFINITE_DASHBOARD}, fd.Verdict(fd.VALID, expected=json.loads(
    INFINITE_DASHBOARD))))  # found by make fuzz: the dashboard {"title": [Infinity]} is skipped
@example(example=({"config": PORTLESS_JOB}, fd.Verdict(fd.VALID, expected=json.loads(
    PORTLESS_JOB))))  # found by make fuzz: a pre-0.5 job with "port": null is skipped
def test_fuzz_cos_agent_requires(make_unit, example):
    side = "requires"
    related = fuzz.relate(make_unit, "cos_agent", side)
    bag, verdict = example
    with counted("cos_agent", side):
        unit = related.next()
        seen = {}
        principal = related.remote_units[0]
        result = related.feed({}, {principal: bag}, action=lambda e: _exposed(
            e(related.layer.requires), seen))
        assert result.error is None, result.error
        flags = public_flags(unit.flags, related.layer.requires)
        available = related.layer.requires + ".available" in flags
        invalid = related.layer.requires + ".invalid" in flags
        assert not (available and invalid)
        written = unit.local_unit_data(related.rid)
        assert set(written) <= {"receivers"}, written
        if verdict.kind == fd.INVALID:
            assert invalid and not available and seen["reason"]
        elif verdict.kind == fd.EMPTY:
            assert not invalid and not available
        elif verdict.kind == fd.VALID:
            assert available and not invalid, seen["reason"]
            check_valid(seen, verdict.expected, principal)
        if available:
            check_well_formed(seen, principal)
            assert seen["principals"] == [{"relation_id": related.rid,
                                           "application": principal.split("/")[0],
                                           "unit": principal}]
            receivers = json.loads(written["receivers"])
            assert sorted(r["protocol"]["name"] for r in receivers) == seen["protocols"]
            assert all(r["url"].split("//")[-1].startswith(FQDN + ":") for r in receivers)
        else:
            assert not any(seen[k] for k in ("jobs", "slots", "metrics_alerts", "logs_alerts",
                                             "dashboards", "protocols", "principals"))


@fuzz.provides_settings()
@given(args=ARGS)
@example(args={"metrics_endpoints": [{"path": "/metrics", "port": "9100"}]})
@example(args={"scrape_configs": [{"job_name": None, "x": float("nan")}]})
def test_fuzz_cos_agent_provides(make_unit, args):
    side = "provides"
    related = fuzz.relate(make_unit, "cos_agent", side)
    ok = publish_ok(args)
    with counted("cos_agent", side):
        error, app, unit_bag = fuzz.provide(related, lambda e: e.publish(**args))
        assert app == {}
        if not ok:
            assert error is not None, "accepted arguments the contract refuses"
            assert str(error)
            return
        assert error is None, f"refused valid arguments: {error}"
        assert set(unit_bag) == {"config"}
        raw = unit_bag["config"]
        # decoded with the stdlib (cos_agent.adapter), not the layer's own decoder; the bytes
        # as upstream's pydantic writes them: compact, non-ASCII kept, its field order
        config = decode_config(raw)
        assert raw == json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)
        assert list(json.loads(raw)) == UPSTREAM_FIELDS
        assert config["subordinate"] is None
        assert config["log_slots"] == list(args.get("log_slots") or [])
        assert config["tracing_protocols"] == (None if args.get("tracing_protocols") is None
                                               else list(args["tracing_protocols"]))
        jobs = config["metrics_scrape_jobs"]
        assert len(jobs) == len(args.get("metrics_endpoints") or []) + len(
            args.get("scrape_configs") or [])
        assert [j["job_name"] for j in jobs] == sorted(j["job_name"] for j in jobs)
        assert all(j["job_name"].startswith("observability-demo_") for j in jobs)
        groups = config["metrics_alert_rules"]["groups"]
        assert groups[-1]["name"] == "cos_0a1b2c3d_observability_demo_HostHealth_rules"
        extra = args.get("extra_alert_groups") or {}
        assert groups[:len(extra.get("groups", []))] == extra.get("groups", [])


@settings(**fuzz.SETTINGS)
@given(text=YAML_TEXT, suffix=st.sampled_from([".rules", ".rule", ".yml", ".yaml"]),
       query=st.sampled_from(["promql", "logql"]))
def test_fuzz_cos_agent_rules_files(import_layer, text, suffix, query):
    """Any rules file: skipped with a log line, a ValueError naming it, or well-formed groups."""
    principal = import_layer("cos_agent", "principal")
    topology = import_layer("cos_agent", "_topology").Topology(MODEL, UUID, "app", "charm")
    with counted("cos_agent", "rules files"), tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "f" + suffix)
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        logs = []
        try:
            groups = principal.read_rules(path, False, topology, query, logs.append)
        except ValueError as e:
            assert "f" + suffix in str(e)
            return
        if not groups:
            return
        json.dumps(groups, allow_nan=False)
        for group in groups:
            assert group["name"].endswith("rules")
            assert all(c.isascii() and (c.isalnum() or c in "_:") for c in group["name"])
            for rule in group["rules"]:
                assert isinstance(rule["expr"], str) and "%%juju_topology%%" not in rule["expr"]
                assert topology.labels.keys() <= rule["labels"].keys()
