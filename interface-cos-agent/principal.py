"""The principal's files: its rules and dashboards read, and its ``config`` built from them.

A cos_agent principal publishes what its charm ships (Prometheus and Loki rule
files, Grafana dashboards) with its request (``common.check_request``); this
module reads those files as upstream does (the shared ``_rules``, ``_files``
and ``_dashboards``), and ``provider_config`` puts the ``config`` object
together. ``files_fingerprint`` and ``build_key`` say cheaply whether a
built ``config`` is still current.
"""

import copy
import hashlib
import json
import os
from pathlib import PurePosixPath

from ._dashboards import charm_dashboard, encode, file_uid
from ._errors import first_line
from ._files import snapshot
from ._jsondata import encoding
from ._rules import host_health_group, labelled_groups, read_rule_files
from .common import scrape_jobs

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
    """A dashboard's ``uid``: shake_256 (20 bytes, 40 hex digits) of ``{charm}-{path}``
    (``_dashboards.file_uid``)."""
    return file_uid(charm_name, path)


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
    try:
        return charm_dashboard(dashboard, charm_name, lambda _: dashboard_uid(charm_name, rel_path))
    except ValueError as e:
        raise ValueError(f"dashboard {rel_path}: {e}") from None


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


_LAYER_CODE = []


def layer_code():
    """SHA-256 of this layer's Python files (names and bytes): a new version of the layer may
    write another ``config`` from the same files, so what was built records it."""
    if not _LAYER_CODE:
        digest = hashlib.sha256()
        here = os.path.dirname(os.path.abspath(__file__))
        for name in sorted(os.listdir(here)):
            if name.endswith(".py"):
                with open(os.path.join(here, name), "rb") as f:
                    digest.update(name.encode("utf-8") + b"\0" + f.read())
        _LAYER_CODE.append(digest.hexdigest())
    return _LAYER_CODE[0]


def build_key(request, topology):
    """What a ``config`` is built from besides the files' content: the request, the
    topology and the layer's code, as one SHA-256."""
    parts = [request, [topology.model, topology.model_uuid, topology.application,
                       topology.charm_name], layer_code()]
    return hashlib.sha256(encoding(parts).encode("utf-8")).hexdigest()
