# Vendored from layerlib/_rules.py by `make vendor`: do not edit; edit the source.
"""Alert rule files as the COS libraries read them (cosl ``AlertRules``): which files, their
two formats, the group names and the topology labels and placeholder in every rule.

Shared by the layers that publish a charm's alert rules: cos_agent (Prometheus
and Loki rules of a principal) and prometheus_scrape (a scrape target's rules).

* ``read_rule_files(path, recursive, log)``: every rules file at ``path`` (a
  directory, or one file) parsed into its groups, one ``RuleFile`` per file,
  in path order; files that do not parse, are empty or are neither format are
  skipped with one ``log`` line each;
* ``labelled_groups(rule_files, topology, query_type)``: those groups as
  published, renamed ``{identifier}_{subdir_}{name}_rules`` and with the
  topology labels and ``%%juju_topology%%`` replaced in every ``expr``;
* ``host_health_group(topology)``: cosl's generic ``HostHealth`` group, named
  and labelled the same way.

A file with the shape of rules but unusable parts (a group without a name, a
rule without ``expr``, ``groups`` not a list, a YAML date) is a ``ValueError``
naming the file; the caller decides whether that is the charm's error or a
skipped file. ``topology`` is a ``_topology.Topology``.
"""

import copy
import os
import re
from collections import namedtuple

import yaml

from ._errors import first_line
from ._files import has_suffix, list_files, stem
from ._jsondata import plain

#: Files in a rules directory with one of these suffixes are read; the others are not.
RULE_SUFFIXES = (".rule", ".rules", ".yml", ".yaml")
#: What a file must have, next to ``expr``, to be one rule rather than a rules file.
RULE_TYPES = ("alert", "record")
TOPOLOGY_PLACEHOLDER = "%%juju_topology%%"
#: What replaces ``%%juju_topology%%`` in a LogQL expression (PromQL: nothing).
LOGQL_TOPOLOGY_MATCHER = 'job=~".+"'

#: cosl's generic group (``generic_alert_groups.application_rules``, cosl 1.11.3, as the
#: contract vectors record it); published as ``{identifier}_HostHealth_rules``.
HOST_HEALTH_GROUP = {
    "name": "HostHealth",
    "rules": [
        {
            "alert": "HostDown",
            "expr": "up < 1",
            "for": "5m",
            "labels": {"severity": "critical"},
            "annotations": {
                "summary": "Host '{{ $labels.instance }}' is down.",
                "description": "Juju application '{{ $labels.juju_application }}' in model "
                               "'{{ $labels.juju_model }}' is down. Prometheus has been unable "
                               "to scrape it during at least the past five minutes.",
            },
        },
        {
            "alert": "HostMetricsMissing",
            "expr": "absent(up)",
            "for": "5m",
            "labels": {"severity": "warning"},
            "annotations": {
                "summary": "Unit '{{ $labels.juju_unit }}' of application "
                           "'{{ $labels.juju_application }}' is down or failing to remote write.",
                "description": "`Up` missing for unit '{{ $labels.juju_unit }}' of application "
                               "{{ $labels.juju_application }} in model {{ $labels.juju_model }}. "
                               "Please ensure the unit or the collector scraping it is up and is "
                               "able to successfully reach the metrics backend.",
            },
        },
    ],
}

_ALREADY_NAMED_RE = re.compile(r"^.*?_[\da-f]{8}_.*?rules$")
_GROUP_NAME_CHAR_RE = re.compile(r"[^a-zA-Z0-9_:]")

#: One rules file read: its ``path``, ``subdir`` (the directory below the rules directory,
#: ``/``-separated; ``""`` at the top) and ``groups`` (plain data, as in the file; a
#: one-rule file as one group named after the file's stem).
RuleFile = namedtuple("RuleFile", "path subdir groups")


def rule_files(root, recursive):
    """The rules files in the directory ``root`` (top level unless ``recursive``): those with
    a suffix of ``RULE_SUFFIXES``, sorted by their path components."""
    return list_files(root, recursive, lambda name: has_suffix(name, RULE_SUFFIXES))


def load_rule_file(path, log):
    """The groups of one rules file as written (plain data), or ``[]`` and one ``log(message)``
    when it does not parse as YAML, is empty or is neither a rules file (``groups:``) nor
    one rule (``alert`` or ``record``, and ``expr``). ``ValueError`` names the file when
    ``groups`` is not a list or a value has no JSON form."""
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            content = yaml.safe_load(f)
    except Exception as e:  # noqa: BLE001 (PyYAML raises more than YAMLError: dates, ...)
        log(f"rules file {name} skipped: it does not parse as YAML ({first_line(e)})")
        return []
    if not content:
        log(f"rules file {name} skipped: it is empty")
        return []
    if not isinstance(content, dict):
        log(f"rules file {name} skipped: it is neither a rules file (groups:) nor one rule")
        return []
    content = plain(content, f"rules file {name}")
    if "groups" in content:
        if not isinstance(content["groups"], list):
            raise ValueError(f"rules file {name}: 'groups' is not a list")
        return content["groups"]
    if "expr" in content and any(t in content for t in RULE_TYPES):
        return [{"name": stem(name), "rules": [content]}]
    log(f"rules file {name} skipped: it is neither a rules file (groups:) nor one rule")
    return []


def read_rule_files(path, recursive, log):
    """Every rules file at ``path`` (a directory, top level unless ``recursive``, or one file
    of any name), as ``RuleFile`` items in path order; a path that does not exist has
    none. Files that ``load_rule_file`` skips are left out."""
    if os.path.isfile(path):
        root, files = os.path.dirname(path), [path]
    else:
        root, files = path, rule_files(path, recursive)
    out = []
    for file in files:
        groups = load_rule_file(file, log)
        if groups:
            subdir = os.path.relpath(os.path.dirname(file), root)
            out.append(RuleFile(file, "" if subdir == "." else subdir.replace(os.sep, "/"),
                                groups))
    return out


def group_name(prefix, name):
    """A rule group's published name: ``{prefix}_{name}_rules`` (``_rules`` not repeated;
    a name that already carries a topology hash is kept), then every character outside
    ``[a-zA-Z0-9_:]`` as ``_``."""
    if not _ALREADY_NAMED_RE.match(name):
        name = "_".join(part for part in (prefix, name) if part)
        if not name.endswith("_rules"):
            name += "_rules"
    return _GROUP_NAME_CHAR_RE.sub("_", name)


def group_prefix(topology, subdir=""):
    """The prefix of the groups of a file in ``subdir``: ``{identifier}_{subdir}``."""
    return "_".join(part for part in (topology.identifier, subdir) if part)


def topology_expr(expr, query_type):
    """``expr`` with ``%%juju_topology%%`` replaced: by nothing (and a comma right after it)
    for ``promql``, by ``LOGQL_TOPOLOGY_MATCHER`` for ``logql``."""
    if query_type == "logql":
        return expr.replace(TOPOLOGY_PLACEHOLDER, LOGQL_TOPOLOGY_MATCHER)
    return re.sub(re.escape(TOPOLOGY_PLACEHOLDER) + ",?", "", expr)


def labelled_group(group, prefix, labels, query_type, where):
    """``group`` (checked, copied) renamed with ``prefix``, each rule with ``labels`` (those it
    lacks) and its ``expr`` through ``topology_expr``; ``ValueError`` naming ``where`` when
    the group has no name or list of rules, or a rule no ``expr`` or mapping of labels."""
    if not isinstance(group, dict):
        raise ValueError(f"{where}: a group is not a mapping")
    name, rules = group.get("name"), group.get("rules")
    if not isinstance(name, str):
        raise ValueError(f"{where}: a group has no name (a string)")
    if not isinstance(rules, list):
        raise ValueError(f"{where}: group {name!r} has no list of rules")
    out = dict(group)
    out["name"] = group_name(prefix, name)
    out["rules"] = [labelled_rule(rule, labels, query_type, f"{where}, group {name!r}")
                    for rule in rules]
    return out


def labelled_rule(rule, labels, query_type, where):
    """One rule (copied) with ``labels`` it lacks and its ``expr`` through ``topology_expr``."""
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: a rule is not a mapping")
    expr = rule.get("expr")
    if not isinstance(expr, str):
        raise ValueError(f"{where}: a rule has no expr (a string)")
    own = rule.get("labels", {})
    if not isinstance(own, dict):
        raise ValueError(f"{where}: a rule's labels are not a mapping")
    out = dict(rule)
    out["labels"] = dict(own)
    for label, value in labels.items():
        out["labels"].setdefault(label, value)
    out["expr"] = topology_expr(expr, query_type)
    return out


def labelled_groups(rule_files, topology, query_type):
    """The groups of ``rule_files`` (``RuleFile`` items) as published, in order: each through
    ``labelled_group`` with the file's prefix and ``topology.labels``; ``ValueError``
    names the file of an unusable group."""
    out = []
    for rule_file in rule_files:
        prefix = group_prefix(topology, rule_file.subdir)
        where = f"rules file {os.path.basename(rule_file.path)}"
        out.extend(labelled_group(g, prefix, topology.labels, query_type, where)
                   for g in rule_file.groups)
    return out


def host_health_group(topology):
    """The generic ``HostHealth`` group with this topology's name and labels."""
    return labelled_group(copy.deepcopy(HOST_HEALTH_GROUP), topology.identifier,
                          topology.labels, "promql", "HostHealth")
