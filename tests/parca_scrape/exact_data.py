"""Generated ``parca_scrape`` inputs for the wire-exact properties (``test_fuzz_exact.py``).

Inputs only: what the verdict is, and what the layer must expose or write, is
the oracle's business (in the test, from the contract's rules). The strategies
aim at the places where a reader of the contract could go wrong:

* ``scrape_relation()``: one related target application of three units
  (``target/0`` .. ``target/2``): its application databag (``scrape_metadata``
  valid or absent, ``scrape_jobs`` absent, empty or a list of jobs) and the
  three units' databags. Jobs carry any of the keys the contract names, kept
  or dropped, in any order, and sometimes keys nobody names; ``static_configs``
  missing, ``null``, empty or a list; targets ``*:PORT`` with whitespace around
  the ``*`` and the port (ASCII and Unicode), fixed ``host:port``, IPv6 and
  port-less ones, near-``*`` ones (``**:80``, a zero-width space) and ``*``
  targets whose port is not one. Units with an address, a legacy
  ``parca_scrape_host``, both, or none, IPv4 / IPv6 / names / text; names
  published or not, shared by two units, or another unit's.
* ``job_spec_arg()``: the argument of ``update_scrape_job_spec``: jobs of
  kept and dropped keys in any order, ``static_configs`` missing / ``None`` /
  valid / malformed, values JSON can and cannot write; and a twin of it for a
  second call, equal to Python (``0 == False == 0.0``) but not on the wire.
"""

import json
import string

from hypothesis import strategies as st

#: the keys a job keeps (the contract's list) and keys the contract says are dropped
KEPT_KEYS = ("job_name", "static_configs", "scrape_interval", "scrape_timeout", "scheme",
             "profiling_config", "tls_config")
DROPPED_KEYS = ("metrics_path", "params", "honor_labels", "honor_timestamps", "sample_limit",
                "relabel_configs", "metric_relabel_configs", "basic_auth", "x-extra")
UNITS = ("target/0", "target/1", "target/2")
UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(CHARS, max_size=12)
NAME = st.text(CHARS, min_size=1, max_size=10)
#: whitespace that ``str.strip()`` removes (ASCII, C0 separators, Unicode), and nothing
SPACE = st.sampled_from(["", "", "", " ", "\t", "\n", "  \r\n", "\x0b", "\x0c", "\x1c", "\x85",
                         "\xa0", "\u2003", "\u3000"])
SCALARS = (st.none() | st.booleans() | st.integers(-2**63, 2**63)
           | st.floats(allow_nan=False, allow_infinity=False) | TEXT)
#: JSON values that encode and decode as themselves
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8)
LABEL = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
DOMAIN = st.lists(LABEL, min_size=1, max_size=3).map(".".join)
IPV4 = st.ip_addresses(v=4).map(str)
IPV6 = st.ip_addresses(v=6)
GOOD_PORT = st.one_of(st.integers(1, 65535).map(str), st.sampled_from(["1", "80", "080", "65535"]))
BAD_PORT = st.sampled_from(["", "0", "00000", "65536", "99999", "123456", "http", "-1", "+80",
                            "8 0", "80:90", "\u0668\u0660", "\uff18\uff10", "80a", "0x50"])



def one_in(draw, n):
    """True about once in ``n`` draws (Hypothesis draws the ends of an integer range more
    often than the rest, so the rare value is one in the middle)."""
    return draw(st.integers(0, n - 1)) == n // 2


# --------------------------------------------------------------------------
# Targets, static configs, jobs
# --------------------------------------------------------------------------

@st.composite
def star_target(draw):
    """``*:PORT`` with whitespace around the ``*`` and the port (a valid port)."""
    return f"{draw(SPACE)}*{draw(SPACE)}:{draw(SPACE)}{draw(GOOD_PORT)}{draw(SPACE)}"


@st.composite
def bad_star_target(draw):
    """A ``*`` target without a valid port (or without a ``:`` at all)."""
    if one_in(draw, 5):
        return f"{draw(SPACE)}*{draw(SPACE)}"
    return f"{draw(SPACE)}*{draw(SPACE)}:{draw(BAD_PORT)}{draw(SPACE)}"


@st.composite
def fixed_target(draw):
    """A target the consumer keeps verbatim: ``host:port``, IPv6, port-less, near-``*``."""
    port = draw(GOOD_PORT)
    return draw(st.sampled_from([
        f"{draw(DOMAIN)}:{port}",
        f"{draw(IPV4)}:{port}",
        f"[{draw(IPV6).compressed}]:{port}",
        draw(DOMAIN),
        f"{draw(SPACE)}{draw(DOMAIN)}{draw(SPACE)}:{port}",
        f"**:{port}",
        f"\u200b*:{port}",
        f"*x:{port}",
        f"x*:{port}",
        f"{draw(TEXT)}:{draw(TEXT)}",
    ]))


TARGET = st.one_of(star_target(), star_target(), fixed_target(), fixed_target(), bad_star_target())
GOOD_TARGET = st.one_of(star_target(), fixed_target())
LABELS = st.dictionaries(st.one_of(TEXT, st.sampled_from(
    ["juju_model", "juju_model_uuid", "juju_application", "juju_charm", "juju_unit", "instance"])),
    TEXT, max_size=3)
BAD_LABELS = st.sampled_from([[], "a", 1, {"a": 1}, {"a": None}, {"a": ["b"]}])


@st.composite
def static_config(draw, bad_ratio=30):
    """One static config: ``targets`` (absent, empty, or a list), ``labels`` (absent,
    ``null``, a string map, or not one), sometimes another key; rarely not an object."""
    if one_in(draw, 4 * bad_ratio):
        return draw(st.sampled_from([None, "*:80", ["*:80"], 80]))
    sc = {}
    for key in draw(st.permutations(["targets", "labels", "other"])):
        if key == "targets":
            if one_in(draw, 8):
                continue  # no targets: the unit configs have the bare address
            if one_in(draw, 2 * bad_ratio):
                sc["targets"] = draw(st.sampled_from([None, "*:80", [80], ["*:80", None], {"*:80": 1}]))
            else:
                bad = one_in(draw, bad_ratio)
                sc["targets"] = draw(st.lists(TARGET if bad else GOOD_TARGET, max_size=4))
        elif key == "labels":
            if one_in(draw, 2 * bad_ratio):
                sc["labels"] = draw(BAD_LABELS)
            elif draw(st.booleans()):
                sc["labels"] = draw(st.none() | LABELS)
        elif one_in(draw, 6):
            sc[draw(st.sampled_from(["source", "other", "targets "]))] = draw(JSON_VALUES)
    return sc


@st.composite
def static_configs(draw, bad_ratio=30):
    """A job's ``static_configs`` value: a list of static configs, ``[]``, ``null`` or wrong."""
    if one_in(draw, 3 * bad_ratio):
        return draw(st.sampled_from([None, {}, "*:80", {"targets": ["*:80"]}]))
    if one_in(draw, 10):
        return []
    return draw(st.lists(static_config(bad_ratio), min_size=1, max_size=3))


@st.composite
def job(draw, bad_ratio=30):
    """One job: a random subset of the kept and dropped keys (and others), in random order."""
    if one_in(draw, 6 * bad_ratio):
        return draw(st.sampled_from([None, "*:80", [], 1]))
    keys = draw(st.lists(st.sampled_from(KEPT_KEYS + DROPPED_KEYS), unique=True, max_size=6))
    if "static_configs" not in keys and not one_in(draw, 4):
        keys.insert(draw(st.integers(0, len(keys))), "static_configs")
    out = {}
    for key in keys:
        if key == "static_configs":
            out[key] = draw(static_configs(bad_ratio))
        elif key == "job_name":
            if one_in(draw, bad_ratio):
                out[key] = draw(st.sampled_from([0, 1, False, True, [], ["j"], {}]))
            else:
                out[key] = draw(st.one_of(TEXT, st.just(""), st.none()))
        elif key == "relabel_configs":
            out[key] = draw(st.sampled_from([[], [{"action": "drop"}], [
                {"source_labels": ["juju_unit"], "target_label": "instance", "regex": "x"}],
                None, "drop", {"action": "drop"}]))
        elif key in ("scrape_interval", "scrape_timeout"):
            out[key] = draw(st.one_of(st.sampled_from(["10s", "1m", "30s"]), JSON_VALUES))
        elif key == "scheme":
            out[key] = draw(st.one_of(st.sampled_from(["http", "https"]), JSON_VALUES))
        else:
            out[key] = draw(JSON_VALUES)
    if one_in(draw, 6):  # a key nobody names (possibly a kept one's near twin)
        out[draw(st.one_of(TEXT, st.sampled_from(["Job_Name", "static_configs ", "scheme\n"])))] = \
            draw(JSON_VALUES)
    return out


# --------------------------------------------------------------------------
# A relation: application databag and three units' databags
# --------------------------------------------------------------------------

@st.composite
def scrape_metadata(draw):
    """A valid ``scrape_metadata`` object (``unit`` / ``charm_name`` absent, null, empty or text)."""
    meta = {"model": draw(NAME), "model_uuid": draw(st.sampled_from([UUID, UUID.upper()])),
            "application": draw(NAME)}
    for key in ("unit", "charm_name"):
        choice = draw(st.sampled_from(["absent", "null", "empty", "text"]))
        if choice != "absent":
            meta[key] = {"null": None, "empty": ""}.get(choice) if choice != "text" else draw(NAME)
    order = draw(st.permutations(list(meta)))
    return {key: meta[key] for key in order}


@st.composite
def unit_bag(draw, name):
    """One unit's databag: address (new key, legacy key, both, none), and maybe a name."""
    address = st.one_of(IPV4, DOMAIN, IPV6.map(str), IPV6.map(lambda a: a.exploded),
                        st.sampled_from(["fe80::1%eth0", "[fd00::1]", " 10.0.0.1", "10.0.0.1\n",
                                         "host:1", "::"]), NAME)
    bag = {}
    choice = draw(st.sampled_from(["address", "address", "legacy", "both", "none", "empty"]))
    if choice in ("address", "both"):
        bag["parca_scrape_unit_address"] = draw(address)
    if choice in ("legacy", "both"):
        bag["parca_scrape_host"] = draw(address)
    if choice == "empty":
        bag["parca_scrape_unit_address"] = ""  # Juju: the same as no key
    naming = draw(st.sampled_from(["own", "own", "absent", "other", "shared", "text"]))
    if naming == "own":
        bag["parca_scrape_unit_name"] = name
    elif naming == "other":
        bag["parca_scrape_unit_name"] = draw(st.sampled_from(UNITS))
    elif naming == "shared":
        bag["parca_scrape_unit_name"] = "shared/0"
    elif naming == "text":
        bag["parca_scrape_unit_name"] = draw(NAME)
    if one_in(draw, 6):
        bag["unrelated"] = draw(TEXT)
    return bag


@st.composite
def scrape_relation(draw, bad_ratio=30):
    """``(app_bag, unit_bags)``: a related target application's databags, raw strings."""
    bag = {}
    if not one_in(draw, 5):
        bag["scrape_metadata"] = json.dumps(draw(scrape_metadata()))
    if one_in(draw, 12):
        pass  # no scrape_jobs yet
    elif one_in(draw, 12):
        bag["scrape_jobs"] = "[]"
    else:
        bag["scrape_jobs"] = json.dumps(draw(st.lists(job(bad_ratio), min_size=1, max_size=3)))
    if one_in(draw, 6):
        bag["unrelated"] = draw(TEXT)
    units = {name: draw(unit_bag(name)) for name in UNITS}
    return bag, units


# --------------------------------------------------------------------------
# The provider's call
# --------------------------------------------------------------------------

#: targets the provider refuses (the layer's documented rule: host:port or *:port, port 1-65535)
PROVIDER_BAD_TARGET = st.sampled_from([" *:80", "*: 80", "*", "*:", "*:0", "*:65536", "*:http",
                                       "host", "a b:80", "host:0", ":80", "", 80, None])
PROVIDER_GOOD_TARGET = st.one_of(
    GOOD_PORT.map(lambda p: "*:" + p),
    st.tuples(DOMAIN, GOOD_PORT).map(":".join),
    st.tuples(IPV4, GOOD_PORT).map(":".join),
    st.tuples(IPV6, GOOD_PORT).map(lambda t: f"[{t[0].compressed}]:{t[1]}"))
#: values ``json.dumps`` refuses, or writes as something that does not read back the same
UNWRITABLE = st.sampled_from([float("nan"), float("inf"), {1, 2}, b"x", object(),
                              {1: "a", "1": "b"}, {None: 1, "null": 2}])


@st.composite
def provider_static_config(draw):
    """``(static config, ok)`` for the provider: targets and labels, valid or not."""
    sc = {}
    bad = False
    for key in draw(st.permutations(["targets", "labels", "other"])):
        if key == "targets":
            if one_in(draw, 13):
                bad = True
                if not one_in(draw, 3):
                    sc["targets"] = draw(st.sampled_from([[], "*:80", None, {"*:80": 1}]))
                continue
            targets = draw(st.lists(PROVIDER_GOOD_TARGET, min_size=1, max_size=3))
            if one_in(draw, 13):
                targets.insert(draw(st.integers(0, len(targets))), draw(PROVIDER_BAD_TARGET))
                bad = True
            sc["targets"] = targets
        elif key == "labels" and draw(st.booleans()):
            if one_in(draw, 11):
                sc["labels"] = draw(BAD_LABELS)
                bad = True
            else:
                sc["labels"] = draw(st.dictionaries(TEXT, TEXT, max_size=3))
        elif key == "other" and one_in(draw, 6):
            sc["other"] = draw(JSON_VALUES)
    return sc, not bad


@st.composite
def provider_job(draw):
    """``(job, ok)`` for ``update_scrape_job_spec``: kept and dropped keys in any order."""
    if one_in(draw, 31):
        return draw(st.sampled_from(["*:80", None, 1, [{"static_configs": []}]])), False
    keys = draw(st.lists(st.sampled_from(KEPT_KEYS + DROPPED_KEYS + ("unnamed",)), unique=True,
                         max_size=6))
    out, ok = {}, True
    for key in keys:
        if key == "static_configs":
            if one_in(draw, 13):
                out[key] = None  # the default one (a documented deviation: upstream writes null)
            elif one_in(draw, 13):
                out[key] = draw(st.sampled_from([{"targets": ["*:80"]}, "*:80", 1]))
                ok = False
            else:
                drawn = draw(st.lists(provider_static_config(), max_size=3))
                out[key] = [sc for sc, _ in drawn]
                ok = ok and all(good for _, good in drawn)
        elif key == "job_name":
            if one_in(draw, 13):
                out[key] = draw(st.sampled_from([None, 3, ["j"], {}]))
                ok = False
            else:
                out[key] = draw(TEXT)
        elif key == "unnamed":  # a key nobody names
            out[draw(st.text(string.ascii_letters + "_", min_size=1, max_size=8).filter(
                lambda k: k not in KEPT_KEYS + DROPPED_KEYS))] = draw(JSON_VALUES)
        else:
            out[key] = draw(JSON_VALUES)
    if one_in(draw, 16):
        out[draw(st.sampled_from(KEPT_KEYS[2:] + DROPPED_KEYS))] = draw(UNWRITABLE)
        ok = ok and not any(k in out and _unwritable(out[k]) for k in KEPT_KEYS)
    return out, ok


def _unwritable(value):
    """Whether ``value`` is one of ``UNWRITABLE`` (checked by identity of kind, not by JSON)."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return any(not isinstance(k, str) for k in value)
    return isinstance(value, (set, bytes)) or type(value) is object


@st.composite
def twin(draw, value):
    """``value`` with some numbers and booleans replaced by others Python finds equal but
    JSON writes differently (``False``, ``0``, ``0.0``, ``-0.0``; ``True``, ``1``, ``1.0``;
    ``5``, ``5.0``): the same jobs to ``==``, other jobs on the wire."""
    if isinstance(value, list):
        return [draw(twin(v)) for v in value]
    if isinstance(value, dict):
        return {k: draw(twin(v)) for k, v in value.items()}
    if not isinstance(value, (bool, int, float)) or not draw(st.booleans()):
        return value
    if value is False or value == 0:
        others = [False, 0, 0.0, -0.0]
    elif value is True or value == 1:
        others = [True, 1, 1.0]
    elif isinstance(value, int):
        others = [float(value)] if float(value) == value else [value]
    else:
        others = [int(value)] if value.is_integer() else [value]
    return draw(st.sampled_from(others))


@st.composite
def job_spec_arg(draw):
    """``(jobs, ok, again)``: an ``update_scrape_job_spec`` argument, whether every job is
    valid by the provider's documented rules (False: a ``ValueError`` is expected), and the
    argument of a second call: ``twin(jobs)``."""
    if one_in(draw, 11):
        jobs, ok = draw(st.sampled_from([None, []])), True
    elif one_in(draw, 11):
        jobs, ok = draw(st.sampled_from(["*:80", {"static_configs": []}, 3])), False
    else:
        drawn = draw(st.lists(provider_job(), min_size=1, max_size=3))
        jobs, ok = [j for j, _ in drawn], all(good for _, good in drawn)
    return jobs, ok, draw(twin(jobs))
