"""Fuzz strategies of parca_scrape: remote app and unit databags (metadata, jobs, unit
addresses) and provider calls, each with the contract's verdict (``kit.fuzz_data``).
"""

import ipaddress
import json

from hypothesis import strategies as st

from kit.fuzz_data import (
    CHARS,
    CONTROL,
    DOMAIN,
    EMPTY,
    EXTRA_KEYS,
    GARBAGE,
    GARBAGE_VERDICT,
    INVALID,
    IPV4,
    IPV6,
    JSON_VALUES,
    ODD_ARG,
    TEXT,
    UNKNOWN,
    VALID,
    Verdict,
    combine,
)
from kit.layer import UUID

NAME = st.text(CHARS, min_size=1, max_size=12)
PORT = st.integers(1, 65535).map(str)
LABELS = st.dictionaries(TEXT, TEXT, max_size=3)


@st.composite
def scrape_metadata(draw):
    """``(raw or None, Verdict)``; a valid one has ``expected`` = the decoded dict."""
    kind = draw(st.sampled_from(["valid", "valid", "valid", "absent", "field", "uuid", "type",
                                 "garbage"]))
    if kind == "absent":
        return None, Verdict(EMPTY)
    if kind == "garbage":
        return draw(GARBAGE_VERDICT)
    meta = {"model": draw(NAME), "model_uuid": draw(st.sampled_from([UUID, UUID.upper()])),
            "application": draw(NAME)}
    for key in ("unit", "charm_name"):
        value = draw(st.sampled_from(["absent", "none", "text"]))
        if value != "absent":
            meta[key] = None if value == "none" else draw(TEXT)
    if kind == "valid":
        return json.dumps(meta), Verdict(VALID, meta)
    if kind == "field":
        key = draw(st.sampled_from(["model", "model_uuid", "application", "unit", "charm_name"]))
        meta[key] = draw(st.sampled_from([3, [], {}, True]) | (
            st.just("") if key in ("model", "model_uuid", "application") else st.just(1)))
    elif kind == "uuid":
        meta["model_uuid"] = draw(st.sampled_from(["", "0a1b2c3d", UUID + "0", UUID.replace("-", ""),
                                                   "zz" + UUID[2:]]))
    else:
        return json.dumps(draw(st.sampled_from([[meta], "meta", 1, None]))), Verdict(INVALID)
    return json.dumps(meta), Verdict(INVALID)


@st.composite
def scrape_job(draw):
    """``(job, ok)``: one job of ``scrape_jobs``; ``ok`` False when the contract rejects it."""
    kind = draw(st.sampled_from(["valid"] * 6 + ["notobject", "name", "configs", "targets",
                                                  "labels", "starport"]))
    if kind == "notobject":
        return draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict))), False
    job = {}
    if draw(st.booleans()):
        job["job_name"] = draw(TEXT)
    configs = []
    for _ in range(draw(st.integers(0, 3))):
        targets = draw(st.lists(st.one_of(PORT.map(lambda p: "*:" + p), st.tuples(DOMAIN, PORT).map(
            ":".join)), max_size=3))
        sc = {"targets": targets}
        if draw(st.booleans()):
            sc["labels"] = draw(LABELS)
        configs.append(sc)
    if configs or draw(st.booleans()):
        job["static_configs"] = configs
    for key in draw(st.lists(st.sampled_from(["scrape_interval", "scheme", "x-extra",
                                              "profiling_config"]), max_size=2)):
        job[key] = draw(JSON_VALUES.filter(lambda v: _finite(v)))
    if kind == "valid":
        return job, True
    if kind == "name":
        job["job_name"] = draw(st.sampled_from([1, [], {}, True]))
    elif kind == "configs":
        job["static_configs"] = draw(st.sampled_from([{}, "*:80", 1]))
    elif kind == "targets":
        job["static_configs"] = [{"targets": draw(st.sampled_from(["*:80", [80], [None], {}]))}]
    elif kind == "labels":
        job["static_configs"] = [{"targets": ["*:80"], "labels": draw(st.sampled_from(
            [[], "a", {"a": 1}, {"a": None}]))}]
    else:
        job["static_configs"] = [{"targets": [draw(st.sampled_from(["*", "*:", "*:0", "*:65536",
                                                                    "*:http", "*:-1"]))]}]
        return job, "starport"  # rejected only when scrape_metadata is there
    return job, False


def _finite(value):
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


@st.composite
def scrape_bags(draw):
    """``(app_bag, unit_bags, Verdict)`` for a ``parca_scrape`` relation with two remote units.

    A valid verdict's ``expected`` is ``{"jobs": decoded jobs, "metadata": dict or None,
    "units": [(name, address)] of units with an address}``.
    """
    bag = draw(EXTRA_KEYS)
    metadata, meta_v = draw(scrape_metadata())
    if metadata:
        bag["scrape_metadata"] = metadata
    jobs_kind = draw(st.sampled_from(["list", "list", "list", "absent", "garbage", "notlist",
                                      "truncated"]))
    jobs = []
    jobs_v = Verdict(VALID)
    if jobs_kind == "garbage":
        raw, jobs_v = draw(GARBAGE_VERDICT)
    elif jobs_kind == "notlist":
        raw, jobs_v = json.dumps(draw(JSON_VALUES.filter(lambda v: not isinstance(v, list)))), Verdict(
            INVALID)
    elif jobs_kind == "absent":
        raw = None
    else:
        drawn = draw(st.lists(scrape_job(), max_size=3))
        jobs = [j for j, _ in drawn]
        oks = [o for _, o in drawn]
        raw = json.dumps(jobs)
        if False in oks or ("starport" in oks and meta_v.kind == VALID):
            jobs_v = Verdict(INVALID)
        if jobs_kind == "truncated":
            raw, jobs_v = raw[:draw(st.integers(0, len(raw) - 1))], Verdict(INVALID)
    if raw:
        bag["scrape_jobs"] = raw
    units = {}
    with_address = []
    for i in range(2):
        unit_bag = {}
        name = f"target/{i}"
        choice = draw(st.sampled_from(["address", "address", "legacy", "none", "garbage"]))
        if choice in ("address", "legacy"):
            address = draw(st.one_of(IPV4, DOMAIN, IPV6.map(str)))
            unit_bag["parca_scrape_unit_address" if choice == "address" else "parca_scrape_host"] = address
        elif choice == "garbage":
            unit_bag["parca_scrape_unit_address"] = draw(GARBAGE)
        if draw(st.booleans()):
            unit_bag["parca_scrape_unit_name"] = draw(NAME)
        units[name] = unit_bag
        address = unit_bag.get("parca_scrape_unit_address") or unit_bag.get("parca_scrape_host")
        if address:
            with_address.append((unit_bag.get("parca_scrape_unit_name") or name, address))
    if meta_v.kind == INVALID:
        return bag, units, Verdict(INVALID)
    if not raw:
        return bag, units, Verdict(EMPTY if meta_v.kind != UNKNOWN else UNKNOWN)
    kind = combine([meta_v, jobs_v] if meta_v.kind != EMPTY else [jobs_v])
    expected = None
    if kind == VALID:
        expected = {"jobs": jobs, "metadata": meta_v.expected, "units": with_address}
    return bag, units, Verdict(kind, expected)


# --------------------------------------------------------------------------
# Provider calls
# --------------------------------------------------------------------------

#: what a charm may pass to ``set_unit_address``
ADDRESS_ARG = st.one_of(st.none(), IPV4, DOMAIN, IPV6.map(str), TEXT, CONTROL, ODD_ARG)

@st.composite
def scrape_jobs_arg(draw):
    """What a charm may pass to ``update_scrape_job_spec``: jobs of every shape, odd values too."""
    kind = draw(st.sampled_from(["jobs", "jobs", "jobs", "odd"]))
    if kind == "odd":
        return draw(ODD_ARG | JSON_VALUES)
    jobs = []
    for _ in range(draw(st.integers(0, 3))):
        job, _ = draw(scrape_job())
        if isinstance(job, dict) and draw(st.integers(0, 5)) == 0:
            job[draw(st.sampled_from(["scrape_interval", "relabel_configs"]))] = draw(
                st.sampled_from([float("nan"), float("inf"), object(), {1, 2}, b"x"]))
        jobs.append(job)
    return jobs


def ipv6_host(address):
    """An address as the host part of a target (IPv6 literals in brackets)."""
    try:
        ipaddress.IPv6Address(address.split("%", 1)[0])
    except ValueError:
        return address
    return f"[{address}]"
