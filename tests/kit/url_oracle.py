"""The oracle of the URL differential tests: upstream's URL type, the documented refusal,
and a generator of URLs.

Upstream (the ops libraries of prometheus_api and tempo_api) validates every URL
as a pydantic ``AnyHttpUrl`` field of a ``BaseModel`` and writes or exposes
``str()`` of it. ``compare(normalise, raw)`` asserts, for one input string and
one layer's ``normalise_http_url``, that:

* both accept it, with the same string; or
* pydantic rejects it and the layer rejects it (``ValueError``); or
* pydantic accepts it and the layer refuses it for the one documented reason
  (an international host name outside the supported characters, see the
  layers' READMEs, "What is rejected and deviations"): the input's host has a
  non-ASCII character, or an ``xn--`` label that decodes to one, that is not a
  supported letter (``in_refused_class``, written from the READMEs, not from the
  layer's code).

``urls()`` draws URL strings: mostly close to real http(s) URLs, with every class
of the WHATWG rules (percent-encode sets, dot segments, IPv4 in every number form,
IPv6, percent-escapes in hosts, international and ``xn--`` hosts, ports,
credentials, backslashes, tabs and newlines, C0 controls and spaces around) and
random characters anywhere. The properties are in ``tests/<interface>/test_fuzz.py``
of each URL layer (side "urls" in the fuzz table: a fixed set of examples under
``make test``, at least 10,000 under ``make fuzz``); the exhaustive checks of the
supported letters are in ``tests/crosslayer/test_urls_differential.py``.

The contract is upstream's pydantic 2.14. Python 3.8 can only install pydantic
2.10, whose url crate implements an older UTS 46 revision (before Unicode 15.1):
there, and only there, the answers that revision changed are not compared
(``OLDER_UTS46``: U+1E9E maps to ``ss``, an ``xn--`` label that decodes to
ASCII only is accepted, labels have no length limit); Python 3.10+ checks them
against 2.14.

pydantic is a test-only dependency (requirements.txt); no layer imports it.
"""

import codecs
import re
import string
import unicodedata
from urllib.parse import quote, unquote

import pydantic
from hypothesis import HealthCheck, example, settings
from hypothesis import strategies as st
from pydantic import AnyHttpUrl, BaseModel, ValidationError

URL_LAYERS = ("prometheus_api", "tempo_api")

class Upstream(BaseModel):
    """A URL field declared as upstream declares its URLs."""

    url: AnyHttpUrl


def upstream(raw):
    """What upstream makes of ``raw``: the normalised string, or None when it rejects it."""
    try:
        return str(Upstream(url=raw).url)
    except ValidationError:
        return None


# --------------------------------------------------------------------------
# The documented refusal (README, "What is rejected and deviations")
# --------------------------------------------------------------------------

#: the supported non-ASCII host characters, as the READMEs state them
DOCUMENTED_BLOCKS = ((0x00C0, 0x024F), (0x0250, 0x02AF), (0x0370, 0x03FF), (0x0400, 0x052F),
                     (0x0531, 0x0587), (0x10D0, 0x10FF), (0x1E00, 0x1EFF), (0x3041, 0x30FF),
                     (0x4E00, 0x9FFF), (0xAC00, 0xD7A3))
DOCUMENTED_EXCEPTIONS = {
    0x0130, 0x0132, 0x0133, 0x013F, 0x0140, 0x0149, 0x017F, 0x01C4, 0x01C6, 0x01C7, 0x01C9,
    0x01CA, 0x01CC, 0x01F1, 0x01F3, 0x023A, 0x023E, 0x0374, 0x037A, 0x03D0, 0x03D1, 0x03D2,
    0x03D3, 0x03D4, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F2, 0x03F5, 0x03F9, 0x04C0, 0x0587,
    0x10FC, 0x1E9A, 0x1E9B, 0x309F, 0x30FF}
REFUSAL = "non-ASCII host name is supported only with letters of"
C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def documented_letter(ch):
    """A supported host character: a left-to-right letter of the listed blocks, not an
    exception, whose lower-case form (for an upper-case letter) is itself supported."""
    cp = ord(ch)
    category = unicodedata.category(ch)
    if (cp in DOCUMENTED_EXCEPTIONS or not any(lo <= cp <= hi for lo, hi in DOCUMENTED_BLOCKS)
            or category not in ("Lu", "Ll", "Lo", "Lm") or unicodedata.bidirectional(ch) != "L"):
        return False
    if category != "Lu":
        return True
    lower = ch.lower()
    return len(lower) == 1 and lower != ch and documented_letter(lower) and lower.lower() == lower


def input_host(raw):
    """The host part of ``raw`` as written, percent-decoded (a rough split: enough to see
    which characters the input's host has)."""
    text = re.sub("[\t\n\r]", "", raw.strip(C0_OR_SPACE))
    rest = text.partition(":")[2].lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    return unquote(host.split(":")[0])


def in_refused_class(raw):
    """Whether the input's host has a non-ASCII character that is not a supported letter,
    or an ``xn--`` label that decodes to one."""
    host = input_host(raw)
    if any(ch >= "\x80" and not documented_letter(ch) for ch in host):
        return True
    for label in host.lower().split("."):
        if label.startswith("xn--") and label.isascii():
            try:
                decoded = codecs.decode(label[4:].encode("ascii"), "punycode")
            except (UnicodeError, ValueError):
                continue
            if any(ch >= "\x80" and not documented_letter(ch) for ch in decoded):
                return True
    return False


#: the installed pydantic predates the UTS 46 revision of the contract's pydantic 2.14
OLDER_UTS46 = tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) < (2, 11)


def older_uts46_answer(raw):
    """Whether an older UTS 46 revision answers ``raw`` differently: its host has U+1E9E,
    an ``xn--`` label that decodes to ASCII only, or a label over the punycode limits of
    pydantic 2.14 (1,000 characters, 2,000 punycode digits)."""
    host = input_host(raw)
    if "\u1e9e" in host:
        return True
    for label in host.lower().split("."):
        if not label.isascii() and len(label) > 1000:
            return True
        if label.startswith("xn--") and label.isascii():
            try:
                decoded = codecs.decode(label[4:].encode("ascii"), "punycode")
            except (UnicodeError, ValueError):
                continue
            if decoded.isascii() or len(decoded) > 1000 or len(label) > 2004:
                return True
    return False


def written(raw):
    """What upstream writes for a URL a layer accepted, as the oracle of a provides or
    requires property (a layer is never checked against its own normaliser): pydantic's
    string; ``raw`` itself where this pydantic's older UTS 46 tables are known to answer
    otherwise (see ``compare``). AssertionError when upstream rejects ``raw``."""
    if OLDER_UTS46 and older_uts46_answer(raw):
        return raw
    want = upstream(raw)
    assert want is not None, f"the layer accepted {raw!r}, which upstream rejects"
    return want


def normalise_or_reason(normalise, raw):
    """The layer's answer: ``(normalised, None)`` or ``(None, reason)``."""
    try:
        return normalise(raw), None
    except ValueError as e:
        return None, str(e)


def compare(normalise, raw):
    """Assert the layer agrees with upstream on ``raw`` (see the module docstring)."""
    if OLDER_UTS46 and older_uts46_answer(raw):
        normalise_or_reason(normalise, raw)
        return
    want = upstream(raw)
    got, error = normalise_or_reason(normalise, raw)
    assert error is None or error, "a rejection must say why"
    if want is None:
        assert got is None, f"upstream rejects {raw!r}, the layer accepts it as {got!r}"
    elif got is None:
        assert REFUSAL in error and in_refused_class(raw), (
            f"upstream accepts {raw!r} as {want!r}, the layer rejects it: {error}")
    else:
        assert got == want, f"{raw!r}: upstream {want!r}, layer {got!r}"


# --------------------------------------------------------------------------
# Generated URLs: realistic ones and every nasty class
# --------------------------------------------------------------------------

ANY_CHAR = st.characters(blacklist_categories=("Cs",))
NASTY_CHARS = list(" \t\n\r\x00\x01\x1f\x7f\"#%'<>?@[\\]^`{|}/:;=.&+$,!~*()-_") + [
    "\u00e9", "\u00df", "\u1e9e", "\u03a3", "\u03c2", "\u0130", "\u212a", "\u017f", "\u00ad",
    "\ufeff", "\u3002", "\uff0e", "\u200d", "\u200c", "\u0301", "\u05d0", "\u0627", "\u0660",
    "\uff21", "\u2460", "\ufffd", "\U0001f4a9", "\u4e2d", "\uac00", "\u30fc", "\u00b5", "\u00aa"]
CHAR = st.one_of(st.sampled_from(string.printable), st.sampled_from(NASTY_CHARS), ANY_CHAR)
TEXT = st.text(CHAR, max_size=12)
LETTER = st.sampled_from(DOCUMENTED_BLOCKS).flatmap(
    lambda block: st.integers(*block)).map(chr).filter(documented_letter)
ASCII_LABEL = st.from_regex(r"[A-Za-z0-9_-]{0,10}", fullmatch=True)
UNICODE_LABEL = st.text(st.one_of(LETTER, st.sampled_from(string.ascii_letters + string.digits + "-"),
                                  st.sampled_from(NASTY_CHARS), ANY_CHAR), min_size=1, max_size=8)
LETTER_LABEL = st.text(st.one_of(LETTER, st.sampled_from(string.ascii_letters + "-")),
                       min_size=1, max_size=8)


PUNYCODE_KIND = st.sampled_from(["valid", "valid", "upper", "mutated", "random", "ascii"])
RANDOM_PUNYCODE = st.from_regex(r"[a-zA-Z0-9-]{0,10}", fullmatch=True)
NON_EMPTY_ASCII_LABEL = ASCII_LABEL.filter(bool)
MUTATION = st.sampled_from(["insert", "delete", "replace"])
PUNYCODE_CHAR = st.sampled_from(string.ascii_lowercase + string.digits + "-")
BOOL = st.booleans()


@st.composite
def punycode_label(draw):
    """``xn--`` labels: valid ones, in any case, and broken ones."""
    kind = draw(PUNYCODE_KIND)
    if kind == "random":
        return "xn--" + draw(RANDOM_PUNYCODE)
    text = draw(LETTER_LABEL if kind != "ascii" else NON_EMPTY_ASCII_LABEL)
    encoded = "xn--" + text.lower().encode("punycode").decode("ascii")
    if kind == "upper":
        return "".join(c.upper() if draw(BOOL) else c for c in encoded)
    if kind == "mutated":
        pos = draw(st.integers(4, len(encoded)))
        change, char = draw(MUTATION), draw(PUNYCODE_CHAR)
        if change == "insert":
            return encoded[:pos] + char + encoded[pos:]
        if change == "delete":
            return encoded[:pos] + encoded[pos + 1:]
        return encoded[:pos] + char + encoded[pos + 1:]
    return encoded


IPV4_NUMBER = st.one_of(st.integers(0, 255), st.integers(0, 2 ** 32 + 5), st.integers(0, 2 ** 70))
IPV4_FORM = st.sampled_from(["dec", "dec", "oct", "hex", "HEX", "bad", "word"])
HEX_PREFIX = st.sampled_from(["0x", "0X"])
BAD_IPV4_PART = st.sampled_from(["08", "09", "0x", "0X", "", "00", "0xg", "1e", "0o7", "019"])
IPV4_PARTS = st.integers(1, 5)
IPV4_END = st.sampled_from(["", "", ".", ".."])


@st.composite
def ipv4_host(draw):
    """Numbers in every WHATWG form: decimal, octal, hex, too big, empty parts, trailing dots."""
    def part():
        n, form = draw(IPV4_NUMBER), draw(IPV4_FORM)
        if form == "oct":
            return "0" + format(n, "o")
        if form in ("hex", "HEX"):
            return draw(HEX_PREFIX) + format(n, "x" if form == "hex" else "X")
        if form == "bad":
            return draw(BAD_IPV4_PART)
        if form == "word":
            return draw(ASCII_LABEL)
        return str(n)
    parts = [part() for _ in range(draw(IPV4_PARTS))]
    return ".".join(parts) + draw(IPV4_END)


IPV6 = st.ip_addresses(v=6)
IPV4 = st.ip_addresses(v=4)
IPV6_KIND = st.sampled_from(["compressed", "exploded", "upper", "v4", "broken", "broken"])
ZEROS = st.sampled_from(["0", "0000", "00"])
V4_PREFIX = st.sampled_from(["::ffff:", "::", "1:2:3:4:5:6:", "1::"])
V4_DOT = st.sampled_from([".0", ".00", "..", "."])
IPV6_PIECES = st.lists(st.one_of(st.from_regex(r"[0-9a-fA-F]{0,5}", fullmatch=True),
                                 st.sampled_from(["", ":", "1.2.3.4", "%25eth0", "g"])), max_size=10)
IPV6_END = st.sampled_from(["", "", "]", "x"])


@st.composite
def ipv6_host(draw):
    """Bracketed IPv6 addresses, compressed, exploded, upper-case, with IPv4 tails, or broken."""
    address, kind = draw(IPV6), draw(IPV6_KIND)
    if kind == "compressed":
        text = address.compressed
    elif kind == "exploded":
        text = address.exploded
    elif kind == "upper":
        text = address.exploded.upper().replace("0000", draw(ZEROS))
    elif kind == "v4":
        text = draw(V4_PREFIX) + str(draw(IPV4))
        if draw(BOOL):
            text = text.replace(".", draw(V4_DOT), 1)
    else:
        text = ":".join(draw(IPV6_PIECES))
    return "[" + text + "]" + draw(IPV6_END)


ENCODE_ONE = st.integers(0, 3)


def _percent_encode_some(draw, text):
    return "".join((quote(ch, safe="") if ch != "%" else "%25") if draw(ENCODE_ONE) == 0 else ch
                   for ch in text)


HOST_KIND = st.sampled_from(["domain", "domain", "domain", "letters", "unicode", "punycode",
                             "ipv4", "ipv4", "ipv6", "percent", "forbidden", "empty", "text"])
DOMAIN_LABELS = st.lists(ASCII_LABEL, min_size=1, max_size=4)
DOMAIN_END = st.sampled_from(["", "", "."])
IDN_LABELS = {kind: st.lists(st.one_of(pool, ASCII_LABEL, punycode_label()), min_size=1, max_size=3)
              for kind, pool in (("letters", LETTER_LABEL), ("unicode", UNICODE_LABEL),
                                 ("punycode", punycode_label()))}
TO_PERCENT_ENCODE = st.one_of(st.just("mimir.cos"), LETTER_LABEL, UNICODE_LABEL, ipv4_host())
PERCENT_END = st.sampled_from(["", "%", "%4", "%zz", "%2e", "%2E", "%41", "%C3%9F", "%C3", "%00"])
NASTY = st.sampled_from(NASTY_CHARS)


@st.composite
def host(draw):
    kind = draw(HOST_KIND)
    if kind == "domain":
        return ".".join(draw(DOMAIN_LABELS)) + draw(DOMAIN_END)
    if kind in IDN_LABELS:
        return ".".join(draw(IDN_LABELS[kind]))
    if kind == "ipv4":
        return draw(ipv4_host())
    if kind == "ipv6":
        return draw(ipv6_host())
    if kind == "percent":
        return _percent_encode_some(draw, draw(TO_PERCENT_ENCODE)) + draw(PERCENT_END)
    if kind == "forbidden":
        return draw(ASCII_LABEL) + draw(NASTY) + draw(ASCII_LABEL)
    if kind == "empty":
        return ""
    return draw(TEXT)


SEGMENT = st.one_of(st.sampled_from([".", "..", "%2e", "%2E", ".%2e", "%2e.", "%2e%2E", "a", "",
                                     "^", "|", "%7e", "%zz", "a b", "{x}", "`"]), TEXT)
ONE_IN_TEN = st.integers(0, 9)
ONE_IN_FIVE = st.integers(0, 4)
ONE_IN_SIX = st.integers(0, 5)
RANDOM_TEXT = st.one_of(TEXT, st.text(CHAR, max_size=40))
LEAD = st.sampled_from(["", "", "", " ", "\t", "\x00", "\x1f ", "\n\x0b"])
SCHEME = st.sampled_from(["http", "https", "HTTP", "hTTpS", "http", "https", "ftp", "ws", "grpc",
                          "http+x", "", "h"])
SLASHES = st.sampled_from(["//", "//", "//", "/", "", "\\\\", "///", "/\\", "\\/"])
PASSWORD = st.one_of(st.none(), TEXT)
PORT = st.one_of(st.just(""), st.just(""), st.just(":"), st.integers(0, 70000).map(lambda p: f":{p}"),
                 st.sampled_from([":080", ":0", ":00000000000000000000443", ":80a", ":\uff18\uff10",
                                  ": 80", ":-1", "::80"]))
SLASH = st.sampled_from(["/", "/", "/", "\\"])
SEGMENTS = st.lists(SEGMENT, max_size=4)
QUERY = st.one_of(st.just(""), st.just(""), TEXT.map(lambda q: "?" + q))
FRAGMENT = st.one_of(st.just(""), st.just(""), TEXT.map(lambda f: "#" + f))
TRAIL = st.sampled_from(["", "", "", " ", "\n", "\x00", " \x7f"])
INSERTS = st.integers(0, 2)
TAB_OR_NEWLINE = st.sampled_from(["\t", "\n", "\r"])


@st.composite
def urls(draw):
    """A URL string: mostly close to a real http(s) URL, with nasty parts anywhere."""
    if draw(ONE_IN_TEN) == 0:
        return draw(RANDOM_TEXT)
    userinfo = ""
    if draw(ONE_IN_FIVE) == 0:
        user, password = draw(TEXT), draw(PASSWORD)
        userinfo = user + ("" if password is None else ":" + password) + "@"
        if draw(ONE_IN_SIX) == 0:
            userinfo += draw(TEXT) + "@"
    path = "".join(draw(SLASH) + segment for segment in draw(SEGMENTS))
    url = "".join([draw(LEAD), draw(SCHEME), ":", draw(SLASHES), userinfo, draw(host()), draw(PORT),
                   path, draw(QUERY), draw(FRAGMENT), draw(TRAIL)])
    for _ in range(draw(INSERTS) if draw(ONE_IN_FIVE) == 0 else 0):
        pos = draw(st.integers(0, len(url)))
        url = url[:pos] + draw(TAB_OR_NEWLINE) + url[pos:]
    return url


# --------------------------------------------------------------------------
# The properties' settings and explicit examples
# --------------------------------------------------------------------------

#: examples per layer under ``make test`` (profile ``ci``); ``make fuzz`` uses its own count
CI_EXAMPLES = 400


def url_settings():
    """The settings of a URL property: ``CI_EXAMPLES`` under the ``ci`` profile, else the
    profile's count."""
    count = settings().max_examples
    if count == settings.get_profile("ci").max_examples:
        count = CI_EXAMPLES
    return settings(max_examples=count, deadline=None, suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])


#: every disagreement found so far, and the classes of the issue, replayed on every run
FOUND = [
    "http://m/a^b", "http://m/a|b", "http://straße.de/", "http://faß.de/", "http://ΑΒΓ.com",
    "http://xn--zz.com/", "http://1.2.3.08/", "http://0x7f.1", "http://a%41.com",
    "http://XN--STRAE-OQA.de/", "http://xn--abc-.com/", "http://\u1e9e.de/", "http://a:b:c@d@e/",
    "http://:@a/", "http://a/?q=\\x#\\y", "http://[::1:2:3:4:5:6:7]/", "http://a%C3%9F.de/",
    "http://xn--a-9ba.com/", "http://\U0001f4a9.la/", "http://a\u00adb/", "http://a.0x/",
    "http://xn--" + "\u4e2d" * 1001 + "/", "http://" + "a" * 1000 + "\u00e9/",
]


def with_found(test):
    """``test`` with every ``FOUND`` input as an explicit example."""
    for raw in FOUND:
        test = example(raw=raw)(test)
    return test
