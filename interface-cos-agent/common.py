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

Everything here is a pure function of its arguments, so it can be tested
without Juju. The principal's files are read in ``principal.py``; what the
collector makes of its principals' data is ``collector.py``.
"""
import copy
import hashlib
import json
import os

from ._bools import is_bool
from ._errors import InvalidDataError
from ._jsondata import Budget, loads, plain

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
            raise ValueError(f"{where}: job_name {name!r} is not a string or null")
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
    job per metrics endpoint, each named ``{application}_{job_name}_{hash}``, sorted by
    name (identical jobs are kept, not merged). As upstream: a job without ``job_name``
    is ``default``, an empty one stays empty (``app__{hash}``) and a null one is
    ``None`` (``app_None_{hash}``); ``check_request`` refuses any other non-string."""
    jobs = [copy.deepcopy(job) for job in request["scrape_configs"]]
    for endpoint in request["metrics_endpoints"]:
        jobs.append({"metrics_path": endpoint["path"],
                     "static_configs": [{"targets": ["localhost:{}".format(endpoint["port"])]}]})
    for job in jobs:
        name = job["job_name"] if "job_name" in job else "default"
        job["job_name"] = f"{application}_{name}_{job_hash(job)}"
    return sorted(jobs, key=lambda job: job["job_name"])

# --------------------------------------------------------------------------
# Principal side: the config as written
# --------------------------------------------------------------------------

def encode_config(config):
    """``config`` as the raw databag value: compact JSON (as pydantic writes it)."""
    text = json.dumps(config, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("config: a string is not valid Unicode (a lone surrogate)") from None
    return text

# --------------------------------------------------------------------------
# Principal side: reading the collector's receivers
# --------------------------------------------------------------------------

def decode_receivers(raw):
    """The collector's ``receivers``: a list of ``{"protocol": {"name", "type"}, "url"}``
    (other keys left out, as upstream's model does), or None when there is none yet;
    ``InvalidDataError`` when it does not have that shape."""
    if not raw:
        return None
    entries = loads(raw, RECEIVERS, Budget())  # strict: no NaN or Infinity
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
    if not is_bool(config.get("subordinate"), optional=True):
        raise InvalidDataError(f"{CONFIG}: subordinate is not a boolean")
    return config

# --------------------------------------------------------------------------
# Collector side: the peer relation
# --------------------------------------------------------------------------

#: The prefix of the keys a collector unit writes into its peer databag, one per principal.
PEER_KEY_PREFIX = "config"


def peer_key(principal_unit):
    """The peer databag key of one principal unit: ``config-{unit name}``."""
    return f"{PEER_KEY_PREFIX}-{principal_unit}"


def encode_peer_entry(principal_unit, relation_id, relation_name, metrics_alert_rules,
                      log_alert_rules, dashboards):
    """One principal's peer entry, as upstream writes it: compact JSON (no spaces, non-ASCII
    kept) of ``unit_name``, ``relation_id`` (the number of the cos-agent relation id, a
    string), ``relation_name``, ``metrics_alert_rules``, ``log_alert_rules`` and
    ``dashboards`` (still encoded), in that order."""
    return json.dumps({
        "unit_name": principal_unit,
        "relation_id": relation_id.rpartition(":")[2],
        "relation_name": relation_name,
        "metrics_alert_rules": metrics_alert_rules,
        "log_alert_rules": log_alert_rules,
        "dashboards": dashboards,
    }, separators=(",", ":"), ensure_ascii=False)


def decode_peer_entry(raw):
    """A peer entry (``encode_peer_entry``'s) as a dict, strict and within a fresh ``Budget``;
    ``InvalidDataError`` when it does not have that shape."""
    entry = loads(raw, "peer entry", Budget())
    if not isinstance(entry, dict):
        raise InvalidDataError("peer entry is not a JSON object")
    for field, kind in (("unit_name", str), ("relation_id", str), ("relation_name", str),
                        ("metrics_alert_rules", dict), ("log_alert_rules", dict),
                        ("dashboards", list)):
        if not isinstance(entry.get(field), kind):
            raise InvalidDataError(f"peer entry: {field} is missing or of the wrong type")
    if not all(isinstance(d, str) for d in entry["dashboards"]):
        raise InvalidDataError("peer entry: dashboards is not a list of strings")
    return entry

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
