# Vendored from layerlib/_urls.py by `make vendor`: do not edit; edit the source.
"""http(s) URLs by the WHATWG URL rules, as upstream's pydantic ``AnyHttpUrl`` applies them.

Shared by every layer whose wire format carries URLs (prometheus_api, tempo_api):
``normalise_http_url`` validates and normalises one URL, ``without_password``
masks a URL's password for ``repr()`` and messages. Neither ever puts the text
it rejects into an error message (a "port" can be a password).

Upstream (pydantic 2, whose URL type is the Rust ``url`` crate) parses a URL by
the WHATWG URL Standard; this module follows the same steps for the two
schemes it accepts, and the differential tests (``tests/kit/url_oracle.py``)
compare the two on generated URLs. The one class it cannot follow exactly is stated in
``UNSUPPORTED_HOST``: international host names whose characters need the full
UTS 46 (IDNA) mapping table. Those are refused, never turned into another host.
"""

import functools
import re
import unicodedata

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE_RE = re.compile("[\t\n\r]")

# The WHATWG percent-encode sets (on top of C0 controls and everything above U+007E),
# as upstream's url crate applies them: "^" and "|" stay unencoded in paths.
_FRAGMENT_SET = ' "<>`'
_SPECIAL_QUERY_SET = ' "#<>\''
_PATH_SET = ' "#<>?`{}'
_USERINFO_SET = _PATH_SET + "/:;=@[\\]^|"

_FORBIDDEN_DOMAIN_RE = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_HEX_DIGITS = "0123456789abcdefABCDEF"

#: The reason a host name outside the supported class is refused.
UNSUPPORTED_HOST = (
    "a non-ASCII host name is supported only with letters of the Latin, Greek, Cyrillic, "
    "Armenian or Georgian alphabets, kana, CJK ideographs or Hangul (other characters need "
    "the full UTS 46 mapping table): give a host name this layer can check, or an address")

# International host names: the code points whose UTS 46 mapping this module knows
# without the Unicode IDNA table. A letter (Lu, Ll, Lo, Lm) of a left-to-right script
# in these blocks maps to itself, or an upper-case one to its lower-case form, except
# the letters in _IDNA_EXCEPTIONS (UTS 46 maps or disallows them otherwise). The
# differential test checks every one of them against upstream.
_IDNA_BLOCKS = (
    (0x00C0, 0x024F),  # Latin-1 Supplement letters, Latin Extended-A and -B
    (0x0250, 0x02AF),  # IPA Extensions
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic, Cyrillic Supplement
    (0x0531, 0x0587),  # Armenian letters
    (0x10D0, 0x10FF),  # Georgian (Mkhedruli)
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x3041, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7A3),  # Hangul Syllables
)
_IDNA_EXCEPTIONS = frozenset((
    0x0130, 0x0132, 0x0133, 0x013F, 0x0140, 0x0149, 0x017F, 0x01C4, 0x01C6, 0x01C7, 0x01C9,
    0x01CA, 0x01CC, 0x01F1, 0x01F3, 0x023A, 0x023E, 0x0374, 0x037A, 0x03D0, 0x03D1, 0x03D2,
    0x03D3, 0x03D4, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F2, 0x03F5, 0x03F9, 0x04C0, 0x0587,
    0x10FC, 0x1E9A, 0x1E9B, 0x309F, 0x30FF,
))
#: upstream's punycode limits: characters of one label, and punycode digits after ``xn--``
_MAX_IDNA_LABEL = 1000
_MAX_PUNYCODE = 2000


class _Reject(ValueError):
    """A URL that is not valid (upstream rejects it too)."""


def _percent_encode_re(encode_set):
    return re.compile("[\x00-\x1f\x7f-\U0010ffff" + re.escape(encode_set) + "]")


_ENCODE_RES = {name: _percent_encode_re(chars) for name, chars in (
    ("fragment", _FRAGMENT_SET), ("query", _SPECIAL_QUERY_SET), ("path", _PATH_SET),
    ("userinfo", _USERINFO_SET))}


def _encode_match(match):
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _percent_encode(text, encode_set):
    """``text`` with the code points of the named WHATWG percent-encode set as ``%XX`` (UTF-8)."""
    return _ENCODE_RES[encode_set].sub(_encode_match, text)


# --------------------------------------------------------------------------
# Hosts
# --------------------------------------------------------------------------

def _parse_ipv6(text):
    """The eight 16-bit pieces of an IPv6 address (WHATWG IPv6 parser), or raise."""
    bad = _Reject("not a valid IPv6 address")
    address = [0] * 8
    piece, compress, i, n = 0, None, 0, len(text)
    if text[:1] == ":":
        if text[1:2] != ":":
            raise bad
        i, piece, compress = 2, 1, 1
    while i < n:
        if piece == 8:
            raise bad
        if text[i] == ":":
            if compress is not None:
                raise bad
            i, piece = i + 1, piece + 1
            compress = piece
            continue
        value = length = 0
        while length < 4 and i < n and text[i] in _HEX_DIGITS:
            value, i, length = value * 16 + int(text[i], 16), i + 1, length + 1
        if i < n and text[i] == ".":
            if length == 0 or piece > 6:
                raise bad
            i -= length
            seen = 0
            while i < n:
                if seen:
                    if text[i] != "." or seen >= 4:
                        raise bad
                    i += 1
                if i >= n or not "0" <= text[i] <= "9":
                    raise bad
                number = None
                while i < n and "0" <= text[i] <= "9":
                    if number == 0:
                        raise bad
                    number = int(text[i]) if number is None else number * 10 + int(text[i])
                    if number > 255:
                        raise bad
                    i += 1
                address[piece] = address[piece] * 256 + number
                seen += 1
                if seen in (2, 4):
                    piece += 1
            if seen != 4:
                raise bad
            break
        if i < n and text[i] == ":":
            i += 1
            if i >= n:
                raise bad
        elif i < n:
            raise bad
        address[piece] = value
        piece += 1
    if compress is not None:
        swaps, piece = piece - compress, 7
        while piece != 0 and swaps > 0:
            other = compress + swaps - 1
            address[piece], address[other] = address[other], address[piece]
            piece, swaps = piece - 1, swaps - 1
    elif piece != 8:
        raise bad
    return address


def _serialise_ipv6(address):
    """WHATWG IPv6 serialisation: lower-case hex, the first longest run of 2+ zeros as ``::``."""
    best, best_len, run_start, run_len = None, 1, None, 0
    for index, value in enumerate(address + [1]):
        if value == 0:
            run_start = index if run_len == 0 else run_start
            run_len += 1
        else:
            if run_len > best_len:
                best, best_len = run_start, run_len
            run_len = 0
    out = ""
    index = 0
    while index < 8:
        if index == best:
            out += "::" if index == 0 else ":"
            index += best_len
            continue
        out += f"{address[index]:x}" + (":" if index != 7 else "")
        index += 1
    return out


def _ipv4_number(part):
    """WHATWG IPv4 number parser: decimal, ``0x`` hex or ``0`` octal; None when it is not one.

    Numbers too big for any IPv4 address come back as ``2 ** 40`` (Python's int()
    of very long digit strings is slow or refused).
    """
    if not part:
        return None
    radix, digits = 10, part
    if len(part) >= 2 and part[:2] in ("0x", "0X"):
        radix, digits = 16, part[2:]
    elif len(part) >= 2 and part[0] == "0":
        radix, digits = 8, part[1:]
    if not digits:
        return 0
    allowed = {10: "0123456789", 16: _HEX_DIGITS, 8: "01234567"}[radix]
    if digits.strip(allowed):
        return None
    significant = digits.lstrip("0")
    if len(significant) > 12:
        return 2 ** 40
    return int(significant or "0", radix)


def _ends_in_number(domain):
    """WHATWG "ends in a number": whether the host must be read as an IPv4 address."""
    parts = domain.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and not last.strip("0123456789"):
        return True
    return _ipv4_number(last) is not None


def _parse_ipv4(domain):
    """WHATWG IPv4 parser (``127.1`` is ``127.0.0.1``, ``1.2.3.08`` is not an address)."""
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise _Reject("not a valid IPv4 address: more than four parts")
    numbers = [_ipv4_number(part) for part in parts]
    if None in numbers:
        raise _Reject("not a valid IPv4 address")
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _Reject("not a valid IPv4 address: a part is out of range")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number * 256 ** (3 - index)
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def _percent_decode_host(text):
    """The host with its ``%XX`` escapes decoded (as UTF-8), or raise."""
    if "%" not in text:
        return text
    data = re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  text.encode("utf-8"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Reject("not a valid host name: its percent-escapes are not UTF-8 text") from None


@functools.lru_cache(maxsize=4096)
def _idna_letter(ch):
    """The UTS 46 mapping of one non-ASCII code point of the supported class, or None."""
    cp = ord(ch)
    if cp in _IDNA_EXCEPTIONS or not any(lo <= cp <= hi for lo, hi in _IDNA_BLOCKS):
        return None
    category = unicodedata.category(ch)
    if category not in ("Lu", "Ll", "Lo", "Lm") or unicodedata.bidirectional(ch) != "L":
        return None
    if category != "Lu":
        return ch
    lower = ch.lower()
    if len(lower) == 1 and lower != ch and _idna_letter(lower) == lower:
        return lower
    return None


def _punycode_decode(text):
    """RFC 3492 decoding with upstream's 32-bit overflow checks; None when it is not punycode."""
    limit = 0xFFFFFFFF
    delimiter = text.rfind("-")
    output = list(text[:delimiter]) if delimiter > 0 else []
    digits = text[delimiter + 1:] if delimiter > 0 else text
    code, i, bias, pos = 0x80, 0, 72, 0
    while pos < len(digits):
        old_i, weight, k = i, 1, 36
        while True:
            if pos >= len(digits):
                return None
            c = digits[pos]
            pos += 1
            if "a" <= c <= "z":
                digit = ord(c) - 97
            elif "A" <= c <= "Z":
                digit = ord(c) - 65
            elif "0" <= c <= "9":
                digit = ord(c) - 22
            else:
                return None
            i += digit * weight
            if digit * weight > limit or i > limit:
                return None
            t = 1 if k <= bias else 26 if k >= bias + 26 else k - bias
            if digit < t:
                break
            weight *= 36 - t
            if weight > limit:
                return None
            k += 36
        length = len(output) + 1
        delta = (i - old_i) // (700 if old_i == 0 else 2)
        delta += delta // length
        k = 0
        while delta > 455:
            delta //= 35
            k += 36
        bias = k + 36 * delta // (delta + 38)
        code += i // length
        i %= length
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        output.insert(i, chr(code))
        i += 1
    return "".join(output)


def _label_to_ascii(label):
    """One label of a host that needs UTS 46 processing (already mapped), as ASCII."""
    if label.startswith("xn--"):
        invalid = _Reject("not a valid host name: a label starting xn-- is not valid punycode")
        if not label.isascii() or len(label) - 4 > _MAX_PUNYCODE:
            raise invalid
        decoded = _punycode_decode(label[4:])
        if decoded is None or decoded.isascii() or decoded.startswith("xn--"):
            raise invalid
        if len(decoded) > _MAX_IDNA_LABEL:
            raise _Reject("not a valid host name: a label is too long")
        for ch in decoded:
            if ch >= "\x80" and _idna_letter(ch) != ch:
                if _idna_letter(ch) is None:
                    raise ValueError(UNSUPPORTED_HOST)
                raise _Reject("not a valid host name: an xn-- label decodes to a character "
                              "that IDNA maps to another")
        return label
    if label.isascii():
        return label
    if len(label) > _MAX_IDNA_LABEL:
        raise _Reject("not a valid host name: a label is too long")
    return "xn--" + label.encode("punycode").decode("ascii")


def _domain_to_ascii(domain):
    """WHATWG "domain to ASCII" (UTS 46 non-transitional), for the class this module supports."""
    if domain.isascii():
        domain = domain.lower()
        if "xn--" not in domain:
            return domain
    else:
        mapped = []
        for ch in domain:
            if ch < "\x80":
                mapped.append(ch.lower())
            else:
                letter = _idna_letter(ch)
                if letter is None:
                    raise ValueError(UNSUPPORTED_HOST)
                mapped.append(letter)
        domain = "".join(mapped)
    return ".".join(_label_to_ascii(label) if label.startswith("xn--") or not label.isascii()
                    else label for label in domain.split("."))


def _parse_host(text):
    """A URL host: ``[IPv6]``, an IPv4 address in any WHATWG form, or a domain name."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise _Reject("not a valid IPv6 address: no closing bracket")
        return f"[{_serialise_ipv6(_parse_ipv6(text[1:-1]))}]"
    domain = _domain_to_ascii(_percent_decode_host(text))
    if not domain:
        raise _Reject("the host is empty")
    if _FORBIDDEN_DOMAIN_RE.search(domain):
        raise _Reject("the host contains a character a host name cannot have")
    if _ends_in_number(domain):
        return _parse_ipv4(domain)
    return domain


# --------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------

_SINGLE_DOTS = (".", "%2e")
_DOUBLE_DOTS = ("..", ".%2e", "%2e.", "%2e%2e")


def _normalise_path(path):
    """WHATWG path state: ``.`` and ``..`` segments resolved, the rest percent-encoded."""
    segments = path.replace("\\", "/").split("/")
    out = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        dots = segment.lower() if len(segment) <= 6 and segment.isascii() else None
        if dots in _DOUBLE_DOTS:
            if out:
                out.pop()
            if last:
                out.append("")
        elif dots in _SINGLE_DOTS:
            if last:
                out.append("")
        else:
            out.append(_percent_encode(segment, "path"))
    return "/" + "/".join(out)


# --------------------------------------------------------------------------
# Whole URLs
# --------------------------------------------------------------------------

def without_password(url):
    """``url`` with the password of its credentials masked, for ``repr()`` and messages."""
    if not url:
        return url
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    userinfo, at, host = authority.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}{slash}{path}"


def _split_host_port(authority):
    """WHATWG host state: the host ends at the first ``:`` outside ``[...]``."""
    if "[" not in authority:
        host, colon, port = authority.partition(":")
        return host, (port if colon else None)
    inside = False
    for index, ch in enumerate(authority):
        if ch == "[":
            inside = True
        elif ch == "]":
            inside = False
        elif ch == ":" and not inside:
            return authority[:index], authority[index + 1:]
    return authority, None


def _parse_port(text, scheme):
    """WHATWG port state: ASCII digits up to 65535; the scheme's default port is no port."""
    if not text:
        return None
    if text.strip("0123456789"):
        raise _Reject("the port is not a number")
    significant = text.lstrip("0")
    if len(significant) > 5 or int(significant or "0") > 65535:
        raise _Reject("the port is out of range")
    port = int(significant or "0")
    return None if port == _DEFAULT_PORTS[scheme] else port


def normalise_http_url(value):
    """Return ``value`` as a normalised http(s) URL, or raise ``ValueError`` saying why.

    The WHATWG URL parser for the two schemes, as pydantic's ``AnyHttpUrl``
    (the Rust url crate) applies it: leading and trailing C0 controls and spaces
    trimmed, tabs and newlines removed, scheme and host lower-cased, the default
    port dropped, an empty path made ``/``, dot segments resolved, the WHATWG
    percent-encode sets applied, IPv4 hosts in any WHATWG form written dotted,
    IPv6 hosts compressed, international host names punycoded (UTS 46
    non-transitional) for the class of characters ``UNSUPPORTED_HOST`` names;
    a host with other non-ASCII characters is refused with that reason. Any
    other scheme, and anything that is not a URL, is rejected.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected a URL string, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not a URL: it is not valid text (a lone surrogate)") from None
    text = _TAB_OR_NEWLINE_RE.sub("", value.strip(_C0_OR_SPACE))
    match = _SCHEME_RE.match(text)
    if not match:
        raise ValueError("not a URL: it has no scheme (expected http:// or https://)")
    scheme = match.group()[:-1].lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"URL scheme {scheme!r} is not allowed: use http or https")
    rest = text[match.end():].lstrip("/\\")
    end = len(rest)
    for sep in "/\\?#":
        pos = rest.find(sep, 0, end)
        if pos != -1:
            end = pos
    authority, remainder = rest[:end], rest[end:]
    username = password = ""
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        if not authority:
            raise ValueError("not a URL: it has credentials but no host")
        user, _, secret = userinfo.partition(":")
        username, password = _percent_encode(user, "userinfo"), _percent_encode(secret, "userinfo")
    host_text, port_text = _split_host_port(authority)
    if not host_text:
        raise ValueError("not a URL: the host is empty")
    host = _parse_host(host_text)
    port = _parse_port(port_text, scheme) if port_text is not None else None
    if remainder[:1] in ("/", "\\"):
        remainder = remainder[1:]
    remainder, hash_sign, fragment = remainder.partition("#")
    path, question, query = remainder.partition("?")
    out = [scheme, "://"]
    if username or password:
        out += [username, ":" + password if password else "", "@"]
    out.append(host)
    if port is not None:
        out.append(f":{port}")
    out.append(_normalise_path(path))
    if question:
        out.append("?" + _percent_encode(query, "query"))
    if hash_sign:
        out.append("#" + _percent_encode(fragment, "fragment"))
    return "".join(out)


def checked_url(value, label, error=ValueError):
    """``normalise_http_url(value)``, or ``error`` (a ``ValueError`` class) whose message
    starts with ``label`` (the argument or databag key the value came from)."""
    try:
        return normalise_http_url(value)
    except ValueError as e:
        raise error(f"{label}: {e}") from None


class UrlPair:
    """Mixin of a ``repr=False`` dataclass of ``direct_url`` and ``ingress_url``."""

    def __repr__(self):
        direct, ingress = without_password(self.direct_url), without_password(self.ingress_url)
        return f"{type(self).__name__}(direct_url={direct!r}, ingress_url={ingress!r})"

    def as_dict(self):
        """Both URLs (``None`` when absent), as upstream exposes them."""
        return {"direct_url": self.direct_url, "ingress_url": self.ingress_url}
