"""Grafana dashboards on the wire as the COS libraries encode them: JSON text, UTF-8,
LZMA-compressed (xz container, preset 3) and base64-encoded; and back, within bounds.

Shared by the layers that send or receive encoded dashboards: cos_agent
(``config.dashboards``) and grafana_dashboard (a template's ``content``).

* ``encode(obj)`` / ``compress(text)``: what upstream writes (compressed bytes
  depend on liblzma, so compare dashboards after decoding);
* ``decompress(encoded, budget)`` / ``decode(encoded, budget)``: the text, or the
  JSON object, back. Decompression stops at ``MAX_DASHBOARD_BYTES`` (a 7 KB
  string can hold gigabytes) and at what is left of ``budget`` (a
  ``_jsondata.Budget`` shared by everything decoded from one relation); the JSON
  is strict (no ``NaN`` or ``Infinity``) and its values are counted before it is
  parsed. A dashboard that is unusable by itself is a ``ValueError`` (skip it);
  a relation past its budget is ``LimitExceeded`` (refuse the relation). ``LimitExceeded``
  is a ``ValueError`` too: catch it first;
* ``file_uid(charm_name, path)`` and ``charm_dashboard(dashboard, charm_name, uid)``:
  a dashboard file the charm ships, as both libraries publish it (its ``uid``, the
  ``charm:`` tag).
"""

import base64
import binascii
import hashlib
import json
import lzma

from ._errors import first_line
from ._jsondata import MAX_DEPTH, reject_constant, too_deep

#: The largest dashboard decompressed (bytes of JSON text): a bigger one is unusable.
MAX_DASHBOARD_BYTES = 16 * 1024 * 1024
#: The xz preset upstream compresses with.
PRESET = 3


def compress(text):
    """``text`` as UTF-8, LZMA-compressed (xz format, preset 3) and base64-encoded;
    ``ValueError`` when it holds a lone surrogate (no UTF-8 form)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string is not valid Unicode (a lone surrogate)") from None
    return base64.b64encode(lzma.compress(data, format=lzma.FORMAT_XZ, preset=PRESET)
                            ).decode("ascii")


def encode(obj):
    """A dashboard (a JSON-able object) as upstream writes it: ``compress(json.dumps(obj))``."""
    return compress(json.dumps(obj))


def decompress(encoded, budget=None, max_bytes=MAX_DASHBOARD_BYTES):
    """A dashboard string back to its JSON text: base64, then LZMA (any container).

    ``ValueError`` when it does not decode, is larger than ``max_bytes``
    decompressed or not UTF-8; ``LimitExceeded`` when it is larger than what is
    left of ``budget``, whose bytes it spends (an oversized one spends the
    ``max_bytes + 1`` decompressed before it was given up, so a relation full of
    them is refused too). At most ``max_bytes + 1`` bytes are ever decompressed.
    """
    if not isinstance(encoded, str):
        raise ValueError("not a string")
    cap = max_bytes if budget is None else min(max_bytes, budget.bytes_left)
    try:
        data = base64.b64decode(encoded.encode("ascii"))
        decompressor = lzma.LZMADecompressor()
        text = decompressor.decompress(data, max_length=cap + 1)
    except (ValueError, lzma.LZMAError, UnicodeEncodeError, binascii.Error) as e:
        raise ValueError(f"not base64-encoded LZMA ({first_line(e)})") from None
    if len(text) > cap:
        if budget is not None:
            budget.spend_bytes(len(text), "dashboards")  # past the budget: LimitExceeded
        raise ValueError(f"larger than {max_bytes} bytes decompressed")
    if not decompressor.eof:
        raise ValueError("the compressed data ends before its end-of-stream marker")
    if budget is not None:
        budget.spend_bytes(len(text), "dashboards")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 once decompressed") from None


def decode(encoded, budget=None):
    """A dashboard string as its JSON object: ``decompress`` then strict JSON within
    ``budget``. ``ValueError`` says why an unusable dashboard is unusable;
    ``LimitExceeded`` when the relation's budget is spent."""
    text = decompress(encoded, budget)
    if budget is not None:
        budget.spend_values(text, "dashboards")
    try:
        content = json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        raise ValueError("not JSON once decompressed") from None
    if too_deep(content):
        raise ValueError(f"nested more than {MAX_DEPTH} deep")
    if not isinstance(content, dict):
        raise ValueError("not a JSON object once decompressed")
    return content


def file_uid(charm_name, path):
    """The ``uid`` the COS libraries give a dashboard file: shake_256 (20 bytes, 40 hex
    digits) of ``{charm_name}-{path}``."""
    return hashlib.shake_256(f"{charm_name}-{path}".encode()).hexdigest(20)


def charm_dashboard(dashboard, charm_name, uid):
    """A dashboard file's decoded JSON as the COS libraries publish it: ``uid`` set to
    ``uid(dashboard)`` (unless that is None: the file's own is kept), then the tag
    ``charm: {charm_name}`` added to ``tags`` unless one starts with ``charm: ``.
    ``ValueError`` when it is not a JSON object or its ``tags`` are not a list of strings."""
    if not isinstance(dashboard, dict):
        raise ValueError(f"not a JSON object (a {type(dashboard).__name__})")
    tags = dashboard.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("'tags' is not a list of strings")
    new_uid = uid(dashboard)
    if new_uid is not None:
        dashboard["uid"] = new_uid
    if not any(tag.startswith("charm: ") for tag in tags):
        tags = tags + [f"charm: {charm_name}"]
    dashboard["tags"] = tags
    return dashboard
