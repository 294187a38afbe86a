"""Wire format of the ``prometheus_scrape`` interface: the one place that knows it.

The scrape *target* (this layer's provides side) writes:

* application databag (leader only), JSON strings as Python's ``json.dumps``
  writes them (separators ``", "`` and ``": "``, ASCII escapes):
  ``scrape_metadata`` (``model``, ``model_uuid``, ``application``, ``unit``,
  ``charm_name``, in that order), ``scrape_jobs`` (a list of jobs) and
  ``alert_rules`` (a rules file ``{"groups": [...]}``, ``{}`` when not forwarded);
* every unit's databag, raw strings: ``prometheus_scrape_unit_address``,
  ``prometheus_scrape_unit_name``, ``prometheus_scrape_unit_path`` (only when not
  empty) and ``prometheus_scrape_unit_fqdn`` (not with an external URL).

A job keeps only ``ALLOWED_JOB_KEYS``: ``metrics_path`` first (``/metrics`` by
default), ``static_configs`` second (``*:80`` by default), then its other kept
keys in the job's own order.

The *consumer* (Prometheus; this layer's requires side) turns each relation
into scrape jobs: with ``scrape_metadata`` every job is reduced the same way,
named after the topology, and split per unit (``*`` targets, and fixed targets
naming a unit's address or fqdn) with topology labels and the ``instance``
relabel rule; jobs whose names repeat get a hash suffix. Alert rules are passed
on per relation, keyed by their topology identifier. Prometheus' leader writes
``event`` back. Upstream: the ops library
``charms.prometheus_k8s.v0.prometheus_scrape``, LIBAPI 0, LIBPATCH 65.
"""

import copy
import hashlib
import ipaddress
import json
import re
from urllib.parse import urlsplit

from ._errors import InvalidDataError
from ._jsondata import Budget, plain
from ._jsondata import loads as _loads
from ._rules import host_health_group, labelled_groups, read_rule_files
from ._scrape import job_label, job_list, unit_sort_key

SCRAPE_METADATA = "scrape_metadata"
SCRAPE_JOBS = "scrape_jobs"
ALERT_RULES = "alert_rules"
EVENT = "event"
UNIT_ADDRESS = "prometheus_scrape_unit_address"
UNIT_NAME = "prometheus_scrape_unit_name"
UNIT_PATH = "prometheus_scrape_unit_path"
UNIT_FQDN = "prometheus_scrape_unit_fqdn"
#: Unit key of older targets, read when ``prometheus_scrape_unit_address`` is missing.
LEGACY_UNIT_HOST = "prometheus_scrape_host"
APP_KEYS = (SCRAPE_METADATA, SCRAPE_JOBS, ALERT_RULES)
UNIT_KEYS = (UNIT_ADDRESS, UNIT_NAME, UNIT_PATH, UNIT_FQDN)

#: The keys a job keeps; any other key is dropped (by the target and again by Prometheus).
ALLOWED_JOB_KEYS = (
    "job_name", "metrics_path", "static_configs", "scrape_interval", "scrape_timeout",
    "proxy_url", "relabel_configs", "metric_relabel_configs", "sample_limit", "label_limit",
    "label_name_length_limit", "label_value_length_limit", "scheme", "basic_auth",
    "tls_config", "authorization", "params",
)
DEFAULT_METRICS_PATH = "/metrics"
DEFAULT_STATIC_CONFIGS = [{"targets": ["*:80"]}]
METADATA_FIELDS = ("model", "model_uuid", "application", "unit", "charm_name")
#: The topology labels a rule must hold for Prometheus to treat it as labelled.
RULE_TOPOLOGY_LABELS = ("juju_model", "juju_model_uuid", "juju_application")
TOPOLOGY_PLACEHOLDER_RE = re.compile(r"%%juju_topology%%,?")
#: Event keys Prometheus' leader removes when it has nothing to report (no cos-tool).
EVENT_ERROR_KEYS = ("scrape_job_errors", "errors")

#: Bound on the jobs one relation may expand to (counted before they are built). What one
#: relation's data may decode to at all is ``_jsondata.Budget``'s: 64 MiB of JSON text and
#: 1,000,000 JSON values, counted before anything is parsed; nesting at most 200 deep.
MAX_EXPANDED_JOBS = 20_000

_UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z", re.IGNORECASE)


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def dumps(value):
    """``value`` as upstream writes JSON: ``json.dumps`` with its defaults."""
    return json.dumps(value)


def identifier(model, model_uuid, application):
    """The topology identifier: ``{model}_{model_uuid[:8]}_{application}``."""
    return f"{model}_{model_uuid[:8]}_{application}"


def topology_labels(metadata):
    """``juju_model``, ``juju_model_uuid``, ``juju_application`` and ``juju_charm``
    (only when the metadata names a charm), in that order."""
    labels = {
        "juju_model": metadata["model"],
        "juju_model_uuid": metadata["model_uuid"],
        "juju_application": metadata["application"],
    }
    if metadata.get("charm_name"):
        labels["juju_charm"] = metadata["charm_name"]
    return labels


def instance_rule(with_unit):
    """The relabel rule that makes ``instance`` from the topology (and the unit)."""
    labels = list(RULE_TOPOLOGY_LABELS) + (["juju_unit"] if with_unit else [])
    return {"source_labels": labels, "separator": "_", "target_label": "instance",
            "regex": "(.*)"}


def reduce_job(job):
    """``job`` with only the kept keys: ``metrics_path`` and ``static_configs`` first (their
    defaults when missing), then the job's other kept keys in its own order."""
    out = {"metrics_path": DEFAULT_METRICS_PATH,
           "static_configs": copy.deepcopy(DEFAULT_STATIC_CONFIGS)}
    out.update((key, value) for key, value in job.items() if key in ALLOWED_JOB_KEYS)
    return out


def _is_ipv6(text):
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# Consumer side: decoding within bounds
# --------------------------------------------------------------------------

def loads(key, raw, budget=None):
    """Strict JSON within bounds (``_jsondata.loads``: no ``NaN``/``Infinity``, at most
    ``MAX_DEPTH`` deep, within the relation's ``budget``); ``InvalidDataError`` names ``key``."""
    return _loads(raw, key, budget)


def decode_metadata(raw, budget=None):
    """``scrape_metadata`` as a dict, or None when absent or ``{}``; ``InvalidDataError``
    when it lacks ``model``, ``model_uuid`` (a v4 UUID) or ``application``."""
    if not raw:
        return None
    data = loads(SCRAPE_METADATA, raw, budget)
    if not isinstance(data, dict):
        raise InvalidDataError(f"{SCRAPE_METADATA} is not a JSON object")
    if not data:
        return None
    for key in ("model", "model_uuid", "application"):
        if not isinstance(data.get(key), str):
            raise InvalidDataError(f"{SCRAPE_METADATA}: {key!r} is missing or not a string")
    for key in ("unit", "charm_name"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidDataError(f"{SCRAPE_METADATA}: {key!r} is not a string")
    if not _UUID4_RE.match(data["model_uuid"]):
        raise InvalidDataError("{}: model_uuid {!r} is not a v4 UUID".format(
            SCRAPE_METADATA, data["model_uuid"][:64]))
    return data


def _job_label(index, job):
    """How messages name a job: ``_scrape.job_label``, its name cut to 64 characters."""
    return job_label(index, job, max_name=64)


def decode_jobs(raw, budget=None):
    """``scrape_jobs`` as a list of job objects (``[]`` when absent)."""
    if not raw:
        return []
    return job_list(SCRAPE_JOBS, loads(SCRAPE_JOBS, raw, budget), _job_label)


def _check_job(label, job):
    """``InvalidDataError`` where a key the consumer reads has a shape it cannot use."""
    if job.get("job_name") is not None and not isinstance(job["job_name"], str):
        raise InvalidDataError(f"{label}: job_name is not a string")
    if job.get("metrics_path") is not None and not isinstance(job["metrics_path"], str):
        raise InvalidDataError(f"{label}: metrics_path is not a string")
    if job.get("relabel_configs") is not None and not isinstance(job["relabel_configs"], list):
        raise InvalidDataError(f"{label}: relabel_configs is not a list")
    static_configs = job.get("static_configs")
    if static_configs is None:
        return
    if not isinstance(static_configs, list):
        raise InvalidDataError(f"{label}: static_configs is not a list")
    for i, sc in enumerate(static_configs):
        where = f"{label}, static_configs[{i}]"
        if not isinstance(sc, dict):
            raise InvalidDataError(f"{where} is not an object")
        targets = sc.get("targets")
        if targets is not None and (not isinstance(targets, list)
                                    or not all(isinstance(t, str) for t in targets)):
            raise InvalidDataError(f"{where}: targets is not a list of strings")
        labels = sc.get("labels")
        if labels is not None and not isinstance(labels, dict):
            raise InvalidDataError(f"{where}: labels is not an object")


def hosts(unit_bags):
    """``{name: (address, path, fqdn)}`` of the remote units that say where to scrape them,
    in unit order (``app/2`` before ``app/10``); a later unit claiming a name wins."""
    out = {}
    for juju_name in sorted(unit_bags, key=unit_sort_key):
        bag = unit_bags[juju_name]
        address = bag.get(UNIT_ADDRESS) or bag.get(LEGACY_UNIT_HOST)
        if not address:
            continue
        name = bag.get(UNIT_NAME) or juju_name
        out[name] = (address, bag.get(UNIT_PATH) or "", bag.get(UNIT_FQDN) or "")
    return out


def target_host(target):
    """The host a URL parser finds in ``//TARGET`` (lower-cased, no brackets or port), or
    None when it finds none."""
    try:
        return urlsplit("//" + target).hostname
    except ValueError:
        return None


def _wildcard(address, target):
    """``target`` with every ``*`` replaced by ``address`` (bracketed when IPv6)."""
    return target.replace("*", f"[{address}]" if _is_ipv6(address) else address)


def _unit_job(job, sc, name, host, targets, topology):
    """The job of one host: ``job`` with one static config (``sc`` with ``targets`` and the
    topology and unit labels), its name suffixed, the host path in front of its path."""
    out = copy.deepcopy(job)
    out["job_name"] = "{}-{}".format(job.get("job_name", ""), name.rsplit("/", 1)[-1])
    out["metrics_path"] = host[1] + (job.get("metrics_path") or DEFAULT_METRICS_PATH)
    config = copy.deepcopy(sc)
    config["targets"] = targets
    labels = dict(topology)
    labels["juju_unit"] = name
    labels.update(sc.get("labels") or {})
    config["labels"] = labels
    out["static_configs"] = [config]
    out["relabel_configs"] = list(job.get("relabel_configs") or []) + [instance_rule(True)]
    return out


def _split(sc, units, index):
    """``(wildcards, {unit name: its fixed targets}, the other fixed targets)`` of one static
    config, targets in order; ``index`` maps an address or fqdn to the units that have it."""
    wildcards, claimed, rest = [], {}, []
    for target in sc.get("targets") or []:
        if target.startswith("*"):
            wildcards.append(target)
            continue
        owners = index.get(target_host(target)) or ()
        for name in owners:
            claimed.setdefault(name, []).append(target)
        if not owners:
            rest.append(target)
    return wildcards, claimed, rest


def host_index(units):
    """``{address or fqdn: [unit names]}``: which units a fixed target's host names."""
    index = {}
    for name, (address, _, fqdn) in units.items():
        for key in {address, fqdn} - {""}:
            index.setdefault(key, []).append(name)
    return index


def expanded_count(job, units, index):
    """How many jobs ``expand_job`` makes of ``job``, counted without building them."""
    count, stayed = 0, False
    for sc in job.get("static_configs") or []:
        wildcards, claimed, rest = _split(sc, units, index)
        count += (len(units) if wildcards else 0) + len(claimed)
        stayed = stayed or bool(rest)
    return count + (1 if stayed else 0)


def expand_job(job, units, topology, index):
    """One reduced, named job split per host (see the module docstring): the job of the
    targets no host claims first, then, per static config, one job per host for the
    ``*`` targets and one per host for the fixed targets naming it (hosts in unit order)."""
    per_host, stayed = [], []
    for sc in job.get("static_configs") or []:
        wildcards, claimed, rest = _split(sc, units, index)
        if wildcards:
            for name, host in units.items():
                per_host.append(_unit_job(job, sc, name, host,
                                          [_wildcard(host[0], t) for t in wildcards], topology))
        for name, host in units.items():
            if name in claimed:
                per_host.append(_unit_job(job, sc, name, host, claimed[name], topology))
        if rest:
            config = copy.deepcopy(sc)
            config["targets"] = rest
            labels = dict(topology)
            labels.update(sc.get("labels") or {})
            config["labels"] = labels
            stayed.append(config)
    out = []
    if stayed:
        unitless = copy.deepcopy(job)
        unitless["static_configs"] = stayed
        unitless["metrics_path"] = job.get("metrics_path") or DEFAULT_METRICS_PATH
        unitless["relabel_configs"] = list(job.get("relabel_configs") or []) + [
            instance_rule(False)]
        out.append(unitless)
    return out + per_host


def relation_jobs(app_bag, unit_bags, budget=None):
    """The scrape jobs of one related application (its raw application databag and the
    raw databags of its joined units), before names are made unique; ``InvalidDataError``
    names the key when the data is unusable. ``budget``: the relation's ``Budget``."""
    budget = budget or Budget()
    metadata = decode_metadata(app_bag.get(SCRAPE_METADATA), budget)
    jobs = decode_jobs(app_bag.get(SCRAPE_JOBS), budget)
    if metadata is None:
        for index, job in enumerate(jobs):
            if not isinstance(job.get("job_name"), str):
                raise InvalidDataError(f"{SCRAPE_JOBS}: {_job_label(index, job)} has no "
                                       "job_name (required without scrape_metadata)")
        return jobs
    prefix = "juju_{}_prometheus_scrape".format(identifier(
        metadata["model"], metadata["model_uuid"], metadata["application"]))
    topology = topology_labels(metadata)
    units = hosts(unit_bags)
    index = host_index(units)
    reduced, count = [], 0
    for i, job in enumerate(jobs):
        _check_job(f"{SCRAPE_JOBS}: {_job_label(i, job)}", job)
        job = reduce_job(job)
        job["job_name"] = prefix + ("_" + job["job_name"] if job.get("job_name") else "")
        count += expanded_count(job, units, index)
        if count > MAX_EXPANDED_JOBS:
            raise InvalidDataError(f"{SCRAPE_JOBS}: more than {MAX_EXPANDED_JOBS} jobs "
                                   "once split per unit")
        reduced.append(job)
    return [out for job in reduced for out in expand_job(job, units, topology, index)]


def unique_names(jobs):
    """``jobs`` with repeated names made unique as upstream does: every job whose name
    occurs more than once gets ``_{sha256 of its JSON}``; equal jobs are then kept once."""
    counts = {}
    for job in jobs:
        counts[job.get("job_name")] = counts.get(job.get("job_name"), 0) + 1
    renamed = []
    for job in jobs:
        if counts[job.get("job_name")] > 1:
            job = dict(job, job_name="{}_{}".format(
                job.get("job_name"), hashlib.sha256(json.dumps(job).encode()).hexdigest()))
        renamed.append(job)
    seen, out = set(), []
    for job in renamed:
        text = json.dumps(job)
        if text not in seen:
            seen.add(text)
            out.append(job)
    return out


def with_fallback(jobs, protocol):
    """``jobs`` with ``fallback_scrape_protocol`` set on each (Prometheus 3), when given."""
    if not protocol:
        return jobs
    return [dict(job, fallback_scrape_protocol=protocol) for job in jobs]


def _rules_of(group, where):
    rules = group.get("rules")
    if not isinstance(rules, list) or not rules:
        raise InvalidDataError(f"{where} has no rules")
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise InvalidDataError(f"{where}, rule {i} is not an object")
    return rules


def _rule_topology(rule, where):
    """The identifier of a rule's topology labels, or None when it lacks one of them."""
    labels = rule.get("labels")
    if not isinstance(labels, dict) or not all(k in labels for k in RULE_TOPOLOGY_LABELS):
        return None
    model, uuid, app = (labels[k] for k in RULE_TOPOLOGY_LABELS)
    if not all(isinstance(v, str) for v in (model, uuid, app)) or not _UUID4_RE.match(uuid):
        raise InvalidDataError(f"{where}: its topology labels are not strings with a v4 UUID")
    return identifier(model, uuid, app)


def relation_alerts(app_bag, budget=None):
    """``(identifier, rules)`` of one related application's ``alert_rules``, or None when
    there are none (absent, ``{}``) or no identifier can be found; ``InvalidDataError``
    when they are unusable. In a rule with the topology labels, ``%%juju_topology%%`` and
    one comma after it are removed from ``expr``."""
    raw = app_bag.get(ALERT_RULES)
    if not raw:
        return None
    budget = budget or Budget()
    rules = loads(ALERT_RULES, raw, budget)
    if not rules:
        return None
    name = None
    groups = rules.get("groups") if isinstance(rules, dict) else None
    if groups is not None and not isinstance(groups, list):
        raise InvalidDataError(f"{ALERT_RULES}: groups is not a list")
    for g, group in enumerate(groups or []):
        where = f"{ALERT_RULES}: group {g}"
        if not isinstance(group, dict):
            raise InvalidDataError(f"{where} is not an object")
        for i, rule in enumerate(_rules_of(group, where)):
            found = _rule_topology(rule, f"{where}, rule {i}")
            if found is None:
                continue
            if not isinstance(rule.get("expr"), str):
                raise InvalidDataError(f"{where}, rule {i}: expr is not a string")
            rule["expr"] = TOPOLOGY_PLACEHOLDER_RE.sub("", rule["expr"])
            if i == 0 and name is None:
                name = found
    if name is None:
        metadata = decode_metadata(app_bag.get(SCRAPE_METADATA), budget)
        if metadata is not None:
            name = identifier(metadata["model"], metadata["model_uuid"], metadata["application"])
        elif groups:
            name = groups[0].get("name")
    if not isinstance(name, str) or not name:
        return None  # upstream logs an error and skips the relation's rules
    return name, rules


def event_to_write(raw):
    """What Prometheus' leader writes as ``event`` over ``raw`` (its own current value):
    the object without the error keys (``{}`` when nothing is left)."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return dumps({k: v for k, v in data.items() if k not in EVENT_ERROR_KEYS})


# --------------------------------------------------------------------------
# Target side: what the charm asks for, checked and written as upstream writes it
# --------------------------------------------------------------------------

DEFAULT_ALERT_RULES_PATH = "src/prometheus_alert_rules"


def _check_static_configs(label, static_configs):
    if not isinstance(static_configs, list):
        raise ValueError(f"{label}: 'static_configs' must be a list")
    for i, sc in enumerate(static_configs):
        where = f"{label}, static_configs[{i}]"
        if not isinstance(sc, dict):
            raise ValueError(f"{where}: expected an object with 'targets'")
        targets = sc.get("targets")
        if not isinstance(targets, list) or not all(isinstance(t, str) and t for t in targets):
            raise ValueError(f"{where}: 'targets' must be a list of host:port or *:port strings")
        labels = sc.get("labels")
        if labels is not None and not (isinstance(labels, dict) and all(
                isinstance(v, str) for v in labels.values())):
            raise ValueError(f"{where}: 'labels' must be an object of strings")


def sanitise_job(index, job):
    """One job of the charm as published: only the kept keys (``reduce_job``), plain JSON.
    ``ValueError`` names the job and what is wrong."""
    label = _job_label(index, job)
    if not isinstance(job, dict):
        raise ValueError(f"{label}: expected an object, got {type(job).__name__}")
    job = plain(job, label)
    for key in ("job_name", "metrics_path"):
        if key in job and not isinstance(job[key], str):
            raise ValueError(f"{label}: {key!r} must be a string")
    out = reduce_job(job)
    _check_static_configs(label, out["static_configs"])
    return out


def sanitise_jobs(jobs):
    """The charm's jobs as published; ``None`` or ``[]`` is the default job (``*:80``).
    ``ValueError`` names the job when ``jobs`` is not a list of job objects."""
    if jobs is None:
        jobs = []
    if not isinstance(jobs, (list, tuple)):
        raise ValueError(f"jobs: expected a list of scrape jobs (objects), got {type(jobs).__name__}")
    return [sanitise_job(i, job) for i, job in enumerate(jobs)]


def published_jobs(jobs):
    """``scrape_jobs`` as written: ``jobs`` (sanitised), or the default job when empty."""
    return jobs or [reduce_job({})]


def external_address(url):
    """``(host, path)`` upstream publishes for an external URL: the host lower-cased (IPv6
    without brackets), the path verbatim; a URL without ``scheme://`` is read as
    ``http://`` + it. ``ValueError`` when there is no host."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"external_url: expected a URL, got {url!r}")
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as e:
        raise ValueError(f"external_url: {url!r} is not a URL ({e})") from None
    if not host:
        raise ValueError(f"external_url: {url!r} has no host")
    return host, parts.path


def unit_keys(local_unit, ingress_address, fqdn, external=None):
    """A target unit's databag: where to scrape it (the external URL's host and path, or its
    address on the relation when that is an IP, with its fqdn, else the fqdn for both)."""
    if external is not None:
        return {UNIT_ADDRESS: external[0], UNIT_NAME: local_unit, UNIT_PATH: external[1]}
    try:
        ipaddress.ip_address(ingress_address or "")
    except ValueError:
        ingress_address = fqdn
    return {UNIT_ADDRESS: ingress_address, UNIT_NAME: local_unit, UNIT_FQDN: fqdn}


def app_keys(jobs, metadata, alert_rules):
    """The target's application databag: ``scrape_metadata``, ``scrape_jobs`` and
    ``alert_rules`` (already-encoded text), as upstream writes them."""
    return {SCRAPE_METADATA: dumps({k: metadata[k] for k in METADATA_FIELDS}),
            SCRAPE_JOBS: dumps(published_jobs(jobs)),
            ALERT_RULES: alert_rules}


def decode_event(raw):
    """What Prometheus reported in ``event``: None when nothing (absent, ``{}``), else
    ``{"valid", "errors", "scrape_job_errors"}``; ``InvalidDataError`` when it is not a
    JSON object."""
    if not raw:
        return None
    data = loads(EVENT, raw, Budget())
    if not isinstance(data, dict):
        raise InvalidDataError(f"{EVENT} is not a JSON object")
    if not data:
        return None
    return {"valid": data.get("valid", True), "errors": data.get("errors", ""),
            "scrape_job_errors": data.get("scrape_job_errors") or ""}


def is_rejected(report):
    """Whether a decoded ``event`` says rules or jobs were refused."""
    return bool(report) and (report["valid"] is False or bool(report["errors"])
                             or bool(report["scrape_job_errors"]))


def alert_rules(rules_dir, forward, topology, log):
    """``alert_rules`` as written: ``{}`` unless ``forward``; else every rules file below
    ``rules_dir`` (recursive, in path order) with its groups named and labelled after
    ``topology``, then the generic ``HostHealth`` group. A file that cannot be used is
    skipped with one ``log(message)``."""
    if not forward:
        return dumps({})
    groups = []
    for rule_file in read_rule_files(rules_dir, True, log):
        try:
            groups.extend(labelled_groups([rule_file], topology, "promql"))
        except ValueError as e:
            log(f"{e}: file skipped")
    groups.append(host_health_group(topology))
    return dumps({"groups": groups})
