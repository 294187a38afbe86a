"""Generated data for the fuzz tests, each example with the contract's verdict: the parts
every layer's strategies (``tests/<interface>/fuzz_data.py``) are made of.

A layer's strategy draws a remote databag (or a provider call) and says what the
wire contract (the layer README's "Wire format") makes of it, worked out from the
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

import json
import string
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from kit import registered

VALID, INVALID, EMPTY, UNKNOWN = "valid", "invalid", "empty", "unknown"


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


def nesting(value):
    """How many lists and objects deep decoded JSON ``value`` is (0 for a scalar), counted
    level by level, not by recursion (the fuzz data nests deeper than Python's stack): an
    oracle's measure of the contract's "at most 200 levels"."""
    levels, current = 0, [value]
    while True:
        current = [v for v in current if isinstance(v, (dict, list))]
        if not current:
            return levels
        levels += 1
        current = [c for v in current for c in (v.values() if isinstance(v, dict) else v)]


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
# Any databag
# --------------------------------------------------------------------------

#: the app databag keys of every registered layer (``app_keys`` of its row)
LAYER_KEYS = tuple(key for row in registered.rows() for key in row.app_keys)
#: keys no layer reads (no token either), with values of any shape
EXTRA_KEYS = st.dictionaries(st.text(CHARS, min_size=1, max_size=12).filter(
    lambda k: k not in LAYER_KEYS and "token" not in k.lower()),
    GARBAGE, max_size=2)
MISSING = st.just((None, Verdict(EMPTY)))

# --------------------------------------------------------------------------
# Provider calls
# --------------------------------------------------------------------------

#: any argument value of the wrong type or shape
ODD_ARG = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, CONTROL,
                    st.binary(max_size=10), st.lists(st.integers(), max_size=2))
ANY_URL = URL_VALUES.map(lambda t: t[0]) | ODD_ARG
ALNUM = string.ascii_letters + string.digits
