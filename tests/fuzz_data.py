"""Generated remote data for the fuzz tests, each example with the contract's verdict.

A strategy here draws a remote databag (or a provider call) and says what the
wire contract (``shared/contract/README.md``) makes of it, worked out from the
contract's rules, not from the layer's code:

* ``VALID``: the contract accepts it; ``expected`` is what the requirer must expose
  (or, where that needs the full URL algorithm, None and only shape checks apply);
* ``INVALID``: the contract rejects it: the requirer must not set ``available``;
* ``EMPTY``: nothing published yet: neither ``available`` nor ``invalid``;
* ``UNKNOWN``: free-form garbage (random text, random JSON, huge or deeply nested
  values) that may or may not parse: only the properties that hold for any
  input are checked (no hook fails; ``available`` means well-formed data).

Strings cover all of Unicode that Juju can carry (no lone surrogates) including
control characters.
"""

import ipaddress
import json
import string
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

VALID, INVALID, EMPTY, UNKNOWN = "valid", "invalid", "empty", "unknown"
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@dataclass(frozen=True)
class Verdict:
    kind: str
    expected: Any = None


def combine(verdicts):
    """The verdict of several required parts: any invalid part makes the whole invalid."""
    kinds = [v.kind for v in verdicts]
    if INVALID in kinds:
        return INVALID
    if UNKNOWN in kinds:
        return UNKNOWN
    return VALID


# --------------------------------------------------------------------------
# Text of every kind
# --------------------------------------------------------------------------

CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(CHARS, max_size=30)
CONTROL = st.text(st.characters(max_codepoint=0x9F, whitelist_categories=("Cc",)), min_size=1,
                  max_size=5)
HUGE = st.builds(lambda chunk, n: chunk * n,
                 st.sampled_from(["a", "\u00e9", "\x00", "/", "9", "[", "{\"a\":", "http://x/", " "]),
                 st.sampled_from([5_000, 70_000, 300_000]))
DEEP = st.integers(100, 200_000).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, "[" * n, "{\"a\":" * n + "1" + "}" * n]))
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12)
JSON_TEXT = JSON_VALUES.map(json.dumps)


@st.composite
def truncated(draw, texts):
    """A prefix of a drawn text, cut anywhere (half-written data)."""
    text = draw(texts)
    return text[:draw(st.integers(0, max(0, len(text) - 1)))]


#: values of no particular shape, for any key
GARBAGE = st.one_of(TEXT, CONTROL, JSON_TEXT, truncated(JSON_TEXT), HUGE, DEEP,
                    TEXT.map(lambda t: t + "\n" + t))
GARBAGE_VERDICT = GARBAGE.map(lambda v: (v, Verdict(UNKNOWN)))


def _random_case(draw, text):
    return "".join(c.upper() if draw(st.booleans()) else c for c in text)


# --------------------------------------------------------------------------
# http(s) URLs, near-valid ones included
# --------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
DOMAIN = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6)
SEGMENT = st.from_regex(r"[A-Za-z0-9_~-]{1,8}", fullmatch=True)
PATH = st.lists(SEGMENT, max_size=3).map(lambda s: "".join("/" + x for x in s))
SECRET = st.from_regex(r"[A-Za-z0-9]{10,16}", fullmatch=True)
SPACE = st.sampled_from(["", "", " ", "\n", "\t ", " \r\n"])


@st.composite
def good_url(draw):
    """``(text, normalised)``: an http(s) URL the contract accepts, and its normal form."""
    scheme = draw(st.sampled_from(["http", "https"]))
    kind = draw(st.sampled_from(["domain", "ipv4", "ipv6"]))
    if kind == "domain":
        host = draw(DOMAIN)
        shown = _random_case(draw, host)
    elif kind == "ipv4":
        host = shown = draw(IPV4)
    else:
        address = draw(IPV6)
        host, shown = f"[{address.compressed}]", f"[{address.exploded}]"
    port = draw(st.none() | st.integers(1, 65535))
    path = draw(PATH)
    userinfo = ""
    if draw(st.integers(0, 4)) == 0:
        userinfo = f"{draw(LABEL)}:{draw(SECRET)}@"
    default = {"http": 80, "https": 443}[scheme]
    text = "{}{}://{}{}{}{}{}".format(draw(SPACE), _random_case(draw, scheme), userinfo, shown,
                                      "" if port is None else f":{port}", path, draw(SPACE))
    normal = "{}://{}{}{}{}".format(scheme, userinfo, host,
                                    "" if port in (None, default) else f":{port}", path or "/")
    return text, normal


@st.composite
def bad_url(draw):
    """An almost-valid URL the contract rejects: wrong scheme, bad port, bad or empty host."""
    text, _ = draw(good_url())
    text = text.strip()
    scheme, _, rest = text.partition("://")
    kind = draw(st.sampled_from(["scheme", "noscheme", "port", "host", "empty"]))
    if kind == "scheme":
        return "{}://{}".format(draw(st.sampled_from(["ftp", "grpc", "ws", "file", "gopher"])), rest)
    if kind == "noscheme":  # "mimir:8080" (scheme "mimir") or "10.0.0.1:8080" (no scheme)
        host = draw(st.one_of(DOMAIN.filter(lambda d: d not in ("http", "https")), IPV4))
        return f"{host}:{draw(st.integers(1, 65535))}"
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    host = host.split("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
    if kind == "port":
        port = draw(st.integers(65536, 10 ** 7).map(str) | st.from_regex(r"[0-9]{0,3}[a-z][a-z0-9]{0,3}",
                                                                          fullmatch=True))
        return f"{scheme}://{userinfo}{at}{host}:{port}{slash}{path}"
    if kind == "host":
        bad = draw(st.sampled_from([" ", "<", ">", "^", "|", "%", "\x00", "\x7f"]))
        return f"{scheme}://{userinfo}{at}{draw(LABEL)}{bad}{draw(LABEL)}{slash}{path}"
    return draw(st.sampled_from([f"{scheme}://", f"{scheme}://:8080/", f"{scheme}://user@/",
                                 f"{scheme}://?q", f"{scheme}://#f"]))


#: ``(text, Verdict)`` for a URL value
URL_VALUES = st.one_of(
    good_url().map(lambda t: (t[0], Verdict(VALID, t[1]))),
    bad_url().map(lambda t: (t, Verdict(INVALID))),
    GARBAGE_VERDICT,
)


# --------------------------------------------------------------------------
# prometheus_api: raw direct_url / ingress_url
# --------------------------------------------------------------------------

EXTRA_KEYS = st.dictionaries(st.text(CHARS, min_size=1, max_size=12).filter(
    lambda k: k not in ("direct_url", "ingress_url", "http", "grpc", "scrape_metadata",
                        "scrape_jobs", "remote-store-address", "remote-store-bearer-token",
                        "remote-store-insecure") and "token" not in k.lower()),
    GARBAGE, max_size=2)
MISSING = st.just((None, Verdict(EMPTY)))


@st.composite
def prometheus_bag(draw):
    """``(bag, Verdict)``: a remote ``prometheus_api`` application databag."""
    direct, direct_v = draw(st.one_of(MISSING, URL_VALUES))
    ingress, ingress_v = draw(st.one_of(MISSING, MISSING, URL_VALUES))
    bag = draw(EXTRA_KEYS)
    for key, value in (("direct_url", direct), ("ingress_url", ingress)):
        if value:
            bag[key] = value
    if not direct and not ingress:
        return bag, Verdict(EMPTY)
    if not direct:
        return bag, Verdict(INVALID)
    parts = [direct_v] + ([ingress_v] if ingress else [])
    kind = combine(parts)
    expected = None
    if kind == VALID:
        expected = {"direct_url": direct_v.expected,
                    "ingress_url": ingress_v.expected if ingress else None}
    return bag, Verdict(kind, expected)


# --------------------------------------------------------------------------
# tempo_api: two JSON objects of URLs
# --------------------------------------------------------------------------

@st.composite
def tempo_value(draw):
    """``(raw, Verdict)`` of one of the ``http`` / ``grpc`` values."""
    kind = draw(st.sampled_from(["object", "object", "object", "wrongtype", "truncated", "garbage"]))
    if kind == "garbage":
        return draw(GARBAGE_VERDICT)
    if kind == "wrongtype":
        value = draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict)))
        return json.dumps(value), Verdict(INVALID)
    direct, direct_v = draw(st.one_of(URL_VALUES, st.sampled_from([
        (None, Verdict(INVALID)), ("", Verdict(INVALID)), (8080, Verdict(INVALID)),
        ([], Verdict(INVALID))])))
    ingress, ingress_v = draw(st.one_of(st.just(("absent", None)), st.just((None, None)),
                                        st.just(("", None)), URL_VALUES))
    obj = draw(st.dictionaries(TEXT.filter(lambda k: k not in ("direct_url", "ingress_url")),
                               JSON_VALUES, max_size=2))
    obj["direct_url"] = direct
    if ingress != "absent":
        obj["ingress_url"] = ingress
    raw = json.dumps(obj)
    if kind == "truncated":
        return raw[:draw(st.integers(0, len(raw) - 1))], Verdict(INVALID)
    parts = [direct_v] + ([ingress_v] if ingress_v is not None else [])
    verdict = combine(parts)
    expected = None
    if verdict == VALID:
        expected = {"direct_url": direct_v.expected,
                    "ingress_url": ingress_v.expected if ingress_v is not None else None}
    return raw, Verdict(verdict, expected)


@st.composite
def tempo_bag(draw):
    """``(bag, Verdict)``: a remote ``tempo_api`` application databag."""
    bag = draw(EXTRA_KEYS)
    values = {}
    for key in ("http", "grpc"):
        raw, verdict = draw(st.one_of(tempo_value(), st.just((None, None))))
        if raw:
            bag[key] = raw
            values[key] = verdict
    if not values:
        return bag, Verdict(EMPTY)
    if len(values) < 2:
        return bag, Verdict(INVALID)
    kind = combine(values.values())
    expected = {k: v.expected for k, v in values.items()} if kind == VALID else None
    return bag, Verdict(kind, expected)


# --------------------------------------------------------------------------
# parca_store: address, bearer token, insecure
# --------------------------------------------------------------------------

TOKEN = st.from_regex(r"tok-[A-Za-z0-9_\-]{12,40}", fullmatch=True)
STORE_ADDRESS = st.one_of(
    st.tuples(st.one_of(DOMAIN, IPV4), st.integers(1, 65535)).map(lambda t: f"{t[0]}:{t[1]}"),
    good_url().map(lambda t: t[0].strip()), TEXT, CONTROL, HUGE,
    st.sampled_from([" ", "\t\n", "\u3000", "\x1c"]))
INSECURE = st.one_of(st.sampled_from(["true", "false", "TRUE", "False", "tRuE", " true", "yes", "1",
                                      "0", "on", "truee", "\u0442rue"]), TEXT)


@st.composite
def store_bag(draw):
    """``(bag, Verdict)``: a remote ``parca_store`` application databag (oracle: the contract)."""
    bag = draw(EXTRA_KEYS)
    address = draw(st.none() | STORE_ADDRESS)
    token = draw(st.none() | TOKEN | TEXT)
    insecure = draw(st.none() | INSECURE)
    for key, value in (("remote-store-address", address), ("remote-store-bearer-token", token),
                       ("remote-store-insecure", insecure)):
        if value:
            bag[key] = value
    address, token, insecure = address or "", token or "", insecure or ""
    if not (address or token or insecure):
        return bag, Verdict(EMPTY)
    if not address.strip():
        return bag, Verdict(INVALID)
    if insecure and insecure.lower() not in ("true", "false"):
        return bag, Verdict(INVALID)
    config = {"remote-store-address": address, "remote-store-bearer-token": token,
              "remote-store-insecure": insecure}
    return bag, Verdict(VALID, {"config": config, "bearer_token": token or None,
                                "insecure": insecure.lower() == "true"})


# --------------------------------------------------------------------------
# parca_scrape: metadata, jobs, unit addresses
# --------------------------------------------------------------------------

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

#: any argument value of the wrong type or shape
ODD_ARG = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, CONTROL,
                    st.binary(max_size=10), st.lists(st.integers(), max_size=2))
ANY_URL = URL_VALUES.map(lambda t: t[0]) | ODD_ARG
PORTS = st.one_of(st.integers(-5, 70000), st.sampled_from([0, 1, 65535, 65536]), ODD_ARG)
ADDRESS_ARG = st.one_of(st.none(), IPV4, DOMAIN, IPV6.map(str), TEXT, CONTROL, ODD_ARG)
ALNUM = string.ascii_letters + string.digits


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
