"""Wire format of the ``grafana_dashboard`` interface: the one place that knows it.

A charm with dashboards (this layer's provides side) has its leader write one
key into every relation's **application** databag: ``dashboards``, the JSON
text of ``{"templates": {KEY: TEMPLATE, ...}, "uuid": HASH}``. Each TEMPLATE
carries one dashboard (``content``: its JSON text, xz-compressed and
base64-encoded), the charm's name, the leader's Juju topology, whether Grafana
should add the topology dropdowns, and an alternative uid. Grafana (the
requires side) renders every template: it gives the dashboard a uid when it
has none, adds the datasource and topology dropdowns, points the panels at
them, and answers in its own application databag with ``event``, the
templates it could not render. Upstream: the ops library
``charms.grafana_k8s.v0.grafana_dashboard``, LIBAPI 0, LIBPATCH 52.

Everything here is a pure function of its arguments (and, for the provider,
of the files it reads), so it can be tested without Juju.
"""

import copy
import hashlib
import json
import os
import re
import string

from ._dashboards import MAX_DASHBOARD_BYTES, charm_dashboard, compress, decompress, file_uid
from ._errors import InvalidDataError, first_line
from ._files import list_files, stem
from ._jsondata import MAX_RELATION_BYTES, MAX_RELATION_VALUES, Budget

__all__ = ["compress", "decompress", "Budget", "InvalidDataError", "MAX_RELATION_BYTES"]

DASHBOARDS = "dashboards"
EVENT = "event"

DEFAULT_DASHBOARDS_PATH = "src/grafana_dashboards"
#: A file below the dashboards directory whose name ends with one of these is a dashboard.
DASHBOARD_SUFFIXES = (".json", ".json.tmpl", ".tmpl")
FILE_PREFIX = "file:"
PROG_PREFIX = "prog:"

#: A dashboard larger than this once decompressed is refused (its template fails); the
#: shared codec's limit (``_dashboards``).
MAX_CONTENT_BYTES = MAX_DASHBOARD_BYTES
#: What one relation's data may decode to, all of it together: bytes of JSON text (the
#: ``dashboards`` value and every content decompressed) and JSON values, counted before
#: anything is parsed (``_jsondata.Budget``). Past either, the template fails.
MAX_JSON_VALUES = MAX_RELATION_VALUES

#: The variables Grafana adds so that queries can be filtered by Juju topology (upstream's
#: exact objects, in order): each one over ``${prometheusds}``, filtered by those before it.
_TOPOLOGY_LABELS = (("juju_model", "Juju model"), ("juju_model_uuid", "Juju model uuid"),
                    ("juju_application", "Juju application"), ("juju_unit", "Juju unit"))


def _topology_dropdown(index):
    name, label = _TOPOLOGY_LABELS[index]
    matchers = ",".join(f'{before}=~"${before}"' for before, _ in _TOPOLOGY_LABELS[:index])
    query = "label_values(up{}{},{})".format("{" + matchers + "}" if matchers else "", "", name)
    return {
        "allValue": ".*", "datasource": "${prometheusds}", "definition": query,
        "description": None, "error": None, "hide": 0, "includeAll": True, "label": label,
        "multi": True, "name": name,
        "query": {"query": query, "refId": "StandardVariableQuery"},
        "refresh": 1, "regex": "", "skipUrlSync": False, "sort": 0, "tagValuesQuery": "",
        "tags": [], "tagsQuery": "", "type": "query", "useTags": False,
    }


def _datasource_dropdown(name, label, query):
    return {"description": None, "error": None, "hide": 0, "includeAll": True, "label": label,
            "multi": True, "name": name, "options": [], "query": query, "refresh": 1,
            "regex": "", "skipUrlSync": False, "type": "datasource"}


TOPOLOGY_DROPDOWNS = tuple(_topology_dropdown(i) for i in range(len(_TOPOLOGY_LABELS)))
DATASOURCE_DROPDOWNS = (_datasource_dropdown("prometheusds", "Prometheus datasource", "prometheus"),
                        _datasource_dropdown("lokids", "Loki datasource", "loki"))
#: datasource type (lower case) -> the variable a panel of that type is pointed at
DATASOURCE_VARIABLES = {"loki": "${lokids}", "prometheus": "${prometheusds}"}
_VARIABLE_CHARS = re.compile(r"[${}]")


def loads_within(text, what, budget):
    """``json.loads(text)`` once ``budget`` (a ``_jsondata.Budget``) has paid for its bytes and
    values (``LimitExceeded`` before anything is parsed); ``ValueError`` naming ``what`` when
    it is not JSON. Not strict: ``NaN`` and ``Infinity`` parse, as upstream's reader has it."""
    budget.spend_bytes(len(text), what)
    budget.spend_values(text, what)
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply") from None
    except ValueError as e:
        raise ValueError(f"{what} is not JSON ({e})") from None


# --------------------------------------------------------------------------
# Provider side: templates
# --------------------------------------------------------------------------

def alt_uid(charm_name, key):
    """The template's ``dashboard_alt_uid``: 16 hex digits from the charm name and KEY."""
    return hashlib.shake_256(f"{charm_name}-{key}".encode()).hexdigest(8)


def path_uid(charm_name, rel_path):
    """A file dashboard's uid: 40 hex digits from the charm name and its path (relative to
    the charm directory): ``_dashboards.file_uid``."""
    return file_uid(charm_name, rel_path)


def is_path_uid(uid):
    """Whether ``uid`` is kept as it is: 40 hexadecimal digits (either case)."""
    return isinstance(uid, str) and len(uid) == 40 and all(c in string.hexdigits for c in uid)


def juju_topology(topology):
    """The ``juju_topology`` of a template from a unit's ``_topology.Topology`` (upstream's
    key order)."""
    return {"model": topology.model, "model_uuid": topology.model_uuid,
            "application": topology.application, "unit": topology.unit}


def template(charm_name, key, content, juju_topology, inject_dropdowns):
    """One TEMPLATE (upstream's key order); the topology is ``{}`` without dropdowns."""
    return {"charm": charm_name, "content": content,
            "juju_topology": juju_topology if inject_dropdowns else {},
            "inject_dropdowns": inject_dropdowns,
            "dashboard_alt_uid": alt_uid(charm_name, key)}


def prog_key(content):
    """The KEY of a programmatic dashboard: ``prog:`` and characters -24 to -16 of its
    encoded ``content``."""
    return PROG_PREFIX + content[-24:-16]


def check_content(content, inject_dropdowns):
    """``add_dashboard``'s arguments, checked: ``ValueError`` when ``content`` is not a string
    (it is sent as given, not parsed) or ``inject_dropdowns`` is not a boolean."""
    if not isinstance(content, str):
        raise ValueError(f"add_dashboard: content must be a string, not {type(content).__name__}")
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("add_dashboard: content is not valid Unicode (a lone surrogate)") from None
    if not isinstance(inject_dropdowns, bool):
        raise ValueError("inject_dropdowns must be True or False")


def check_path(dashboards_path):
    """``ValueError`` unless ``dashboards_path`` is a non-empty relative path (a string)."""
    if not isinstance(dashboards_path, str) or not dashboards_path:
        raise ValueError("dashboards_path must be a non-empty string")
    if os.path.isabs(dashboards_path):
        raise ValueError(f"dashboards_path must be relative to the charm directory, "
                         f"not {dashboards_path!r}")


def file_key(name):
    """A dashboard file's KEY: ``file:`` and its name minus the last suffix."""
    return FILE_PREFIX + stem(name)


def dashboard_files(directory):
    """``[relative path, ...]`` of every dashboard file below ``directory`` (recursive), in
    path order; None when ``directory`` is not a directory."""
    if not os.path.isdir(directory):
        return None
    return [os.path.relpath(path, directory) for path in list_files(
        directory, recursive=True, accept=lambda name: name.endswith(DASHBOARD_SUFFIXES))]


def file_dashboard(raw, charm_name, rel_path):
    """The text published for one dashboard file (``raw``: its bytes): the JSON with ``uid``
    set unless it is 40 hex digits, and ``charm: {charm_name}`` appended to ``tags``
    unless one starts with ``charm: ``. ``rel_path`` is relative to the charm directory.

    ``ValueError`` says why the file is skipped: not JSON, not an object, ``tags`` not a
    list of strings.
    """
    try:
        dashboard = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"not JSON ({first_line(e)})") from None
    return json.dumps(charm_dashboard(dashboard, charm_name, lambda d: None if is_path_uid(
        d.get("uid", "")) else path_uid(charm_name, rel_path)))


def templates_uuid(templates):
    """``uuid``: a hash of the templates (unchanged templates, unchanged value)."""
    text = json.dumps(templates, sort_keys=True)
    return hashlib.shake_128(text.encode("utf-8")).digest(8).hex()


def encode_dashboards(templates, empty=False):
    """The raw ``dashboards`` value for ``templates``; None when there are none, unless
    ``empty`` (the value that replaces templates published earlier)."""
    if not templates and not empty:
        return None
    return json.dumps({"templates": templates, "uuid": templates_uuid(templates)})


def decode_event(raw):
    """What Grafana reported in ``event``: ``{"valid", "errors", "error_message"}``, or None
    when it reported nothing (missing or ``{}``). ``InvalidDataError`` when it is not a JSON
    object or its ``errors`` is not a list."""
    if not raw:
        return None
    try:
        data = loads_within(raw, EVENT, Budget())
    except ValueError as e:
        raise InvalidDataError(str(e)) from None
    if not isinstance(data, dict):
        raise InvalidDataError(f"{EVENT} is not a JSON object")
    if not data:
        return None
    errors = data.get("errors", [])
    if not isinstance(errors, list):
        raise InvalidDataError(f"{EVENT}: errors is not a list")
    message = "; ".join(str(e["error"]) for e in errors if isinstance(e, dict) and "error" in e)
    return {"valid": bool(data.get("valid", True)), "errors": errors, "error_message": message}


# --------------------------------------------------------------------------
# Requirer side: rendering one relation's templates
# --------------------------------------------------------------------------

def decode_templates(raw, budget):
    """A relation's ``dashboards`` value as ``[(KEY, template), ...]`` in the bag's order, or
    None when there is none, decoded within ``budget`` (the relation's). ``InvalidDataError``
    when it is not JSON, not an object or has no ``templates`` object, or is past the
    budget: the relation is then unusable as a whole."""
    if not raw:
        return None
    try:
        data = loads_within(raw, DASHBOARDS, budget)
    except ValueError as e:
        raise InvalidDataError(str(e)) from None
    if not isinstance(data, dict):
        raise InvalidDataError(f"{DASHBOARDS} is not a JSON object")
    templates = data.get("templates", ...)
    if templates is ...:
        raise InvalidDataError(f"{DASHBOARDS} has no templates")
    if not isinstance(templates, dict):
        raise InvalidDataError(f"{DASHBOARDS}: templates is not an object")
    return list(templates.items())


def render(tmpl, budget):
    """One template rendered as Grafana's consumer renders it: the dashboard object, its
    content decompressed and decoded within ``budget`` (the relation's).

    Raises an exception (``ValueError``, ``KeyError``, ``TypeError``, ...) when the
    template fails; its text is the error Grafana writes back for it.
    """
    if not isinstance(tmpl, dict):
        raise ValueError(f"template is not an object (a {type(tmpl).__name__})")
    text = decompress(tmpl["content"], budget)
    if "charm" not in tmpl:
        raise KeyError("charm")
    budget.spend_values(text, "content")
    try:
        dashboard = json.loads(text)
    except RecursionError:
        raise ValueError("content is nested too deeply") from None
    if not isinstance(dashboard, dict):
        raise ValueError("content is not a JSON object")
    if not dashboard.get("uid") and "dashboard_alt_uid" in tmpl:
        dashboard["uid"] = tmpl["dashboard_alt_uid"]
    inject = tmpl.get("inject_dropdowns", True)
    dropdowns = (TOPOLOGY_DROPDOWNS + DATASOURCE_DROPDOWNS) if inject else DATASOURCE_DROPDOWNS
    dropdowns = [copy.deepcopy(d) for d in dropdowns]
    _add_dropdowns(dashboard, dropdowns)
    juju_topology = tmpl.get("juju_topology", {})
    if juju_topology:
        _check_targets(dashboard, juju_topology)
    return dashboard


def _is_datasource(entry):
    """Upstream's test of an ``__inputs`` or variable entry (``in`` as Python has it)."""
    return "type" in entry and entry["type"] == "datasource"


def _add_dropdowns(dashboard, dropdowns):
    """Steps 3 to 6 of the contract: datasources mapped from ``__inputs`` and the
    dashboard's own datasource variables, the dropdowns added, panels pointed at them."""
    datasources = {}
    if "__inputs" in dashboard:
        for entry in dashboard["__inputs"]:
            if _is_datasource(entry):
                datasources[entry["name"]] = entry["pluginName"].lower()
        del dashboard["__inputs"]
    templated = "templating" in dashboard
    if not templated:
        dashboard["templating"] = {"list": list(dropdowns)}
    else:
        variables = dashboard["templating"]["list"]
        for entry in variables:
            if _is_datasource(entry):
                datasources[entry["name"]] = entry["query"].lower()
        names = [_name_of(entry) for entry in variables]
        for dropdown in dropdowns:
            if dropdown["name"] not in names:
                variables.insert(0, dropdown)
    used = []
    if datasources or not templated:
        panels = dashboard.get("panels", {})
        if panels:
            _point_panels(panels, templated, datasources, used)
        rows = dashboard.get("rows", {})
        if rows:
            for row in rows:
                if "panels" in row.keys():
                    _point_panels(row["panels"], templated, datasources, used)
    variables = dashboard["templating"]["list"]
    stale = [entry for entry in variables
             if entry["name"] and entry["name"] in used and entry not in DATASOURCE_DROPDOWNS]
    for entry in stale:
        variables.remove(entry)


def _name_of(entry):
    """A variable's name, for the dropdowns' check (None when it has none)."""
    return entry.get("name") if isinstance(entry, dict) else None


def _point_panels(panels, templated, datasources, used):
    """Point each panel that has a datasource at ``${prometheusds}`` / ``${lokids}`` where
    the contract says so; ``used`` collects the dashboard's datasource names replaced."""
    for panel in panels:
        if "datasource" not in panel or not panel.get("datasource"):
            continue
        source = panel["datasource"]
        if not templated:
            if isinstance(source, str):
                if "loki" in source:
                    panel["datasource"] = "${lokids}"
                elif "grafana" not in source:
                    panel["datasource"] = "${prometheusds}"
            elif isinstance(source, dict):
                variable = DATASOURCE_VARIABLES.get(_str_or_none(source.get("type", "")))
                if variable:
                    source["uid"] = variable
        elif isinstance(source, str):
            variable = _replacement(source, datasources, used)
            if variable:
                panel["datasource"] = variable
        elif isinstance(source, dict):
            variable = _replacement(source.get("uid", ""), datasources, used)
            if variable:
                source["uid"] = variable


def _str_or_none(value):
    return value if isinstance(value, str) else None


def _replacement(reference, datasources, used):
    """The variable a datasource ``reference`` (``$name``, ``${name}``) becomes, or None:
    only a mapped datasource of type loki or prometheus, not already one of the two."""
    if reference.lower() in DATASOURCE_VARIABLES.values():
        return None
    name = _VARIABLE_CHARS.sub("", reference)
    if name not in datasources:
        return None
    variable = DATASOURCE_VARIABLES.get(datasources[name])
    if variable:
        used.append(name)
    return variable


def _check_targets(dashboard, juju_topology):
    """What upstream's topology injection demands of the top-level panels, though without
    cos-tool it changes nothing (expressions are left exactly as written): a topology
    object, targets that are objects, an object datasource with a ``uid``, and an ``expr``
    that is a string and survives upstream's placeholder round trip (``_round_trip_fails``),
    on every panel on ``${prometheusds}`` / ``${lokids}``."""
    if "panels" not in dashboard.keys():
        return
    panels = dashboard["panels"]
    if not isinstance(juju_topology, dict):
        raise AttributeError(f"juju_topology is not an object (a {type(juju_topology).__name__})")
    for panel in panels:
        if not isinstance(panel, dict) or "targets" not in panel.keys():
            continue
        for target in panel["targets"]:
            if "expr" not in target.keys() or "datasource" not in panel.keys():
                continue
            source = panel["datasource"]
            if isinstance(source, str):
                known = source in _KNOWN_VARIABLES
            elif isinstance(source, dict):
                known = source["uid"] in _KNOWN_VARIABLES
            else:
                known = False
            if not known:
                continue
            expr = target["expr"]
            if not isinstance(expr, str):
                raise TypeError("expected string or bytes-like object")
            if _round_trip_fails(expr):
                raise IndexError("list index out of range")


_KNOWN_VARIABLES = frozenset(DATASOURCE_VARIABLES.values())
_RANGE = re.compile(r"\[(?P<value>.*?)\]")
_OFFSET = re.compile(r"offset\s+(?P<value>-?\s*[$\w]+)")


def _round_trip_fails(expr):
    """Whether upstream's placeholder round trip of ``expr`` runs out of saved values (it then
    fails the template): upstream swaps every ``[...]`` for ``[5y]`` and every offset for
    ``offset 5y``, then puts the saved values back one by one, and the restored ranges may
    hold more offsets than it saved. (The values it puts back can land in the wrong places:
    this layer leaves the expression as written instead, a documented deviation.)"""
    ranges = [m.group("value") for m in _RANGE.finditer(expr)]
    placeheld = _RANGE.sub("[5y]", expr)
    offsets = [m.group("value") for m in _OFFSET.finditer(placeheld)]
    placeheld = _OFFSET.sub("offset 5y", placeheld)
    if placeheld == expr:
        return False
    restored = placeheld
    for i, match in enumerate(_RANGE.finditer(placeheld)):
        if i >= len(ranges):
            return True
        restored = restored.replace("[{}]".format(match.group("value")),
                                    f"[{ranges[i]}]", 1)
    return sum(1 for _ in _OFFSET.finditer(restored)) > len(offsets)


def version_of(dashboard):
    """``dashboard_version``: ``int(version)`` (integers, integer strings, truncated floats),
    0 when missing or anything else."""
    try:
        return int(dashboard.get("version", 0))
    except (TypeError, ValueError, OverflowError):
        return 0


def render_relation(items, budget):
    """A relation's templates (``decode_templates``) rendered: ``(dashboards, errors)``.

    ``dashboards`` is ``[{"id", "charm", "content", "dashboard_uid", "dashboard_version",
    "dashboard_title"}, ...]`` in the bag's order, ``content`` the rendered JSON text;
    ``errors`` is ``[{"dashboard_id", "error"}, ...]`` of the templates that failed. Any
    failure makes the whole relation unusable (upstream's rule): ``dashboards`` is then
    what rendered, for the caller to drop.
    """
    dashboards, errors = [], []
    for key, tmpl in items:
        try:
            dashboard = render(tmpl, budget)
            uid = dashboard.get("uid")
            hash(uid)
            dashboards.append({
                "id": key,
                "charm": tmpl["charm"],
                "content": json.dumps(dashboard),
                "dashboard_uid": uid or "",
                "dashboard_version": version_of(dashboard),
                "dashboard_title": dashboard.get("title") or "",
            })
        except Exception as e:  # noqa: BLE001 (any failure of a template is reported, as upstream)
            errors.append({"dashboard_id": key, "error": str(e) or type(e).__name__})
    return dashboards, errors


def encode_event(errors, previous):
    """The raw ``event`` Grafana's leader writes: with ``errors``, ``{"errors": [...]}``;
    without, the ``previous`` event with ``errors`` taken out (None: nothing to write)."""
    if errors:
        return json.dumps({"errors": errors})
    if not previous:
        return None
    try:
        data = json.loads(previous)
    except ValueError:
        return None
    if not isinstance(data, dict) or "errors" not in data:
        return None
    data.pop("errors")
    return json.dumps(data)


def _relation_number(relation_id):
    _, _, number = str(relation_id).rpartition(":")
    return int(number) if number.isascii() and number.isdigit() else -1


def deduplicate(dashboards):
    """Every dashboard with a uid, each uid once: the highest ``dashboard_version``, then the
    highest relation id (as a number), then the greatest ``content``. Order kept."""
    best = {}
    for index, dashboard in enumerate(dashboards):
        uid = dashboard["dashboard_uid"]
        if uid == "" or uid is None:
            continue
        rank = (dashboard["dashboard_version"], _relation_number(dashboard["relation_id"]),
                dashboard["content"])
        if uid not in best or rank > best[uid][0]:
            best[uid] = (rank, index)
    keep = {index for _, index in best.values()}
    return [d for i, d in enumerate(dashboards) if i in keep]
