"""http(s) URLs by the WHATWG URL rules, as upstream's pydantic ``AnyHttpUrl`` applies them.

Shared by every layer whose wire format carries URLs (prometheus_api, tempo_api):
``normalise_http_url`` validates and normalises one URL, ``without_password``
masks a URL's password for ``repr()`` and messages. Neither ever puts the text
it rejects into an error message (a "port" can be a password).
"""

import ipaddress
import re

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_FORBIDDEN_HOST_CHARS = set(" \t\n\r#%/:<>?@[\\]^|")
_PATH_ENCODE = set(' "<>`{}#?^|')
_QUERY_ENCODE = set(' "<>#\'')
_FRAGMENT_ENCODE = set(' "<>`')
_USERINFO_ENCODE = set(' "<>`#?{}/:;=@[\\]^|')


def _percent_encode(text, encode_set):
    """Percent-encode C0 controls, non-ASCII and the characters in ``encode_set``."""
    out = []
    for ch in text:
        if ord(ch) < 0x21 or ord(ch) > 0x7E or ch in encode_set:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def _parse_ipv4_number(part):
    """One dotted part of an IPv4 host, in decimal, octal (0...) or hex (0x...)."""
    if re.fullmatch(r"0[xX][0-9A-Fa-f]*", part):
        return int(part[2:] or "0", 16)
    if re.fullmatch(r"0[0-7]+", part):
        return int(part, 8)
    if re.fullmatch(r"[0-9]+", part):
        return int(part, 10)
    return None


def _ends_in_number(host):
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    last = parts[-1]
    return bool(re.fullmatch(r"[0-9]+", last)) or _parse_ipv4_number(last) is not None


def _parse_ipv4(host):
    """An IPv4 host as WHATWG reads it (``127.1`` is ``127.0.0.1``), or raise ValueError."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    if len(parts) > 4:
        raise ValueError("an IPv4 address has at most four parts")
    numbers = [_parse_ipv4_number(p) if p else None for p in parts]
    if any(n is None for n in numbers):
        raise ValueError("not a valid IPv4 address")
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError("IPv4 address out of range")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return str(ipaddress.IPv4Address(value))


def _parse_host(host):
    """Validate and normalise a URL host: IPv6 in brackets, IPv4, or a domain name."""
    if host.startswith("["):
        if not host.endswith("]"):
            raise ValueError("unclosed IPv6 address")
        if "%" in host:  # a zone id: not in URLs (and Python 3.8 and 3.9+ disagree on it)
            raise ValueError("not a valid IPv6 address")
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise ValueError("not a valid IPv6 address") from None
    if not host:
        raise ValueError("the host is empty")
    try:
        host = _percent_decode(host)
        host = host.encode("idna").decode("ascii").lower() if not host.isascii() else host.lower()
    except (UnicodeError, ValueError):
        raise ValueError("not a valid host name") from None
    if not host or any(ch in _FORBIDDEN_HOST_CHARS or ord(ch) < 0x20 or ord(ch) == 0x7F
                       for ch in host):
        raise ValueError("the host contains a character a host name cannot have")
    if _ends_in_number(host):
        return _parse_ipv4(host)
    return host


def _percent_decode(text):
    data = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        if raw[i:i + 1] == b"%" and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[i + 1:i + 3] or b""):
            data.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            data.append(raw[i])
            i += 1
    return data.decode("utf-8")


def _normalise_path(path):
    """Resolve ``.`` and ``..`` segments and percent-encode; an empty path is ``/``."""
    segments = []
    parts = path.split("/")[1:] if path else [""]
    for i, segment in enumerate(parts):
        last = i == len(parts) - 1
        lowered = segment.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in (".", "%2e"):
            if last:
                segments.append("")
        else:
            segments.append(_percent_encode(segment, _PATH_ENCODE))
    return "/" + "/".join(segments)


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


def normalise_http_url(value):
    """Return ``value`` as a normalised http(s) URL, or raise ``ValueError`` saying why.

    The WHATWG URL rules for the two schemes, as pydantic's ``AnyHttpUrl``
    applies them: surrounding whitespace trimmed, scheme and host lower-cased,
    the default port dropped, an empty path made ``/``, dot segments resolved.
    Any other scheme, and anything that is not a URL, is rejected.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected a URL string, got {type(value).__name__}")
    text = value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
                       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    text = text.replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME_RE.match(text)
    if not match:
        raise ValueError("not a URL: it has no scheme (expected http:// or https://)")
    scheme = match.group(1).lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"URL scheme {scheme!r} is not allowed: use http or https")
    rest = text[match.end():].replace("\\", "/")
    rest = rest.lstrip("/")
    end = len(rest)
    for sep in "/?#":
        pos = rest.find(sep)
        if pos != -1:
            end = min(end, pos)
    authority, remainder = rest[:end], rest[end:]
    userinfo = ""
    if "@" in authority:
        userinfo, authority = authority.rsplit("@", 1)
        if not authority:
            raise ValueError("not a URL: it has credentials but no host")
    port = None
    host = authority
    port_match = re.search(r":([^:\]]*)$", authority)
    if port_match and not (authority.startswith("[") and authority.endswith("]")):
        host = authority[:port_match.start()]
        port_text = port_match.group(1)
        if port_text:
            if not port_text.isdigit() or not port_text.isascii():
                raise ValueError("the port is not a number")
            port = int(port_text)
            if port > 65535:
                raise ValueError("the port is out of range")
    host = _parse_host(host)
    path, query, fragment = remainder, None, None
    if "#" in path:
        path, fragment = path.split("#", 1)
    if "?" in path:
        path, query = path.split("?", 1)
    out = [scheme, "://"]
    if userinfo:
        user, colon, password = userinfo.partition(":")
        out.append(_percent_encode(user, _USERINFO_ENCODE))
        if colon and password:
            out.append(":" + _percent_encode(password, _USERINFO_ENCODE))
        out.append("@")
    out.append(host)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        out.append(f":{port}")
    out.append(_normalise_path(path))
    if query is not None:
        out.append("?" + _percent_encode(query, _QUERY_ENCODE))
    if fragment is not None:
        out.append("#" + _percent_encode(fragment, _FRAGMENT_ENCODE))
    return "".join(out)


def checked_url(value, label, error=ValueError):
    """``normalise_http_url(value)``, or ``error`` (a ``ValueError`` class) whose message
    starts with ``label`` (the argument or databag key the value came from)."""
    try:
        return normalise_http_url(value)
    except ValueError as e:
        raise error(f"{label}: {e}") from None
