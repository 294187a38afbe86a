"""Wire format of the ``parca_scrape`` interface: the one place that knows it.

The scrape *target* (this layer's provides side) writes:

* application databag (leader only), JSON strings:
  ``scrape_jobs`` (a list of jobs in Parca's ``scrape_config`` subset) and
  ``scrape_metadata`` (``model``, ``model_uuid``, ``application``, ``unit``,
  ``charm_name``);
* every unit's databag, raw strings: ``parca_scrape_unit_address`` (where
  Parca should scrape the unit) and ``parca_scrape_unit_name``.

The *consumer* (Parca; this layer's requires side) turns each relation into
scrape jobs with Juju topology labels. Upstream: the ops library
``charms.parca_k8s.v0.parca_scrape``, LIBAPI 0, LIBPATCH 6.
"""

import copy
import ipaddress
import json
import re

from ._errors import InvalidDataError  # noqa: F401 (the layer's error for remote data)

SCRAPE_JOBS = "scrape_jobs"
SCRAPE_METADATA = "scrape_metadata"
UNIT_ADDRESS = "parca_scrape_unit_address"
UNIT_NAME = "parca_scrape_unit_name"
#: Unit key of older providers, read when ``parca_scrape_unit_address`` is missing.
LEGACY_UNIT_HOST = "parca_scrape_host"
APP_KEYS = (SCRAPE_METADATA, SCRAPE_JOBS)
UNIT_KEYS = (UNIT_ADDRESS, UNIT_NAME)

#: The keys a job keeps; any other key is dropped before publishing.
ALLOWED_JOB_KEYS = ("job_name", "static_configs", "scrape_interval", "scrape_timeout",
                    "scheme", "profiling_config", "tls_config")
DEFAULT_STATIC_CONFIGS = [{"targets": ["*:80"]}]
METADATA_FIELDS = ("model", "model_uuid", "application", "unit", "charm_name")
#: The rule the consumer appends to every job: the ``instance`` label from the topology.
INSTANCE_RELABEL = {
    "source_labels": ["juju_model", "juju_model_uuid", "juju_application", "juju_unit"],
    "separator": "_",
    "target_label": "instance",
    "regex": "(.*)",
}

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
_PORT_RE = re.compile(r"^[0-9]{1,5}\Z")
_HOST_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@]+)\Z")



# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def _valid_port(text):
    return bool(_PORT_RE.match(text)) and 0 < int(text) < 65536


def _job_label(index, job):
    """``job 1 ('second')``: how messages name a job."""
    name = job.get("job_name") if isinstance(job, dict) else None
    if isinstance(name, str) and name:
        return f"job {index} ({name!r})"
    return f"job {index}"


def _is_label_map(value):
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def target_host(address):
    """``address`` as the host part of a target: IPv6 literals in brackets."""
    bare = address.split("%", 1)[0]
    try:
        ipaddress.IPv6Address(bare)
    except ValueError:
        return address
    return f"[{address}]"


def unit_sort_key(unit_name):
    """Order units by application, then unit number (``app/2`` before ``app/10``)."""
    app, _, number = unit_name.rpartition("/")
    return (app, int(number), "") if number.isascii() and number.isdigit() else (app, -1, number)


# --------------------------------------------------------------------------
# Provider side: what the charm asks for, checked and sanitised
# --------------------------------------------------------------------------

def _check_target(where, target):
    if not isinstance(target, str):
        raise ValueError(f"{where}: target {target!r} is not a string")
    host, sep, port = target.rpartition(":")
    if not sep or not _valid_port(port) or not (host == "*" or _HOST_RE.match(host)):
        raise ValueError(f"{where}: target {target!r} is not host:port or *:port (port 1-65535)")


def _sanitise_static_config(where, static_config):
    if not isinstance(static_config, dict):
        raise ValueError(f"{where}: expected an object with 'targets', got {type(static_config).__name__}")
    targets = static_config.get("targets")
    if not isinstance(targets, list) or not targets:
        raise ValueError(f"{where}: 'targets' must be a non-empty list of host:port or *:port")
    for target in targets:
        _check_target(where, target)
    if "labels" in static_config and not _is_label_map(static_config["labels"]):
        raise ValueError(f"{where}: 'labels' must be an object of strings")
    return copy.deepcopy(static_config)


def sanitise_job(index, job):
    """One job as published: allowed keys only, ``static_configs`` first (the default one
    when the job has none). ``ValueError`` names the job and what is wrong."""
    label = _job_label(index, job)
    if not isinstance(job, dict):
        raise ValueError(f"{label}: expected an object, got {type(job).__name__}")
    if "job_name" in job and not isinstance(job["job_name"], str):
        raise ValueError(f"{label}: 'job_name' must be a string")
    static_configs = job.get("static_configs")
    if static_configs is None:
        static_configs = copy.deepcopy(DEFAULT_STATIC_CONFIGS)
    elif not isinstance(static_configs, list):
        raise ValueError(f"{label}: 'static_configs' must be a list")
    out = {"static_configs": [
        _sanitise_static_config(f"{label}, static_configs[{i}]", sc)
        for i, sc in enumerate(static_configs)]}
    try:
        for key in ALLOWED_JOB_KEYS:
            if key != "static_configs" and key in job:
                # a copy through JSON: what is published, and no RecursionError escapes
                out[key] = json.loads(json.dumps(job[key], allow_nan=False))
        json.dumps(out, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as e:
        raise ValueError(f"{label}: cannot be encoded as JSON: {e}") from None
    return out


def sanitise_jobs(jobs):
    """The jobs a charm gave, as they are published; ``None`` or ``[]`` is the default job.

    Raises ``ValueError`` naming the job when ``jobs`` is not a list of job
    objects or a target is not ``host:port`` / ``*:port``.
    """
    if jobs is None:
        jobs = []
    if not isinstance(jobs, (list, tuple)):
        raise ValueError(f"jobs: expected a list of scrape jobs (objects), got {type(jobs).__name__}")
    if not jobs:
        return [{"static_configs": copy.deepcopy(DEFAULT_STATIC_CONFIGS)}]
    return [sanitise_job(i, job) for i, job in enumerate(jobs)]


def check_unit_address(address):
    """A charm-chosen unit address: a host name or IP, no port; ``ValueError`` otherwise."""
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"address: expected a host name or IP address, got {address!r}")
    address = address.strip()
    if not _HOST_RE.match(address) and not _is_ipv6(address):
        raise ValueError(f"address: {address!r} is not a host name or IP address "
                         "(give the port in the jobs' targets)")
    return address


def _is_ipv6(text):
    if "%" in text:  # a scope id: Python 3.9+ accepts it, 3.8 does not; neither does Parca
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def app_databag(jobs, metadata):
    """The provider's application databag: ``scrape_jobs`` and ``scrape_metadata`` as JSON."""
    return {SCRAPE_METADATA: json.dumps({k: metadata[k] for k in METADATA_FIELDS}),
            SCRAPE_JOBS: json.dumps(jobs)}


def unit_databag(address, unit_name):
    """A provider unit's databag: where to scrape it and its name (raw strings)."""
    return {UNIT_ADDRESS: address or "", UNIT_NAME: unit_name}


# --------------------------------------------------------------------------
# Consumer side: a relation's data into scrape jobs
# --------------------------------------------------------------------------

def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON value")


def _loads(key, raw):
    """Strict JSON (no ``NaN`` or ``Infinity``, which Parca cannot read); ``InvalidDataError``
    names ``key`` when ``raw`` is not JSON or is nested too deeply to decode."""
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidDataError(f"{key} is nested too deeply") from None
    except ValueError:
        raise InvalidDataError(f"{key} is not valid JSON") from None


def decode_metadata(raw):
    """``scrape_metadata`` as a dict, or None when absent; ``InvalidDataError`` when unusable."""
    if not raw:
        return None
    data = _loads(SCRAPE_METADATA, raw)
    if not isinstance(data, dict):
        raise InvalidDataError(f"{SCRAPE_METADATA} is not a JSON object")
    for key in ("model", "model_uuid", "application"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise InvalidDataError(f"{SCRAPE_METADATA}: {key!r} is missing or not a string")
    for key in ("unit", "charm_name"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidDataError(f"{SCRAPE_METADATA}: {key!r} is not a string")
    if not _UUID_RE.match(data["model_uuid"]):
        raise InvalidDataError("{}: model_uuid {!r} is not a UUID".format(
            SCRAPE_METADATA, data["model_uuid"]))
    return data


def decode_jobs(raw):
    """``scrape_jobs`` as a list of job objects; ``InvalidDataError`` names what is wrong."""
    jobs = _loads(SCRAPE_JOBS, raw)
    if not isinstance(jobs, list):
        raise InvalidDataError(f"{SCRAPE_JOBS} is not a JSON list")
    for index, job in enumerate(jobs):
        label = f"{SCRAPE_JOBS}: {_job_label(index, job)}"
        if not isinstance(job, dict):
            raise InvalidDataError(f"{label} is not an object")
        if job.get("job_name") is not None and not isinstance(job["job_name"], str):
            raise InvalidDataError(f"{label}: job_name is not a string")
        if job.get("relabel_configs") is not None and not isinstance(job["relabel_configs"], list):
            raise InvalidDataError(f"{label}: relabel_configs is not a list")
        static_configs = job.get("static_configs", [])
        if not isinstance(static_configs, list):
            raise InvalidDataError(f"{label}: static_configs is not a list")
        for i, sc in enumerate(static_configs):
            where = f"{label}, static_configs[{i}]"
            if not isinstance(sc, dict):
                raise InvalidDataError(f"{where} is not an object")
            targets = sc.get("targets", [])
            if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
                raise InvalidDataError(f"{where}: targets is not a list of strings")
            if sc.get("labels") is not None and not _is_label_map(sc["labels"]):
                raise InvalidDataError(f"{where}: labels is not an object of strings")
    return jobs


def unit_address(unit_name, bag):
    """``(name, address)`` a remote unit is scraped as, or None when it has no address yet."""
    address = bag.get(UNIT_ADDRESS) or bag.get(LEGACY_UNIT_HOST)
    if not address:
        return None
    return (bag.get(UNIT_NAME) or unit_name, address)


def _split_targets(where, targets):
    """``(ports of "*:PORT" targets, fixed targets)``; a "*" target must have a valid port."""
    ports, fixed = [], []
    for target in targets:
        if target == "*" or target.startswith("*:"):
            port = target[2:]
            if not _valid_port(port):
                raise InvalidDataError(f"{where}: target {target!r} has no valid port")
            ports.append(port)
        else:
            fixed.append(target)
    return ports, fixed


def _topology_labels(metadata):
    labels = {
        "juju_model": metadata["model"],
        "juju_model_uuid": metadata["model_uuid"],
        "juju_application": metadata["application"],
        "juju_charm": metadata.get("charm_name") or "",
    }
    return {k: v for k, v in labels.items() if v}


def _labeled_job(index, job, metadata, units):
    """One remote job with topology: prefixed name, split static configs, instance relabel."""
    label = f"{SCRAPE_JOBS}: {_job_label(index, job)}"
    prefix = "{}_{}_{}".format(metadata["model"], metadata["model_uuid"][:8],
                               metadata["application"])
    topology = _topology_labels(metadata)
    static_configs = []
    for i, sc in enumerate(job.get("static_configs", [])):
        labels = dict(sc.get("labels") or {})
        labels.update(topology)
        ports, fixed = _split_targets(f"{label}, static_configs[{i}]",
                                      sc.get("targets", []))
        if fixed:
            static_configs.append({"targets": fixed, "labels": labels})
        for name, address in units:
            host = target_host(address)
            targets = [f"{host}:{port}" for port in ports] if ports else [host]
            unit_labels = dict(labels)
            unit_labels["juju_unit"] = name
            static_configs.append({"targets": targets, "labels": unit_labels})
    out = copy.deepcopy(job)
    out["job_name"] = prefix + ("_" + job["job_name"] if job.get("job_name") else "")
    out["static_configs"] = static_configs
    out["relabel_configs"] = list(job.get("relabel_configs") or []) + [dict(INSTANCE_RELABEL)]
    return out


def relation_jobs(app_bag, unit_bags):
    """The scrape jobs of one related application.

    ``app_bag`` is its raw application databag; ``unit_bags`` maps each
    joined unit's name to its raw databag. Returns the jobs in the order the
    application lists them, each job's units in unit order; with no
    ``scrape_metadata`` the jobs as received. Raises ``InvalidDataError``
    naming the key when the data is unusable.
    """
    metadata = decode_metadata(app_bag.get(SCRAPE_METADATA))
    raw_jobs = app_bag.get(SCRAPE_JOBS)
    if not raw_jobs:
        return []
    jobs = decode_jobs(raw_jobs)
    if metadata is None:
        return jobs
    units = [u for u in (unit_address(name, bag) for name, bag in unit_bags.items()) if u]
    units.sort(key=lambda u: unit_sort_key(u[0]))
    try:
        return [_labeled_job(i, job, metadata, units) for i, job in enumerate(jobs)]
    except RecursionError:  # copying a job takes more stack than decoding it did
        raise InvalidDataError(f"{SCRAPE_JOBS} is nested too deeply") from None
