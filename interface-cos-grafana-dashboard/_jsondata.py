# Vendored from layerlib/_jsondata.py by `make vendor`: do not edit; edit the source.
"""JSON the way the wire wants it: plain values from the charm, bounded strict decoding of
remote data, and "unchanged" as "the same JSON encoding".

Shared by every layer whose wire format carries nested JSON (cos_agent,
prometheus_scrape, grafana_dashboard, profiling, ...):

* ``plain(value, where)`` turns what a charm author gave into JSON types only
  (``ValueError`` naming ``where`` otherwise);
* ``loads(text, what, budget)`` decodes remote JSON strictly (no ``NaN`` or
  ``Infinity``, at most ``MAX_DEPTH`` deep) and, with a ``Budget``, within a
  cap on the bytes and the number of JSON values decoded for one relation,
  counted *before* anything is parsed, so a hostile value costs bounded
  memory; it raises ``InvalidDataError`` (``LimitExceeded`` past a cap);
* ``encoding(value)`` is the canonical text two values are compared by
  (``1``, ``1.0`` and ``true`` are equal in Python, not on the wire).
"""

import json
import math
import re

from ._errors import InvalidDataError

#: How deeply remote JSON may nest (lists and objects): deeper data is refused rather than
#: risk a RecursionError while it is decoded, copied or stored.
MAX_DEPTH = 200
#: What one relation's remote data may decode to, all of it together (bytes of JSON text:
#: the raw values and everything decompressed from them).
MAX_RELATION_BYTES = 64 * 1024 * 1024
#: How many JSON values (object keys included) one relation's remote data may decode to.
MAX_RELATION_VALUES = 1_000_000

_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


class LimitExceeded(InvalidDataError):
    """Remote data larger than a ``Budget`` allows: the relation's data is refused whole."""


class Budget:
    """What is left of the bytes and JSON values one relation's data may decode to.

    Create one per relation read; pass it to every ``loads`` (and decompression)
    of that relation's data. ``spend`` raises ``LimitExceeded`` when a cap is passed.
    """

    def __init__(self, max_bytes=MAX_RELATION_BYTES, max_values=MAX_RELATION_VALUES):
        """A budget of ``max_bytes`` bytes of JSON text and ``max_values`` JSON values."""
        self.max_bytes = max_bytes
        self.max_values = max_values
        self.bytes_left = max_bytes
        self.values_left = max_values

    def spend_bytes(self, count, what):
        """Take ``count`` bytes; ``LimitExceeded`` naming ``what`` when there are not enough."""
        if count > self.bytes_left:
            raise LimitExceeded(f"{what}: the relation's data decodes to more than "
                                f"{self.max_bytes} bytes")
        self.bytes_left -= count

    def spend_values(self, text, what):
        """Take the JSON values ``text`` holds (an upper bound, counted without parsing);
        ``LimitExceeded`` naming ``what`` when there are not enough."""
        count = count_values(text, self.values_left)
        if count > self.values_left:
            raise LimitExceeded(f"{what}: the relation's data holds more than "
                                f"{self.max_values} JSON values")
        self.values_left -= count


def count_values(text, limit=None):
    """An upper bound on the JSON values (object keys included) of the JSON ``text``,
    counted from its structural characters without parsing it.

    Every value or key follows the start, ``[``, ``{``, ``,`` or ``:``. The quick
    count includes those inside strings; when it is above ``limit`` (or no limit
    is given), the strings are taken out and the characters counted again.
    """
    quick = 1 + sum(text.count(c) for c in "[{,:")
    if limit is not None and quick <= limit:
        return quick
    bare = _STRING_RE.sub("", text)
    return 1 + sum(bare.count(c) for c in "[{,:")


def reject_constant(name):
    """``json.loads``'s ``parse_constant``: ``NaN``, ``Infinity`` and ``-Infinity`` are not
    JSON, so they are a ``ValueError``."""
    raise ValueError(f"{name} is not a JSON value")


def loads(text, what, budget=None):
    """``text`` decoded as strict JSON: no ``NaN`` or ``Infinity``, at most ``MAX_DEPTH``
    deep, and within ``budget`` (a ``Budget``) when given.

    Raises ``InvalidDataError`` naming ``what`` when it is not such JSON, and
    ``LimitExceeded`` (before parsing anything) when it is more than the budget.
    """
    if budget is not None:
        budget.spend_bytes(len(text), what)
        budget.spend_values(text, what)
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        raise InvalidDataError(f"{what} is nested too deeply") from None
    except ValueError:
        raise InvalidDataError(f"{what} is not valid JSON") from None
    if too_deep(value):
        raise InvalidDataError(f"{what} is nested more than {MAX_DEPTH} deep")
    return value


def too_deep(value, limit=MAX_DEPTH):
    """Whether ``value`` (decoded JSON) nests more than ``limit`` lists or objects deep."""
    level, current = 0, [value]
    while current:
        level += 1
        if level > limit:
            return True
        nested = []
        for item in current:
            if isinstance(item, dict):
                nested.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                nested.extend(v for v in item if isinstance(v, (dict, list)))
        current = nested
    return False


def plain(value, where):
    """A deep copy of ``value`` made of JSON types only (string keys, finite numbers; tuples
    become lists).

    Raises ``ValueError`` naming ``where`` when something in it has no JSON
    form (a date, a set, a non-string key, ``NaN``, an infinity) or it is
    nested too deeply.
    """
    try:
        return _plain(value, where)
    except RecursionError:
        raise ValueError(f"{where}: nested too deeply") from None


def _plain(value, where):
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not a JSON number")
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            out[key] = _plain(item, where)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, where) for item in value]
    raise ValueError(f"{where}: a {type(value).__name__} has no JSON form")


def encoding(value):
    """The text ``value`` (plain JSON data) is compared by: compact ``json.dumps``, keys in
    their own order (the wire keeps it). Two values are "unchanged" when their encodings are
    equal; ``ValueError`` when ``value`` has no JSON form."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
