"""Wire format of the ``cos_agent`` interface: the one place that knows it.

A workload charm (the *principal*, this layer's provides side) writes one key
into its own **unit** databag on every relation: ``config``, a compact JSON
object with its scrape jobs, alert rules (Prometheus and Loki), Grafana
dashboards (each LZMA-compressed and base64-encoded), snap log slots and the
tracing protocols it wants receivers for. The machine telemetry collector
(opentelemetry-collector, grafana-agent; a subordinate, this layer's requires
side) reads it from its principal unit and answers in its own unit databag
with ``receivers``: a JSON list, one entry per requested tracing protocol,
with the URL to send traces to. No application databag is used by either
side. Upstream: the ops library ``charms.grafana_agent.v0.cos_agent``, LIBAPI
0, LIBPATCH 26 (with cosl writing the rules and group names).

Everything here is a pure function of its arguments (and, for the
principal, of the files it reads), so it can be tested without Juju.
"""

import copy
import hashlib
import json
import os
from pathlib import PurePosixPath

from ._dashboards import MAX_DASHBOARD_BYTES, compress, encode  # noqa: F401 (re-exported)
from ._dashboards import decode as _decode_dashboard
from ._errors import InvalidDataError
from ._files import contents_changed, snapshot  # noqa: F401 (re-exported)
from ._jsondata import MAX_DEPTH, Budget, LimitExceeded, loads, plain  # noqa: F401
from ._rules import (  # noqa: F401 (re-exported: the layer's rule-file vocabulary)
    HOST_HEALTH_GROUP,
    LOGQL_TOPOLOGY_MATCHER,
    RULE_SUFFIXES,
    RULE_TYPES,
    TOPOLOGY_PLACEHOLDER,
    first_line,
    group_name,
    host_health_group,
    labelled_group,
    labelled_groups,
    read_rule_files,
    rule_files,
)
from ._topology import Topology, identifier  # noqa: F401 (re-exported)

CONFIG = "config"
RECEIVERS = "receivers"

DEFAULT_METRICS_RULES_DIR = "./src/prometheus_alert_rules"
DEFAULT_LOGS_RULES_DIR = "./src/loki_alert_rules"
DEFAULT_DASHBOARD_DIRS = ("./src/grafana_dashboards",)

#: The tracing protocols the collector serves: ``name: (transport type, port)``.
SERVED_PROTOCOLS = {
    "otlp_grpc": ("grpc", 4317),
    "otlp_http": ("http", 4318),
    "zipkin": ("http", 9411),
    "jaeger_thrift_http": ("http", 14268),
}

# --------------------------------------------------------------------------
# Principal side: checking the charm's arguments
# --------------------------------------------------------------------------

def _path(value, where):
    """``value`` (a string or ``os.PathLike``) as a string; ``ValueError`` otherwise."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: expected a path (a non-empty string), got {value!r}")
    return value


def _string_list(value, where):
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: expected a list of strings, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{where}: {item!r} is not a string")
    return list(value)


# --------------------------------------------------------------------------
# Principal side: the request, checked
# --------------------------------------------------------------------------

def check_request(metrics_endpoints=None, scrape_configs=None,
                  metrics_rules_dir=DEFAULT_METRICS_RULES_DIR,
                  logs_rules_dir=DEFAULT_LOGS_RULES_DIR, recurse_rules_dirs=False,
                  dashboard_dirs=None, log_slots=None, tracing_protocols=None,
                  extra_alert_groups=None):
    """The principal's request as plain data (what the layer remembers).

    The arguments are those of upstream's ``COSAgentProvider``;
    ``scrape_configs`` and ``extra_alert_groups`` may be callables, which are
    called now. Raises ``ValueError`` naming the argument when one is unusable:
    a metrics endpoint without ``port``, a tracing protocol the collector does
    not serve, anything that has no JSON form.
    """
    if callable(scrape_configs):
        scrape_configs = scrape_configs()
    if callable(extra_alert_groups):
        extra_alert_groups = extra_alert_groups()
    if not isinstance(recurse_rules_dirs, bool):
        raise ValueError(f"recurse_rules_dirs: expected True or False, got {recurse_rules_dirs!r}")
    if dashboard_dirs is not None and (isinstance(dashboard_dirs, (str, os.PathLike))
                                       or not isinstance(dashboard_dirs, (list, tuple))):
        raise ValueError("dashboard_dirs: expected a list of directories, got "
                         f"{type(dashboard_dirs).__name__}")
    return {
        "metrics_endpoints": _check_endpoints(metrics_endpoints),
        "scrape_configs": _check_scrape_configs(scrape_configs),
        "metrics_rules_dir": _path(metrics_rules_dir, "metrics_rules_dir"),
        "logs_rules_dir": _path(logs_rules_dir, "logs_rules_dir"),
        "recurse_rules_dirs": recurse_rules_dirs,
        "dashboard_dirs": [_path(d, "dashboard_dirs") for d in (dashboard_dirs or ())]
        or list(DEFAULT_DASHBOARD_DIRS),
        "log_slots": _string_list(log_slots, "log_slots") or [],
        "tracing_protocols": _check_protocols(tracing_protocols),
        "extra_alert_groups": _check_extra_groups(extra_alert_groups),
    }


def _check_endpoints(endpoints):
    if endpoints is None:
        return []
    if not isinstance(endpoints, (list, tuple)):
        raise ValueError("metrics_endpoints: expected a list of {'path': ..., 'port': ...}, got "
                         f"{type(endpoints).__name__}")
    out = []
    for index, endpoint in enumerate(endpoints):
        where = f"metrics_endpoints[{index}]"
        if not isinstance(endpoint, dict):
            raise ValueError(f"{where}: expected {{'path': ..., 'port': ...}}, got "
                             f"{type(endpoint).__name__}")
        if "port" not in endpoint:
            raise ValueError(f"{where}: has no 'port'")
        if "path" not in endpoint:
            raise ValueError(f"{where}: has no 'path'")
        port, path = endpoint["port"], endpoint["path"]
        if isinstance(port, str) and port.isascii() and port.isdigit():
            port = int(port)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"{where}: port {endpoint['port']!r} is not a port number (1-65535)")
        if not isinstance(path, str):
            raise ValueError(f"{where}: path {path!r} is not a string")
        out.append({"path": path, "port": port})
    return out


def _check_scrape_configs(configs):
    if configs is None:
        return []
    if not isinstance(configs, (list, tuple)):
        raise ValueError("scrape_configs: expected a list of scrape configs (objects), got "
                         f"{type(configs).__name__}")
    out = []
    for index, job in enumerate(configs):
        where = f"scrape_configs[{index}]"
        if not isinstance(job, dict):
            raise ValueError(f"{where}: expected an object, got {type(job).__name__}")
        name = job.get("job_name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{where}: job_name {name!r} is not a string")
        out.append(plain(job, where))
    return out


def _check_protocols(protocols):
    if protocols is None:
        return None
    if isinstance(protocols, str) or not isinstance(protocols, (list, tuple)):
        raise ValueError("tracing_protocols: expected a list of protocol names, got "
                         f"{type(protocols).__name__}")
    for name in protocols:
        if not isinstance(name, str):
            raise ValueError(f"tracing_protocols: {name!r} is not a protocol name (a string)")
        if name not in SERVED_PROTOCOLS:
            raise ValueError("tracing_protocols: {!r} is not served by the collector (one of {})"
                             .format(name, ", ".join(sorted(SERVED_PROTOCOLS))))
    return list(protocols)


def _check_extra_groups(groups):
    if not groups:
        return None
    if not isinstance(groups, dict):
        raise ValueError("extra_alert_groups: expected a rules object {'groups': [...]}, got "
                         f"{type(groups).__name__}")
    if not isinstance(groups.get("groups"), list):
        raise ValueError("extra_alert_groups: 'groups' is missing or not a list")
    return plain(groups, "extra_alert_groups")


# --------------------------------------------------------------------------
# Principal side: the older layer's metrics endpoints
# --------------------------------------------------------------------------

class MetricsEndpoint:
    """One metrics endpoint in the API of the older ``interface:cos-agent`` layer, for
    ``update_cos_agent``: scraped at ``{host}:{port}{path}`` as job ``job_name``; the
    dashboards in ``dashboards_dir`` (a directory, e.g. ``$CHARM_DIR/files/dashboards``)
    are published with it."""

    def __init__(self, port, path="/metrics", host="localhost", job_name="default",
                 dashboards_dir=None):
        """The older layer's arguments, kept as given (``update_cos_agent`` checks them)."""
        self.port = port
        self.path = path
        self.host = host
        self.job_name = job_name
        self.dashboards_dir = dashboards_dir

    def to_scrape_config(self):
        """The scrape config this endpoint is published as (before the job is named)."""
        return {"job_name": self.job_name, "metrics_path": self.path,
                "static_configs": [{"targets": [f"{self.host}:{self.port}"]}]}

    def __repr__(self):
        """``MetricsEndpoint(port=..., ...)``."""
        return (f"MetricsEndpoint(port={self.port!r}, path={self.path!r}, host={self.host!r}, "
                f"job_name={self.job_name!r}, dashboards_dir={self.dashboards_dir!r})")


# --------------------------------------------------------------------------
# Principal side: scrape jobs
# --------------------------------------------------------------------------

def job_hash(job):
    """The 8 hex digits that end a job's name: blake2b (4 bytes) of the job without
    ``job_name``, as ``json.dumps(..., sort_keys=True)``."""
    body = {k: v for k, v in job.items() if k != "job_name"}
    text = json.dumps(body, sort_keys=True)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def scrape_jobs(request, application):
    """The ``metrics_scrape_jobs`` of a request: the charm's scrape configs whole, then one
    job per metrics endpoint, each named ``{application}_{job_name or 'default'}_{hash}``,
    sorted by name (identical jobs are kept, not merged)."""
    jobs = [copy.deepcopy(job) for job in request["scrape_configs"]]
    for endpoint in request["metrics_endpoints"]:
        jobs.append({"metrics_path": endpoint["path"],
                     "static_configs": [{"targets": ["localhost:{}".format(endpoint["port"])]}]})
    for job in jobs:
        job["job_name"] = "{}_{}_{}".format(application, job.get("job_name") or "default",
                                            job_hash(job))
    return sorted(jobs, key=lambda job: job["job_name"])


# --------------------------------------------------------------------------
# Principal side: alert rules
# --------------------------------------------------------------------------

def read_rules(rules_dir, recursive, topology, query_type, log):
    """Every group from the rules files at ``rules_dir`` (a directory, or one file), as
    published; a path that does not exist has none."""
    return labelled_groups(read_rule_files(rules_dir, recursive, log), topology, query_type)


def metrics_alert_rules(request, topology, base_dir, log):
    """``metrics_alert_rules``: the charm's extra groups verbatim, the rules files' groups,
    then the generic ``HostHealth`` group; identical groups once."""
    extra = copy.deepcopy(request["extra_alert_groups"]) or {"groups": []}
    groups = list(extra["groups"])
    groups.extend(read_rules(_resolve(base_dir, request["metrics_rules_dir"]),
                             request["recurse_rules_dirs"], topology, "promql", log))
    groups.append(host_health_group(topology))
    extra["groups"] = _dedupe(groups)
    return extra


def log_alert_rules(request, topology, base_dir, log):
    """``log_alert_rules``: the logs rules files' groups, or ``{}`` when there are none."""
    groups = read_rules(_resolve(base_dir, request["logs_rules_dir"]),
                        request["recurse_rules_dirs"], topology, "logql", log)
    return {"groups": groups} if groups else {}


def _dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _resolve(base_dir, path):
    """``path`` (as the charm gave it) from the charm directory, where Juju runs hooks."""
    return os.path.normpath(os.path.join(base_dir, path))


# --------------------------------------------------------------------------
# Principal side: dashboards
# --------------------------------------------------------------------------

def dashboard_uid(charm_name, path):
    """A dashboard's ``uid``: shake_256 (20 bytes, 40 hex digits) of ``{charm}-{path}``."""
    return hashlib.shake_256(f"{charm_name}-{path}".encode()).hexdigest(20)


def _dashboard_path(directory, name, base_dir):
    """The path that seeds the ``uid``, as pathlib writes it (``src/grafana_dashboards/x.json``:
    no ``./``); a directory given as an absolute path is taken relative to the charm
    directory (``ValueError`` when it is outside)."""
    path = PurePosixPath(directory) / name
    if path.is_absolute():
        try:
            path = path.relative_to(PurePosixPath(base_dir))
        except ValueError:
            raise ValueError(f"dashboard_dirs: {directory!r} is not inside the charm directory "
                             f"{base_dir!r}") from None
    return str(path)


def read_dashboards(request, charm_name, base_dir):
    """``dashboards``: every file directly in each dashboard directory (sorted by name),
    parsed as JSON, with ``uid`` set and the ``charm:`` tag added, then compressed.

    Raises ``ValueError`` naming the file when one is not a JSON object or
    its ``tags`` are not a list of strings: upstream then writes nothing.
    """
    out = []
    for directory in request["dashboard_dirs"]:
        where = _resolve(base_dir, directory)
        if not os.path.isdir(where):
            continue
        for name in sorted(os.listdir(where)):
            path = os.path.join(where, name)
            if not os.path.isfile(path):
                continue
            out.append(encode(encode_dashboard(
                path, _dashboard_path(directory, name, base_dir), charm_name)))
    return out


def encode_dashboard(path, rel_path, charm_name):
    """One dashboard file as published (a dict): ``uid`` from the charm name and
    ``rel_path``, the tag ``charm: {charm_name}`` unless one starts with ``charm: ``."""
    try:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"dashboard {rel_path}: not JSON ({first_line(e)})") from None
    if not isinstance(dashboard, dict):
        raise ValueError(f"dashboard {rel_path}: not a JSON object")
    tags = dashboard.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError(f"dashboard {rel_path}: 'tags' is not a list of strings")
    dashboard["uid"] = dashboard_uid(charm_name, rel_path)
    if not any(tag.startswith("charm: ") for tag in tags):
        tags = tags + [f"charm: {charm_name}"]
    dashboard["tags"] = tags
    return dashboard


def files_fingerprint(request, base_dir, previous=None):
    """What the files a request reads hold, cheaply: ``_files.snapshot`` of its rules and
    dashboard directories (a stat per file; a file's content is read only when its size
    or modification time differs from ``previous``). ``contents_changed`` compares two."""
    recurse = request["recurse_rules_dirs"]
    roots = [(_resolve(base_dir, request["metrics_rules_dir"]), recurse),
             (_resolve(base_dir, request["logs_rules_dir"]), recurse)]
    roots += [(_resolve(base_dir, d), False) for d in request["dashboard_dirs"]]
    return snapshot(roots, previous)


# --------------------------------------------------------------------------
# Principal side: the whole config
# --------------------------------------------------------------------------

def provider_config(request, topology, base_dir, log):
    """The principal's ``config`` object (a dict, upstream's field order) for ``request``,
    reading the rules and dashboard files under ``base_dir`` (the charm directory).

    ``log(message)`` is called for every rules file that is skipped. Raises
    ``ValueError`` naming the file when one cannot be used.
    """
    return {
        "metrics_alert_rules": metrics_alert_rules(request, topology, base_dir, log),
        "log_alert_rules": log_alert_rules(request, topology, base_dir, log),
        "dashboards": read_dashboards(request, topology.charm_name, base_dir),
        "subordinate": None,
        "metrics_scrape_jobs": scrape_jobs(request, topology.application),
        "log_slots": list(request["log_slots"]),
        "tracing_protocols": request["tracing_protocols"],
    }


def encode_config(config):
    """``config`` as the raw databag value: compact JSON (as pydantic writes it)."""
    text = json.dumps(config, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("config: a string is not valid Unicode (a lone surrogate)") from None
    return text


def decode_dashboard(encoded, budget=None):
    """A dashboard string as its JSON object (``_dashboards.decode``): ``ValueError`` says
    why it is unusable, ``LimitExceeded`` when ``budget`` (the relation's) is spent."""
    return _decode_dashboard(encoded, budget)


# --------------------------------------------------------------------------
# Principal side: reading the collector's receivers
# --------------------------------------------------------------------------

def decode_receivers(raw):
    """The collector's ``receivers``: a list of ``{"protocol": {"name", "type"}, "url"}``
    (other keys left out, as upstream's model does), or None when there is none yet;
    ``InvalidDataError`` when it does not have that shape."""
    if not raw:
        return None
    try:
        entries = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidDataError(f"{RECEIVERS} is not valid JSON") from None
    if not isinstance(entries, list):
        raise InvalidDataError(f"{RECEIVERS} is not a JSON list")
    out = []
    for index, entry in enumerate(entries):
        where = f"{RECEIVERS}[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("protocol"), dict):
            raise InvalidDataError(f"{where} has no protocol object")
        name, kind = entry["protocol"].get("name"), entry["protocol"].get("type")
        if not isinstance(name, str):
            raise InvalidDataError(f"{where}: protocol name is not a string")
        if kind not in ("http", "grpc"):
            raise InvalidDataError(f"{where}: protocol type is not 'http' or 'grpc'")
        url = entry.get("url", ...)
        if not (url is None or isinstance(url, str)):
            raise InvalidDataError(f"{where}: url is missing, or not a string or null")
        out.append({"protocol": {"name": name, "type": kind}, "url": url})
    return out


def receiver_url(receivers, protocol):
    """The ``url`` of the first receiver named ``protocol`` (None: none, or its url is null)."""
    for receiver in receivers or ():
        if receiver["protocol"]["name"] == protocol:
            return receiver["url"]
    return None


# --------------------------------------------------------------------------
# Collector side: one principal's config
# --------------------------------------------------------------------------

#: ``config`` fields that must be there: ``(name, what it is, check)``.
REQUIRED_FIELDS = (
    ("metrics_alert_rules", "an object", lambda v: isinstance(v, dict)),
    ("log_alert_rules", "an object", lambda v: isinstance(v, dict)),
    ("dashboards", "a list of strings", lambda v: _list_of(v, str)),
    ("metrics_scrape_jobs", "a list of objects", lambda v: _list_of(v, dict)),
    ("log_slots", "a list of strings", lambda v: _list_of(v, str)),
)
_BOOL_WORDS = {"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"}


def _list_of(value, kind):
    return isinstance(value, list) and all(isinstance(v, kind) for v in value)


def decode_config(raw, budget=None):
    """A principal's ``config`` as a dict, or None when there is none yet.

    Raises ``InvalidDataError`` saying why when it is rejected as a whole: not
    JSON, not an object, a required field missing or of the wrong type
    (``metrics_alert_rules`` and ``log_alert_rules`` objects, ``dashboards``
    and ``log_slots`` lists of strings, ``metrics_scrape_jobs`` a list of
    objects), ``tracing_protocols`` not null or a list of strings,
    ``subordinate`` not null or a boolean. Unknown keys are ignored.
    """
    if not raw:
        return None
    config = loads(raw, CONFIG, budget)
    if not isinstance(config, dict):
        raise InvalidDataError(f"{CONFIG} is not a JSON object")
    for field, what, check in REQUIRED_FIELDS:
        if field not in config:
            raise InvalidDataError(f"{CONFIG}: {field} is missing")
        if not check(config[field]):
            raise InvalidDataError(f"{CONFIG}: {field} is not {what}")
    protocols = config.get("tracing_protocols")
    if protocols is not None and not _list_of(protocols, str):
        raise InvalidDataError(f"{CONFIG}: tracing_protocols is not a list of strings")
    if not _is_bool_like(config.get("subordinate")):
        raise InvalidDataError(f"{CONFIG}: subordinate is not a boolean")
    return config


def _is_bool_like(value):
    """What pydantic accepts for an optional ``bool`` read from JSON."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return value in (0, 1)
    return isinstance(value, str) and value.lower() in _BOOL_WORDS


def _job_with_topology(job, topology_labels, notes, where):
    """One scrape job as the collector uses it, or None (and a note) when it is skipped."""
    if all(k in job for k in ("job_name", "path", "port")):
        port = job["port"]
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            notes.append(f"{where}: port is neither a number nor a string; job skipped")
            return None
        job = {
            "job_name": job["job_name"],
            "metrics_path": job["path"],
            "static_configs": [{"targets": [f"localhost:{port}"]}],
            "tls_config": {"insecure_skip_verify": True},
        }
    else:
        job = copy.deepcopy(job)
    if "static_configs" not in job:
        return job
    if not isinstance(job["static_configs"], list):
        notes.append(f"{where}: static_configs is not a list; job skipped")
        return None
    static_configs = []
    for index, static_config in enumerate(job["static_configs"]):
        if not isinstance(static_config, dict) or not isinstance(
                static_config.get("labels", {}), dict):
            notes.append(f"{where}: static_configs[{index}] is not an object with labels "
                         "(an object); skipped")
            continue
        static_config = dict(static_config)
        static_config["labels"] = dict(static_config.get("labels", {}), **topology_labels)
        static_configs.append(static_config)
    job["static_configs"] = static_configs
    return job


def principal_data(config, application, unit, model, model_uuid, budget=None):
    """What the collector takes from one principal's decoded ``config``: a JSON-able dict
    with ``application``, ``unit``, ``metrics_jobs``, ``log_slots``, ``metrics_alert_rules``,
    ``log_alert_rules``, ``dashboards`` (decoded objects), ``tracing_protocols`` (the ones
    served, in the principal's order) and ``notes``: one sentence per item skipped.

    Dashboards are decoded within ``budget`` (the relation's ``Budget``, which the raw
    ``config`` has spent from already): ``LimitExceeded`` when it is spent."""
    notes = []
    topology_labels = {
        "juju_model": model,
        "juju_model_uuid": model_uuid,
        "juju_application": application,
        "juju_unit": unit,
    }
    jobs = []
    for index, job in enumerate(config["metrics_scrape_jobs"]):
        job = _job_with_topology(job, topology_labels, notes, f"metrics_scrape_jobs[{index}]")
        if job is not None:
            jobs.append(job)
    slots = []
    for slot in config["log_slots"]:
        owner, sep, name = slot.partition(":")
        if not sep or ":" in name:
            notes.append(f"log_slots: {slot!r} is not 'snap-name:slot'; skipped")
            continue
        slots.append({"owner": owner, "name": name, "application": application, "unit": unit})
    dashboards = []
    for index, encoded in enumerate(config["dashboards"]):
        try:
            dashboards.append(decode_dashboard(encoded, budget))
        except LimitExceeded:
            raise
        except ValueError as e:
            notes.append(f"dashboards[{index}]: {e}; skipped")
    protocols = []
    for name in config.get("tracing_protocols") or ():
        if name in SERVED_PROTOCOLS:
            protocols.append(name)
        else:
            notes.append(f"tracing_protocols: {name!r} is not served by this collector; skipped")
    return {
        "application": application,
        "unit": unit,
        "metrics_jobs": jobs,
        "log_slots": slots,
        "metrics_alert_rules": config["metrics_alert_rules"],
        "log_alert_rules": config["log_alert_rules"],
        "dashboards": dashboards,
        "tracing_protocols": protocols,
        "notes": notes,
    }


def dashboard_title(content):
    """A dashboard's title: ``title``, else ``dashboard.title`` (non-empty strings), or None."""
    title = content.get("title")
    if isinstance(title, str) and title:
        return title
    inner = content.get("dashboard")
    if isinstance(inner, dict) and isinstance(inner.get("title"), str) and inner["title"]:
        return inner["title"]
    return None


def combine(principals, endpoint_name, model, model_uuid):
    """What the collector exposes, from every principal's data (``principal_data`` plus
    ``relation_id``), in relation order: ``metrics_jobs``, ``log_slots``,
    ``metrics_alerts`` and ``logs_alerts`` (``{identifier: rules}``, non-empty rules, the
    first relation of an application), ``dashboards`` (``relation_id``, ``charm``, ``title``,
    ``content``; untitled ones ``no_title_N``), ``tracing_protocols`` (sorted, once each)
    and ``principals`` (``relation_id``, ``application``, ``unit``)."""
    out = {"metrics_jobs": [], "log_slots": [], "metrics_alerts": {}, "logs_alerts": {},
           "dashboards": [], "tracing_protocols": [], "principals": []}
    seen_apps = set()
    untitled = 0
    protocols = set()
    for data in principals:
        app = data["application"]
        out["principals"].append({"relation_id": data["relation_id"], "application": app,
                                  "unit": data["unit"]})
        out["metrics_jobs"].extend(data["metrics_jobs"])
        out["log_slots"].extend(data["log_slots"])
        protocols.update(data["tracing_protocols"])
        if app in seen_apps:
            continue
        seen_apps.add(app)
        key = identifier(model, model_uuid, app)
        if data["metrics_alert_rules"]:
            out["metrics_alerts"][key] = data["metrics_alert_rules"]
        if data["log_alert_rules"]:
            out["logs_alerts"][key] = data["log_alert_rules"]
        for content in data["dashboards"]:
            title = dashboard_title(content)
            if title is None:
                untitled += 1
                title = f"no_title_{untitled}"
            out["dashboards"].append({"relation_id": data["relation_id"],
                                      "charm": f"{endpoint_name}-{app}",
                                      "title": title, "content": content})
    out["tracing_protocols"] = sorted(protocols)
    return out


# --------------------------------------------------------------------------
# Collector side: receivers
# --------------------------------------------------------------------------

def receivers(protocols, fqdn, tls=False, ready=True):
    """The ``receivers`` entries for ``protocols`` (served names), sorted by name:
    ``http(s)://{fqdn}:{port}`` for http protocols, ``{fqdn}:{port}`` for grpc ones,
    ``url`` null when the collector is not ``ready`` to forward traces."""
    out = []
    for name in sorted(set(protocols)):
        kind, port = SERVED_PROTOCOLS[name]
        if not ready:
            url = None
        elif kind == "grpc":
            url = f"{fqdn}:{port}"
        else:
            url = "{}://{}:{}".format("https" if tls else "http", fqdn, port)
        out.append({"protocol": {"name": name, "type": kind}, "url": url})
    return out


def encode_receivers(entries):
    """``receivers`` as the raw databag value (``json.dumps``, as upstream writes it)."""
    return json.dumps(entries)
