"""Fuzz strategies of grafana_dashboard: a provider's ``dashboards`` value for Grafana's side,
each with the contract's verdict (``kit.fuzz_data``) and, where the contract decides it,
the dashboards Grafana exposes, worked out by ``render_oracle`` from the contract README's
rules (section grafana_dashboard), not from the layer.
"""

import copy
import json

from hypothesis import strategies as st

from grafana_dashboard.support import bag, encode
from kit.fuzz_data import (
    CHARS,
    EMPTY,
    GARBAGE,
    INVALID,
    JSON_VALUES,
    UNKNOWN,
    VALID,
    Verdict,
)

NAME = st.text(CHARS, min_size=1, max_size=8)
SOURCE_NAMES = st.sampled_from(["prom", "loki", "DS_PROM", "other", "prometheusds", "lokids"])
SOURCE_TYPES = st.sampled_from(["prometheus", "Prometheus", "loki", "LOKI", "influxdb", ""])
REFERENCE = st.one_of(
    SOURCE_NAMES.map(lambda n: "${" + n + "}"), SOURCE_NAMES.map(lambda n: "$" + n),
    st.sampled_from(["${prometheusds}", "${LOKIDS}", "-- Grafana --", "grafana", "my-loki",
                     "Prometheus-main", "unknown"]), NAME)
DATASOURCE = st.one_of(
    REFERENCE,
    st.fixed_dictionaries({"type": SOURCE_TYPES, "uid": REFERENCE}),
    st.fixed_dictionaries({"type": SOURCE_TYPES}),
    st.sampled_from(["", None, 0, 7]))
EXPR = st.sampled_from(["up", "rate(a[5m])", "rate(a[5y]) / rate(b[5m])", "x offset  1h",
                        "sum(x) by (job)"]) | st.text(CHARS, max_size=12)
PANEL = st.fixed_dictionaries({"type": st.sampled_from(["graph", "logs", "text"])}, optional={
    "datasource": DATASOURCE,
    "targets": st.lists(st.fixed_dictionaries({}, optional={"expr": EXPR, "refId": NAME}),
                        max_size=2),
    "title": NAME})
VARIABLE = st.one_of(
    st.fixed_dictionaries({"name": SOURCE_NAMES | NAME, "type": st.just("datasource"),
                           "query": SOURCE_TYPES}),
    st.fixed_dictionaries({"name": NAME | st.sampled_from(["juju_model", "instance"]),
                           "type": st.just("query"), "query": NAME}))
INPUT = st.one_of(
    st.fixed_dictionaries({"name": SOURCE_NAMES, "type": st.just("datasource"),
                           "pluginId": SOURCE_TYPES, "pluginName": SOURCE_TYPES}),
    st.fixed_dictionaries({"name": NAME, "type": st.just("constant"), "value": NAME}))
VERSION = st.one_of(st.integers(-3, 10**6), st.floats(-10.0, 1e6), st.sampled_from(
    ["7", " 8 ", "2.5", "x", "", True, None]), st.lists(st.integers(), max_size=1))
DASHBOARD = st.fixed_dictionaries({}, optional={
    "title": NAME | st.just(""),
    "uid": NAME | st.just(""),
    "version": VERSION,
    "__inputs": st.lists(INPUT, max_size=3),
    "templating": st.fixed_dictionaries({"list": st.lists(VARIABLE, max_size=3)}),
    "panels": st.lists(PANEL, max_size=3),
    "rows": st.lists(st.fixed_dictionaries({}, optional={"panels": st.lists(PANEL, max_size=2),
                                                         "title": NAME}), max_size=2),
})
TOPOLOGY = st.sampled_from([{}, {"model": "cos", "model_uuid": "u", "application": "w",
                                 "unit": "w/0"}])


@st.composite
def good_template(draw):
    """A template that renders: ``(template, dashboard object)``."""
    dashboard = draw(DASHBOARD)
    tmpl = {"charm": draw(NAME), "content": encode(json.dumps(dashboard))}
    for key, strategy in (("juju_topology", TOPOLOGY), ("inject_dropdowns", st.booleans()),
                          ("dashboard_alt_uid", NAME)):
        if draw(st.booleans()):
            tmpl[key] = draw(strategy)
    return tmpl, dashboard


BAD_TEMPLATE = st.one_of(
    st.fixed_dictionaries({"charm": NAME}),                                   # no content
    st.fixed_dictionaries({"charm": NAME, "content": st.sampled_from(
        ["bm90IGx6bWE=", "", "%%%", encode("[1]"), encode("not json"), encode('"x"')])}),
    st.fixed_dictionaries({"charm": NAME, "content": st.sampled_from(
        [encode('{"templating": {}}'), encode('{"templating": {"list": [{"type": "query"}]}}'),
         encode('{"templating": []}')])}),
    st.fixed_dictionaries({"content": st.just(encode('{"uid": "u"}'))}),      # no charm
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)))                    # not an object


@st.composite
def dashboards_bag(draw):
    """A provider application's databag, with the contract's verdict."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return {}, Verdict(EMPTY)
    if choice == 1:
        return {"dashboards": draw(GARBAGE)}, Verdict(UNKNOWN)
    if choice == 2:
        value = draw(st.sampled_from(["{templates", "[]", '{"uuid": "x"}', '{"templates": []}']))
        return {"dashboards": value}, Verdict(INVALID)
    keys = draw(st.lists(NAME.map(lambda n: "file:" + n), min_size=1, max_size=3, unique=True))
    templates, rendered = {}, []
    failed = False
    for key in keys:
        if choice == 3 and key == keys[-1]:
            templates[key] = draw(BAD_TEMPLATE)
            failed = True
            continue
        tmpl, dashboard = draw(good_template())
        templates[key] = tmpl
        rendered.append((key, tmpl, dashboard))
        failed = failed or unlabelled_target(tmpl, render_oracle(tmpl, dashboard))
    if failed:
        return bag(templates), Verdict(INVALID)
    return bag(templates), Verdict(VALID, [expose(key, tmpl, render_oracle(tmpl, dashboard))
                                           for key, tmpl, dashboard in rendered])


# --------------------------------------------------------------------------
# The oracle: the contract's rendering rules, one step at a time
# --------------------------------------------------------------------------

def _topology_variable(index):
    labels = ["juju_model", "juju_model_uuid", "juju_application", "juju_unit"]
    name = labels[index]
    filters = ",".join(f'{label}=~"${label}"' for label in labels[:index])
    query = "label_values(up{},{})".format("{" + filters + "}" if filters else "", name)
    words = {"juju_model": "Juju model", "juju_model_uuid": "Juju model uuid",
             "juju_application": "Juju application", "juju_unit": "Juju unit"}
    return {"allValue": ".*", "datasource": "${prometheusds}", "definition": query,
            "description": None, "error": None, "hide": 0, "includeAll": True,
            "label": words[name], "multi": True, "name": name,
            "query": {"query": query, "refId": "StandardVariableQuery"}, "refresh": 1,
            "regex": "", "skipUrlSync": False, "sort": 0, "tagValuesQuery": "", "tags": [],
            "tagsQuery": "", "type": "query", "useTags": False}


def _datasource_variable(name, kind, label):
    return {"description": None, "error": None, "hide": 0, "includeAll": True, "label": label,
            "multi": True, "name": name, "options": [], "query": kind, "refresh": 1,
            "regex": "", "skipUrlSync": False, "type": "datasource"}


TOPO = [_topology_variable(i) for i in range(4)]
DS = [_datasource_variable("prometheusds", "prometheus", "Prometheus datasource"),
      _datasource_variable("lokids", "loki", "Loki datasource")]
VARIABLES = {"loki": "${lokids}", "prometheus": "${prometheusds}"}


def render_oracle(tmpl, dashboard):
    """The dashboard Grafana renders from a template (``dashboard``: its decoded content)."""
    d = copy.deepcopy(dashboard)
    if not d.get("uid") and "dashboard_alt_uid" in tmpl:                   # 2
        d["uid"] = tmpl["dashboard_alt_uid"]
    dropdowns = (TOPO + DS) if tmpl.get("inject_dropdowns", True) else list(DS)   # 3
    mapped = {}
    for entry in d.pop("__inputs", []):                                    # 4
        if entry.get("type") == "datasource":
            mapped[entry["name"]] = entry["pluginName"].lower()
    had_templating = "templating" in d
    if not had_templating:                                                 # 5
        d["templating"] = {"list": copy.deepcopy(dropdowns)}
    else:
        current = d["templating"]["list"]
        for entry in current:
            if entry.get("type") == "datasource":
                mapped[entry["name"]] = entry["query"].lower()
        present = {entry.get("name") for entry in current}
        for dropdown in dropdowns:
            if dropdown["name"] not in present:
                current.insert(0, copy.deepcopy(dropdown))
    used = set()
    if not had_templating or mapped:                                       # 6
        groups = [d.get("panels") or []] + [row.get("panels") or [] for row in d.get("rows") or []]
        for panels in groups:
            for panel in panels:
                source = panel.get("datasource")
                if not source:
                    continue
                if not had_templating:
                    if isinstance(source, str):
                        if "loki" in source:
                            panel["datasource"] = "${lokids}"
                        elif "grafana" not in source:
                            panel["datasource"] = "${prometheusds}"
                    elif isinstance(source, dict) and source.get("type") in VARIABLES:
                        source["uid"] = VARIABLES[source["type"]]
                    continue
                reference = source if isinstance(source, str) else (
                    source.get("uid", "") if isinstance(source, dict) else None)
                if reference is None or reference.lower() in VARIABLES.values():
                    continue
                name = reference.replace("$", "").replace("{", "").replace("}", "")
                if mapped.get(name) in VARIABLES:
                    used.add(name)
                    if isinstance(source, str):
                        panel["datasource"] = VARIABLES[mapped[name]]
                    else:
                        source["uid"] = VARIABLES[mapped[name]]
    d["templating"]["list"] = [e for e in d["templating"]["list"]
                               if not (e["name"] in used and e not in DS)]
    return d                                                               # 7: no cos-tool


def unlabelled_target(tmpl, dashboard):
    """Whether a rendered dashboard fails the topology step: with a ``juju_topology``, a
    top-level panel whose datasource is an object without ``uid`` has a target with
    ``expr`` (the matchers cannot be placed)."""
    if not tmpl.get("juju_topology"):
        return False
    return any(isinstance(p.get("datasource"), dict) and "uid" not in p["datasource"]
               and any("expr" in t for t in p.get("targets", []))
               for p in dashboard.get("panels", []))


def expose(key, tmpl, dashboard):
    """What Grafana exposes of one rendered dashboard (``relation_id`` left to the test)."""
    version = dashboard.get("version", 0)
    if isinstance(version, bool) or isinstance(version, int):
        number = int(version)
    elif isinstance(version, float):
        number = int(version)
    elif isinstance(version, str) and version.strip().lstrip("+-").isdigit():
        number = int(version)
    else:
        number = 0
    return {"id": key, "charm": tmpl["charm"], "content": dashboard,
            "dashboard_uid": dashboard.get("uid") or "", "dashboard_version": number,
            "dashboard_title": dashboard.get("title") or ""}
