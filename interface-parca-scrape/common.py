"""Wire format of the ``parca_scrape`` interface: the one place that knows it.

The scrape *target* (this layer's provides side) writes:

* application databag (leader only), JSON strings:
  ``scrape_jobs`` (a list of jobs in Parca's ``scrape_config`` subset) and
  ``scrape_metadata`` (``model``, ``model_uuid``, ``application``, ``unit``,
  ``charm_name``);
* every unit's databag, raw strings: ``parca_scrape_unit_address`` (where
  Parca should scrape the unit) and ``parca_scrape_unit_name``.

A job keeps only ``ALLOWED_JOB_KEYS``: ``static_configs`` first (the default
one when a job has none), then its other kept keys in the job's own order.

The *consumer* (Parca; this layer's requires side) turns each relation into
scrape jobs with Juju topology labels: with ``scrape_metadata``, every job is
first reduced to the kept keys the same way, ``*`` targets become one static
config per unit, and the ``instance`` relabel rule is the job's only one.
Upstream: the ops library ``charms.parca_k8s.v0.parca_scrape``, LIBAPI 0,
LIBPATCH 6.
"""

import copy
import ipaddress
import json
import re

from ._errors import InvalidDataError  # noqa: F401 (the layer's error for remote data)
from ._scrape import job_label as _job_label
from ._scrape import job_list, unit_sort_key

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
#: The ``instance`` rule's source labels; ``juju_unit`` is added to them in a job that got
#: at least one unit's static config.
INSTANCE_SOURCE_LABELS = ("juju_model", "juju_model_uuid", "juju_application")

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")
_PORT_RE = re.compile(r"^[0-9]{1,5}\Z")
_HOST_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@]+)\Z")



# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def _valid_port(text):
    return bool(_PORT_RE.match(text)) and 0 < int(text) < 65536


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


# --------------------------------------------------------------------------
# Provider side: what the charm asks for, checked and sanitised
# --------------------------------------------------------------------------

def _check_target(where, target):
    if not isinstance(target, str):
        raise ValueError(f"{where}: target {target!r} is not a string")
    host, sep, port = target.rpartition(":")
    if not sep or not _valid_port(port) or not (host == "*" or _HOST_RE.match(host)):
        raise ValueError(f"{where}: target {target!r} is not host:port or *:port (port 1-65535)")


def _check_static_config(where, static_config):
    if not isinstance(static_config, dict):
        raise ValueError(f"{where}: expected an object with 'targets', got {type(static_config).__name__}")
    targets = static_config.get("targets")
    if not isinstance(targets, list) or not targets:
        raise ValueError(f"{where}: 'targets' must be a non-empty list of host:port or *:port")
    for target in targets:
        _check_target(where, target)
    if "labels" in static_config and not _is_label_map(static_config["labels"]):
        raise ValueError(f"{where}: 'labels' must be an object of strings")


def kept_job(job, static_configs):
    """``job`` reduced to the keys a job keeps, as upstream orders them: ``static_configs``
    (the value given) first, then the job's other kept keys in the job's own order."""
    out = {"static_configs": static_configs}
    out.update((key, value) for key, value in job.items()
               if key in ALLOWED_JOB_KEYS and key != "static_configs")
    return out


def sanitise_job(index, job):
    """One job as published: the kept keys only (``kept_job``), the default static config
    when the job has none or ``None``. ``ValueError`` names the job and what is wrong,
    also when the job cannot be written as JSON exactly as given (``NaN``, a value of a
    type JSON has no word for, two object keys that are one once written as JSON)."""
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
    for i, static_config in enumerate(static_configs):
        _check_static_config(f"{label}, static_configs[{i}]", static_config)
    try:
        # what is published, a copy through JSON (no RecursionError escapes)
        text = json.dumps(kept_job(job, static_configs), allow_nan=False)
        published = json.loads(text)
    except (TypeError, ValueError, RecursionError) as e:
        raise ValueError(f"{label}: cannot be encoded as JSON: {e}") from None
    if json.dumps(published) != text:
        raise ValueError(f"{label}: two object keys are the same once encoded as JSON")
    return published


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


def encode_jobs(jobs):
    """``scrape_jobs`` as written. Compare jobs by this, not with ``==``: ``0 == False == 0.0``
    in Python, but ``0``, ``false`` and ``0.0`` are three different values on the wire."""
    return json.dumps(jobs)


def app_databag(jobs, metadata):
    """The provider's application databag: ``scrape_jobs`` and ``scrape_metadata`` as JSON."""
    return {SCRAPE_METADATA: json.dumps({k: metadata[k] for k in METADATA_FIELDS}),
            SCRAPE_JOBS: encode_jobs(jobs)}


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


def _job_list(raw):
    """``scrape_jobs`` decoded: a list of job objects, not checked further."""
    return job_list(SCRAPE_JOBS, _loads(SCRAPE_JOBS, raw))


def _check_job(index, job):
    """``InvalidDataError`` when a key the consumer reads has the wrong shape."""
    label = f"{SCRAPE_JOBS}: {_job_label(index, job)}"
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


def decode_jobs(raw):
    """``scrape_jobs`` as a list of job objects, as received; ``InvalidDataError`` names what
    is wrong."""
    jobs = _job_list(raw)
    for index, job in enumerate(jobs):
        _check_job(index, job)
    return jobs


def _reduced_jobs(raw):
    """``scrape_jobs`` with every job reduced as the target reduces it (``kept_job``): only
    the kept keys, the default static config when the job has none; then checked."""
    jobs = [kept_job(job, job["static_configs"] if "static_configs" in job
                     else copy.deepcopy(DEFAULT_STATIC_CONFIGS))
            for job in _job_list(raw)]
    for index, job in enumerate(jobs):
        _check_job(index, job)
    return jobs


def unit_address(unit_name, bag):
    """``(name, address)`` a remote unit is scraped as, or None when it has no address yet."""
    address = bag.get(UNIT_ADDRESS) or bag.get(LEGACY_UNIT_HOST)
    if not address:
        return None
    return (bag.get(UNIT_NAME) or unit_name, address)


def scraped_units(unit_bags):
    """``[(name, address)]`` of the units with an address, one per name, sorted by name.

    Units are told apart by the name they publish: when several publish the
    same one, the unit first in unit order (``app/2`` before ``app/10``) is kept.
    """
    units = {}
    for juju_name in sorted(unit_bags, key=unit_sort_key):
        unit = unit_address(juju_name, unit_bags[juju_name])
        if unit and unit[0] not in units:
            units[unit[0]] = unit[1]
    return sorted(units.items(), key=lambda u: unit_sort_key(u[0]))


def _split_targets(where, targets):
    """``(ports of "*:PORT" targets, fixed targets)``.

    A target is split at its first ``:``; when the part before it, stripped of
    whitespace, is ``*``, the part after it, stripped too, is a port of every
    unit and must be a valid one. Any other target is fixed, kept verbatim.
    """
    ports, fixed = [], []
    for target in targets:
        host, sep, port = target.partition(":")
        if host.strip() != "*":
            fixed.append(target)
            continue
        port = port.strip()
        if not sep or not _valid_port(port):
            raise InvalidDataError(f"{where}: target {target!r} has no valid port")
        ports.append(port)
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
    """One reduced job with topology: prefixed name, split static configs, the instance rule."""
    label = f"{SCRAPE_JOBS}: {_job_label(index, job)}"
    prefix = "{}_{}_{}".format(metadata["model"], metadata["model_uuid"][:8],
                               metadata["application"])
    topology = _topology_labels(metadata)
    static_configs = []
    per_unit = False
    for i, sc in enumerate(job["static_configs"]):
        labels = dict(sc.get("labels") or {})
        labels.update(topology)
        ports, fixed = _split_targets(f"{label}, static_configs[{i}]",
                                      sc.get("targets", []))
        if fixed:
            static_configs.append({"targets": fixed, "labels": labels})
        for name, address in units:
            host = target_host(address)
            unit_labels = dict(labels)
            unit_labels["juju_unit"] = name
            static_configs.append({"labels": unit_labels, "targets": [
                f"{host}:{port}" for port in ports] if ports else [host]})
            per_unit = True
    out = copy.deepcopy(job)
    out["job_name"] = prefix + ("_" + job["job_name"] if job.get("job_name") else "")
    out["static_configs"] = static_configs
    out["relabel_configs"] = [{
        "source_labels": list(INSTANCE_SOURCE_LABELS) + (["juju_unit"] if per_unit else []),
        "separator": "_",
        "target_label": "instance",
        "regex": "(.*)",
    }]
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
    if metadata is None:
        return decode_jobs(raw_jobs)
    jobs = _reduced_jobs(raw_jobs)
    units = scraped_units(unit_bags)
    try:
        return [_labeled_job(i, job, metadata, units) for i, job in enumerate(jobs)]
    except RecursionError:  # copying a job takes more stack than decoding it did
        raise InvalidDataError(f"{SCRAPE_JOBS} is nested too deeply") from None
