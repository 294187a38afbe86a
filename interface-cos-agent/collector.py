"""The collector's aggregation: what it takes from each principal's ``config``, and what it
exposes from all of them (and from its peers' entries).

``principal_data`` checks the items of one decoded ``config`` (skipping bad
ones with a note), ``combine`` puts every principal's data together in
relation order, and ``combine_peer_entries`` does the same for the entries
the collector units share over their peer relation.
"""

import copy
import hashlib
import itertools

from ._dashboards import decode as _decode_dashboard
from ._jsondata import Budget, LimitExceeded
from ._topology import identifier
from .common import SERVED_PROTOCOLS

# --------------------------------------------------------------------------
# Dashboards
# --------------------------------------------------------------------------

def decode_dashboard(encoded, budget=None):
    """A dashboard string as its JSON object (``_dashboards.decode``): ``ValueError`` says
    why it is unusable, ``LimitExceeded`` when ``budget`` (the relation's) is spent."""
    return _decode_dashboard(encoded, budget)


# --------------------------------------------------------------------------
# One principal's config
# --------------------------------------------------------------------------

def _job_with_topology(job, topology_labels, notes, where):
    """One scrape job as the collector uses it, or None (and a note) when it is skipped."""
    if all(k in job for k in ("job_name", "path", "port")):
        port = job["port"]
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            notes.append(f"{where}: port is neither an integer nor a string; job skipped")
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
    ``log_alert_rules``, ``dashboards`` (``{"title", "digest"}`` of each usable one: its
    title or None, a digest of its string), ``dashboard_strings`` (those dashboards as
    received, still encoded), ``tracing_protocols`` (the ones served, in the principal's
    order) and ``notes``: one sentence per item skipped.

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
    dashboards, strings = [], []
    for index, encoded in enumerate(config["dashboards"]):
        try:
            content = decode_dashboard(encoded, budget)
        except LimitExceeded:
            raise
        except ValueError as e:
            notes.append(f"dashboards[{index}]: {e}; skipped")
            continue
        dashboards.append({"title": dashboard_title(content),
                           "digest": hashlib.blake2b(encoded.encode("ascii"),
                                                     digest_size=8).hexdigest()})
        strings.append(encoded)
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
        "dashboard_strings": strings,
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
    first relation of an application), ``dashboards`` (``relation_id``, ``charm``, ``title``
    (untitled ones ``no_title_N``), and ``index`` and ``digest``: where the dashboard's string
    is among that relation's and its digest), ``tracing_protocols`` (sorted, once each)
    and ``principals`` (``relation_id``, ``application``, ``unit``)."""
    out = {"metrics_jobs": [], "log_slots": [], "metrics_alerts": {}, "logs_alerts": {},
           "dashboards": [], "tracing_protocols": [], "principals": []}
    seen_apps = set()
    untitled = itertools.count(1)
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
        _add_alerts(out, identifier(model, model_uuid, app), data)
        for index, dashboard in enumerate(data["dashboards"]):
            out["dashboards"].append({"relation_id": data["relation_id"],
                                      "charm": f"{endpoint_name}-{app}",
                                      "title": _title(dashboard["title"], untitled),
                                      "index": index, "digest": dashboard["digest"]})
    out["tracing_protocols"] = sorted(protocols)
    return out


def combine_peer_entries(entries, model, model_uuid):
    """``metrics_alerts``, ``logs_alerts`` and ``dashboards`` from the peer entries (in the
    order read: this unit's databag first, then each peer unit's), as upstream's collector
    exposes them: each principal application once (the first entry seen wins, even an
    emptied one; empty rules give nothing); a dashboard's ``relation_id``
    (``{relation_name}:{relation_id}``) and ``charm`` (``{relation_name}-{application}``)
    from its entry; ``no_title_N`` counted over the whole list; dashboards that do not
    decode are left out."""
    out = {"metrics_alerts": {}, "logs_alerts": {}, "dashboards": []}
    seen, untitled = set(), itertools.count(1)
    for entry in entries:
        app = entry["unit_name"].split("/")[0]
        if app in seen:
            continue
        seen.add(app)
        _add_alerts(out, identifier(model, model_uuid, app), entry)
        budget = Budget()
        for encoded in entry["dashboards"]:
            try:
                content = decode_dashboard(encoded, budget)
            except LimitExceeded:
                break
            except ValueError:
                continue
            out["dashboards"].append({
                "relation_id": "{}:{}".format(entry["relation_name"], entry["relation_id"]),
                "charm": "{}-{}".format(entry["relation_name"], app),
                "title": _title(dashboard_title(content), untitled), "content": content})
    return out


def _add_alerts(out, key, data):
    """The first entry (``data``) of an application: its alert rules into ``out``'s
    ``metrics_alerts`` and ``logs_alerts`` under ``key`` (its identifier), unless empty."""
    if data["metrics_alert_rules"]:
        out["metrics_alerts"][key] = data["metrics_alert_rules"]
    if data["log_alert_rules"]:
        out["logs_alerts"][key] = data["log_alert_rules"]


def _title(title, untitled):
    """A dashboard's ``title``, or ``no_title_N`` when it is None (``N``: the next number of
    ``untitled``, an ``itertools.count(1)`` over everything combined)."""
    return f"no_title_{next(untitled)}" if title is None else title


class PeerHooks:
    """The hook names of the collector's peer relation, for ``after_hooks``: ``name()`` gives
    the peer endpoint's name when asked (a charm may set it after importing the layer)."""

    def __init__(self, name):
        """``name``: a callable returning the peer endpoint's name, or None for none."""
        self._name = name

    def __contains__(self, hook):
        """Whether ``hook`` is one of the peer relation's hooks."""
        name = self._name()
        return bool(name) and hook.startswith(name + "-relation-")
