"""Fuzzing prometheus_scrape (``kit.fuzz``): generated remote app and unit databags on the
requires side, checked against an oracle written from the contract README (not the layer's
decoder); generated ``publish()`` arguments on the provides side, read back through the
contract's own rules."""

import hashlib
import ipaddress
import json
import re
from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from kit.layer import public_flags
from prometheus_scrape.fuzz_data import EXTERNAL_ARG, JOBS_ARG, scrape_bags

KEPT = {"job_name", "metrics_path", "static_configs", "scrape_interval", "scrape_timeout",
        "proxy_url", "relabel_configs", "metric_relabel_configs", "sample_limit", "label_limit",
        "label_name_length_limit", "label_value_length_limit", "scheme", "basic_auth",
        "tls_config", "authorization", "params"}


# --------------------------------------------------------------------------
# The oracle: the contract README's "Prometheus derives", step by step
# --------------------------------------------------------------------------

def oracle_hosts(unit_bags):
    """Each unit with an address: name, address, path, fqdn (the later unit wins a name)."""
    out = {}
    for juju_name in sorted(unit_bags):
        bag = unit_bags[juju_name]
        address = bag.get("prometheus_scrape_unit_address") or bag.get("prometheus_scrape_host")
        if address:
            out[bag.get("prometheus_scrape_unit_name") or juju_name] = (
                address, bag.get("prometheus_scrape_unit_path", ""),
                bag.get("prometheus_scrape_unit_fqdn", ""))
    return out


def rule(labels):
    return {"source_labels": labels, "separator": "_", "target_label": "instance",
            "regex": "(.*)"}


def star(target, address):
    try:
        ipaddress.IPv6Address(address)
        address = f"[{address}]"
    except ValueError:
        pass
    return target.replace("*", address)


def oracle_jobs(meta, sent, unit_bags):
    """The jobs of one relation before names are made unique."""
    ident = "{}_{}_{}".format(meta["model"], meta["model_uuid"][:8], meta["application"])
    topo = {"juju_model": meta["model"], "juju_model_uuid": meta["model_uuid"],
            "juju_application": meta["application"]}
    if meta.get("charm_name"):
        topo["juju_charm"] = meta["charm_name"]
    hosts = oracle_hosts(unit_bags)
    out = []
    for original in sent:
        job = {"metrics_path": "/metrics", "static_configs": [{"targets": ["*:80"]}]}
        job.update((k, v) for k, v in original.items() if k in KEPT)
        name = f"juju_{ident}_prometheus_scrape"
        job["job_name"] = name + ("_" + job["job_name"] if job.get("job_name") else "")
        stayed, per_host = [], []
        for sc in job["static_configs"] or []:
            targets = sc.get("targets") or []
            wild = [t for t in targets if t.startswith("*")]
            for unit, (address, path, fqdn) in hosts.items():
                mine = [t for t in targets if not t.startswith("*")
                        and urlsplit("//" + t).hostname in (address, fqdn)]
                for group in ([star(t, address) for t in wild] if wild else None, mine or None):
                    if group:
                        per_host.append((unit, path, sc, group))
            rest = [t for t in targets if not t.startswith("*") and not any(
                urlsplit("//" + t).hostname in (h[0], h[2]) for h in hosts.values())]
            if rest:
                stayed.append(dict(sc, targets=rest, labels={**topo, **(sc.get("labels") or {})}))
        if stayed:
            out.append(dict(job, static_configs=stayed,
                            metrics_path=job["metrics_path"] or "/metrics",
                            relabel_configs=(job.get("relabel_configs") or []) + [
                                rule(list(topo)[:3])]))
        for unit, path, sc, group in per_host:
            labels = {**topo, "juju_unit": unit, **(sc.get("labels") or {})}
            out.append(dict(job, job_name=job["job_name"] + "-" + unit.split("/")[-1],
                            metrics_path=path + (job["metrics_path"] or "/metrics"),
                            static_configs=[dict(sc, targets=group, labels=labels)],
                            relabel_configs=(job.get("relabel_configs") or []) + [
                                rule(list(topo)[:3] + ["juju_unit"])]))
    return out


def oracle_unique(jobs):
    names = [job["job_name"] for job in jobs]
    renamed = [dict(job, job_name=job["job_name"] + "_" + hashlib.sha256(
        json.dumps(job).encode()).hexdigest()) if names.count(job["job_name"]) > 1 else job
        for job in jobs]
    out = []
    for job in renamed:
        if json.dumps(job) not in [json.dumps(o) for o in out]:
            out.append(job)
    return out


def oracle_alerts(meta, rules):
    """``(identifier, rules)`` the contract gives, or None (no rules, or no identifier)."""
    if not rules:
        return None
    ident = None
    for group in rules.get("groups", []) if isinstance(rules, dict) else []:
        for i, r in enumerate(group["rules"]):
            labels = r.get("labels") or {}
            if all(k in labels for k in ("juju_model", "juju_model_uuid", "juju_application")):
                r["expr"] = re.sub("%%juju_topology%%,?", "", r["expr"])
                if i == 0 and ident is None:
                    ident = "{}_{}_{}".format(labels["juju_model"], labels["juju_model_uuid"][:8],
                                              labels["juju_application"])
    if ident is None and meta:
        ident = "{}_{}_{}".format(meta["model"], meta["model_uuid"][:8], meta["application"])
    if ident is None and isinstance(rules, dict) and rules.get("groups"):
        ident = rules["groups"][0].get("name") or None
    return None if ident is None else (ident, rules)


@settings(**fuzz.SETTINGS)
@given(example=scrape_bags())
def test_fuzz_prometheus_scrape_requires(make_unit, example):
    side = "requires"
    related = fuzz.relate(make_unit, "prometheus_scrape", side, units=2)
    bag, unit_bags, verdict = example
    seen_alerts = {}

    def read(endpoint, seen):
        seen_alerts["alerts"] = endpoint.alerts_by_relation
        seen_alerts["jobs"] = endpoint.jobs()

    def check(seen):
        jobs = seen_alerts["jobs"]
        assert json.loads(json.dumps(jobs, allow_nan=False)) == jobs, "jobs are not strict JSON"
        if verdict.expected is None:
            return
        expected = verdict.expected
        # without scrape_metadata the jobs as received; names made unique either way
        built = expected["jobs"] if expected["metadata"] is None else oracle_jobs(
            expected["metadata"], expected["jobs"], unit_bags)
        want = oracle_unique(oracle_unique(built))
        assert sorted(map(json.dumps, jobs)) == sorted(map(json.dumps, want))
        alerts = oracle_alerts(expected["metadata"], expected["alert_rules"])
        got = seen_alerts["alerts"]
        assert [(a["identifier"], a["rules"]) for a in got] == ([alerts] if alerts else [])

    with counted("prometheus_scrape", side):
        fuzz.requires_example(related, bag, verdict, check, unit_bags, read=read,
                              valid_means_available=False)
        if verdict.kind == fd.VALID:  # available iff there is a job or alert rules
            flags = public_flags(related.unit.flags, related.layer.requires)
            assert (f"{related.layer.requires}.available" in flags) == bool(
                seen_alerts["jobs"] or seen_alerts["alerts"])


@fuzz.provides_settings()
@given(jobs=JOBS_ARG, external=EXTERNAL_ARG)
def test_fuzz_prometheus_scrape_provides(make_unit, jobs, external):
    side = "provides"
    related = fuzz.relate(make_unit, "prometheus_scrape", side)
    with counted("prometheus_scrape", side):
        error, app, unit_bag = fuzz.provide(
            related, lambda e: e.publish(jobs, external_url=external))
        if error is not None:
            return
        published = json.loads(app["scrape_jobs"])
        metadata = json.loads(app["scrape_metadata"])
        assert list(metadata) == ["model", "model_uuid", "application", "unit", "charm_name"]
        assert json.loads(app["alert_rules"])["groups"][-1]["name"].endswith("_HostHealth_rules")
        assert published == ([{"metrics_path": "/metrics", "static_configs": [
            {"targets": ["*:80"]}]}] if not jobs else published)
        for job, original in zip(published, jobs or []):
            assert list(job)[:2] == ["metrics_path", "static_configs"]
            assert set(job) <= KEPT
            assert {k: v for k, v in original.items() if k in KEPT} == {
                k: v for k, v in job.items() if k in original}
        if external is None:
            assert unit_bag["prometheus_scrape_unit_address"] == "10.0.0.10"
            assert "prometheus_scrape_unit_fqdn" in unit_bag
        else:
            parts = urlsplit(external.strip() if "://" in external else "http://" + external.strip())
            assert unit_bag["prometheus_scrape_unit_address"] == parts.hostname
            assert unit_bag.get("prometheus_scrape_unit_path", "") == parts.path
            assert "prometheus_scrape_unit_fqdn" not in unit_bag


# --------------------------------------------------------------------------
# The target side's remote data: Prometheus' ``event``
# --------------------------------------------------------------------------

def _strict_json(raw):
    """``raw`` decoded as JSON that the contract calls JSON (no NaN or Infinity, at most 200
    deep), or None when it is not."""
    def refuse(name):
        raise ValueError(name)

    try:
        data = json.loads(raw, parse_constant=refuse)
    except (ValueError, RecursionError):
        return None

    return data if fd.nesting(data) <= 200 else None


def oracle_report(raw):
    """The contract README's target side: ``event`` missing or ``{}`` means nothing; a JSON
    object reports ``valid`` (default true), ``errors`` (default ``""``) and the invalid jobs
    (``scrape_job_errors``, when not empty); anything else is not usable (None, and a
    WARNING), as the layer's deviations say."""
    if not raw:
        return "nothing", None
    data = _strict_json(raw)
    if not isinstance(data, dict):
        return "unusable", None
    if not data:
        return "nothing", None
    return "report", {"valid": data["valid"] if "valid" in data else True,
                      "errors": data["errors"] if "errors" in data else "",
                      "scrape_job_errors": data.get("scrape_job_errors") or ""}


EVENT_VALUES = fd.JSON_SCALARS | st.lists(fd.JSON_SCALARS, max_size=3)
EVENTS = st.one_of(
    st.none(), st.just(""), st.just("{}"),
    st.fixed_dictionaries({}, optional={
        "valid": st.booleans() | EVENT_VALUES, "errors": fd.TEXT | EVENT_VALUES,
        "scrape_job_errors": fd.TEXT | EVENT_VALUES, "other": EVENT_VALUES,
    }).map(json.dumps),
    fd.GARBAGE)


@settings(**fuzz.SETTINGS)
@given(raw=EVENTS)
@example(raw="0")  # not an object: one WARNING, though the charm reads validation too
@example(raw='{"valid": false, "errors": "bad rule"}')
def test_fuzz_prometheus_scrape_provides_event(make_unit, raw):
    """Whatever Prometheus writes as ``event``, the target's hook succeeds, writes nothing
    more, and ``validation`` and ``.rejected`` say what the contract's reading of it says."""
    side = "provides (event)"
    related = fuzz.relate(make_unit, "prometheus_scrape", "provides")
    kind, want = oracle_report(raw)
    with counted("prometheus_scrape", side):
        unit = related.next()
        seen = {}

        def publish(endpoint_from_name):
            endpoint = endpoint_from_name(related.layer.provides)
            endpoint.publish()
            seen["validation"] = endpoint.validation

        unit.run_hook(f"{related.endpoint}-relation-changed", rid=related.rid,
                      remote_unit=related.remote_units[0], action=publish)
        before = unit.local_app_data(related.rid), unit.local_unit_data(related.rid)
        result = related.feed({} if raw is None else {"event": raw}, action=publish)
        assert result.error is None, result.error
        assert (unit.local_app_data(related.rid), unit.local_unit_data(related.rid)) == before
        assert seen["validation"] == ({related.rid: want} if want else {})
        rejected = f"{related.layer.provides}.rejected" in unit.flags
        assert rejected == bool(want and (want["valid"] is False or want["errors"]
                                          or want["scrape_job_errors"]))
        warnings = [w for w in result.warnings if related.rid in w]
        assert len(warnings) == (1 if kind == "unusable" else 0), warnings
