"""Fuzz strategies of prometheus_scrape: remote app and unit databags (metadata, jobs, alert
rules, unit addresses) and target calls, each with the contract's verdict (``kit.fuzz_data``).
"""

import json

from hypothesis import strategies as st

from kit.fuzz_data import (
    DOMAIN,
    EMPTY,
    EXTRA_KEYS,
    GARBAGE_VERDICT,
    INVALID,
    IPV4,
    JSON_VALUES,
    ODD_ARG,
    TEXT,
    UNKNOWN,
    VALID,
    Verdict,
    combine,
)
from kit.layer import UUID

NAME = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
PORT = st.integers(1, 65535).map(str)
LABELS = st.dictionaries(NAME, NAME, max_size=2)
#: the two remote units of every example, and the hosts their fixed targets may name
UNITS = ("target/0", "target/1")
FIXED_HOSTS = st.sampled_from(["10.1.0.1", "10.1.0.2", "t-0.lxd", "T-1.LXD", "db.example",
                               "[fd00::1]"])


@st.composite
def scrape_metadata(draw):
    """``(raw or None, Verdict)``; a valid one has ``expected`` = the decoded dict."""
    kind = draw(st.sampled_from(["valid"] * 4 + ["absent", "empty", "field", "uuid", "garbage"]))
    if kind == "absent":
        return None, Verdict(EMPTY)
    if kind == "empty":
        return "{}", Verdict(EMPTY)
    if kind == "garbage":
        return draw(GARBAGE_VERDICT)
    meta = {"model": draw(NAME), "model_uuid": UUID, "application": draw(NAME),
            "unit": "x/0"}
    if draw(st.booleans()):
        meta["charm_name"] = draw(st.sampled_from(["", "charm"]))
    if kind == "valid":
        return json.dumps(meta), Verdict(VALID, meta)
    if kind == "field":
        del meta[draw(st.sampled_from(["model", "model_uuid", "application"]))]
    else:
        meta["model_uuid"] = draw(st.sampled_from(["", UUID[:8], UUID[:14] + "1" + UUID[15:]]))
    return json.dumps(meta), Verdict(INVALID)


@st.composite
def scrape_job(draw):
    """One job as an upstream target would publish it (kept keys, an extra one)."""
    job = {}
    if draw(st.booleans()):
        job["job_name"] = draw(st.sampled_from(["a", "b", "a-b"]))
    if draw(st.booleans()):
        job["metrics_path"] = draw(st.sampled_from(["/metrics", "/m", ""]))
    if draw(st.integers(0, 4)):
        configs = []
        for _ in range(draw(st.integers(0, 2))):
            targets = draw(st.lists(st.one_of(PORT.map(lambda p: "*:" + p), st.tuples(
                FIXED_HOSTS, PORT).map(":".join)), max_size=3))
            sc = {"targets": targets}
            if draw(st.booleans()):
                sc["labels"] = draw(LABELS)
            configs.append(sc)
        job["static_configs"] = configs
    for key in draw(st.lists(st.sampled_from(["scrape_interval", "scheme", "honor_labels",
                                              "relabel_configs"]), max_size=2, unique=True)):
        job[key] = [{"target_label": "x"}] if key == "relabel_configs" else draw(NAME)
    return job


@st.composite
def alert_rules(draw):
    """``(raw or None, Verdict)`` of ``alert_rules``."""
    kind = draw(st.sampled_from(["absent", "empty", "groups", "groups", "list", "garbage",
                                 "norules"]))
    if kind == "absent":
        return None, Verdict(EMPTY)
    if kind == "empty":
        return "{}", Verdict(EMPTY)
    if kind == "garbage":
        return draw(GARBAGE_VERDICT)
    if kind == "list":
        return json.dumps([{"alert": "A", "expr": "up"}]), Verdict(VALID)
    if kind == "norules":
        return json.dumps({"groups": [{"name": "g", "rules": []}]}), Verdict(INVALID)
    rule = {"alert": "A", "expr": "up{%%juju_topology%%} < 1"}
    if draw(st.booleans()):
        rule["labels"] = {"juju_model": "m", "juju_model_uuid": UUID, "juju_application": "a"}
    return json.dumps({"groups": [{"name": draw(NAME), "rules": [rule]}]}), Verdict(VALID)


@st.composite
def unit_bag(draw, name):
    """A remote unit's databag: an address (or none), maybe its name, fqdn and path."""
    bag = {}
    address = draw(st.sampled_from(["10.1.0.1", "10.1.0.2", "fd00::1", "", None]) | IPV4)
    if address is not None:
        bag["prometheus_scrape_unit_address" if draw(st.booleans()) or not address
            else "prometheus_scrape_host"] = address
    if draw(st.booleans()):
        bag["prometheus_scrape_unit_name"] = name
    if draw(st.booleans()):
        bag["prometheus_scrape_unit_fqdn"] = draw(st.sampled_from(["t-0.lxd", "t-1.lxd"]) | DOMAIN)
    if draw(st.booleans()):
        bag["prometheus_scrape_unit_path"] = draw(st.sampled_from(["/p", "/cos-t"]))
    return bag


@st.composite
def scrape_bags(draw):
    """``(app_bag, unit_bags, Verdict)`` for a ``prometheus_scrape`` relation of two units.

    A valid verdict's ``expected`` is ``{"metadata": dict or None, "jobs": the jobs sent,
    "alert_rules": decoded or None}``.
    """
    bag = draw(EXTRA_KEYS)
    metadata, meta_v = draw(scrape_metadata())
    if metadata is not None:
        bag["scrape_metadata"] = metadata
    jobs_kind = draw(st.sampled_from(["list", "list", "list", "absent", "garbage", "notlist",
                                      "notobject"]))
    jobs, jobs_v = [], Verdict(VALID)
    if jobs_kind == "garbage":
        raw, jobs_v = draw(GARBAGE_VERDICT)
    elif jobs_kind == "notlist":
        raw, jobs_v = json.dumps({"static_configs": []}), Verdict(INVALID)
    elif jobs_kind == "notobject":
        raw, jobs_v = json.dumps(["*:80"]), Verdict(INVALID)
    elif jobs_kind == "absent":
        raw, jobs_v = None, Verdict(EMPTY)
    else:
        jobs = draw(st.lists(scrape_job(), max_size=3))
        raw = json.dumps(jobs)
        if meta_v.kind == EMPTY and any("job_name" not in job for job in jobs):
            jobs_v = Verdict(INVALID)  # without metadata every job needs a name
    if raw is not None:
        bag["scrape_jobs"] = raw
    rules, rules_v = draw(alert_rules())
    if rules is not None:
        bag["alert_rules"] = rules
    unit_bags = {name: draw(unit_bag(name)) for name in UNITS}
    parts = [v for v in (meta_v, jobs_v, rules_v) if v.kind != EMPTY]
    if not parts:
        verdict = Verdict(EMPTY)
    else:
        kind = combine(parts)
        expected = None
        if kind == VALID:
            expected = {"metadata": meta_v.expected, "jobs": jobs,
                        "alert_rules": json.loads(rules) if rules else None}
        verdict = Verdict(kind, expected)
    return bag, unit_bags, verdict


#: ``publish`` arguments: jobs (valid or odd), an external URL or none
JOBS_ARG = st.one_of(st.none(), st.lists(scrape_job(), max_size=3), ODD_ARG,
                     st.lists(JSON_VALUES, max_size=2))
EXTERNAL_ARG = st.one_of(st.none(), st.sampled_from(["http://ingress.example/p", "x.example:80",
                                                     "https://", "", "HTTPS://A.B:1/C"]), TEXT)
__all__ = ["JOBS_ARG", "EXTERNAL_ARG", "scrape_bags", "UNKNOWN"]
