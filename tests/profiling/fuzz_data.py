"""Fuzz strategies of profiling: remote databags of JSON-encoded ``otlp_grpc_endpoint_url`` /
``insecure`` for one to three relations, and ``publish_endpoint()`` arguments, each with the
contract's verdict (``kit.fuzz_data``).

Worked out from the contract (``shared/contract/README.md``, section profiling, and the
deviations in the layer's README), not from the layer's code:

* a relation's verdict: ``EMPTY`` when neither ``otlp_grpc_endpoint_url`` nor ``insecure``
  is there; ``INVALID`` when a value of the two is not JSON, the endpoint is missing, not a
  JSON string or blank, or ``insecure`` is not a boolean by pydantic's rule; ``VALID`` with
  ``expected = {"otlp_grpc": ..., "insecure": ...}`` otherwise; ``UNKNOWN`` for free-form
  garbage that may or may not parse;
* several relations: ``get_endpoints()`` is the valid ones' ``expected``, in relation order;
  ``invalid`` iff some relation is invalid.
"""

import json

from hypothesis import strategies as st

from kit import fuzz_data as fd
from kit.fuzz_data import EMPTY, INVALID, UNKNOWN, VALID, Verdict

KEY, INSECURE = "otlp_grpc_endpoint_url", "insecure"
TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")


def _random_case(draw, text):
    return "".join(c.upper() if draw(st.booleans()) else c for c in text)


@st.composite
def boolean_word(draw):
    """``(value, bool)``: a value pydantic reads as a boolean (any type it accepts)."""
    kind = draw(st.sampled_from(["bool", "int", "float", "word"]))
    truth = draw(st.booleans())
    if kind == "bool":
        return truth, truth
    if kind == "int":
        return int(truth), truth
    if kind == "float":
        return float(truth) if truth else draw(st.sampled_from([0.0, -0.0])), truth
    word = draw(st.sampled_from(TRUE_WORDS if truth else FALSE_WORDS))
    return _random_case(draw, word), truth


#: values that are not booleans by that rule, of every type
NOT_BOOLEAN = st.one_of(
    st.none(), st.integers().filter(lambda i: i not in (0, 1)),
    st.floats().filter(lambda f: f not in (0.0, 1.0)),
    st.sampled_from(["", " ", " true", "true ", "maybe", "truee", "2", "1.0", "01", "null",
                     "\u0442rue", "TRUE\n", "y e s", "\u212a", "of", "ye"]),
    fd.TEXT.filter(lambda t: t.lower() not in TRUE_WORDS + FALSE_WORDS),
    st.lists(st.booleans(), max_size=2), st.dictionaries(fd.TEXT, st.booleans(), max_size=1),
)


def _not_json(text):
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return True
    return False


@st.composite
def endpoint_value(draw):
    """``(raw or None, part)``: the raw ``otlp_grpc_endpoint_url``; ``part`` is
    ``("ok", address)``, ``INVALID``, ``UNKNOWN`` or None (absent)."""
    kind = draw(st.sampled_from(["address", "address", "address", "text", "blank", "unquoted",
                                 "nonstring", "truncated", "garbage", "absent"]))
    if kind == "absent":
        return None, None
    if kind == "garbage":
        return draw(fd.GARBAGE), UNKNOWN
    if kind == "nonstring":
        return json.dumps(draw(fd.JSON_VALUES.filter(lambda v: not isinstance(v, str)))), INVALID
    if kind == "blank":
        return json.dumps(draw(st.sampled_from(["", " ", "\t\n", "\u3000", "\x1c  "]))), INVALID
    if kind == "text":
        address = draw(fd.TEXT)
    else:
        address = draw(st.one_of(
            st.tuples(st.one_of(fd.DOMAIN, fd.IPV4), st.integers(1, 65535)).map(
                lambda t: f"{t[0]}:{t[1]}"),
            fd.good_url().map(lambda t: t[0].strip())))
    raw = json.dumps(address, ensure_ascii=draw(st.booleans()))
    if kind == "unquoted":  # not JSON, or JSON that is not a string: never a string
        raw = raw[1:-1]
        return (raw, INVALID) if raw else (None, None)
    if kind == "truncated":
        raw = raw[:draw(st.integers(0, len(raw) - 1))]
        return (raw, INVALID) if raw else (None, None)
    return raw, (("ok", address) if address.strip() else INVALID)


@st.composite
def insecure_value(draw):
    """``(raw or None, part)``: the raw ``insecure``; ``part`` is ``("ok", bool)``,
    ``INVALID``, ``UNKNOWN`` or None (absent: false)."""
    kind = draw(st.sampled_from(["word", "word", "word", "notbool", "unquoted", "garbage",
                                 "absent"]))
    if kind == "absent":
        return None, None
    if kind == "garbage":
        return draw(fd.GARBAGE), UNKNOWN
    if kind == "notbool":
        return json.dumps(draw(NOT_BOOLEAN)), INVALID
    value, truth = draw(boolean_word())
    if kind == "unquoted":  # a word without its JSON quotes: JSON only for true/false/0/1
        if not isinstance(value, str):
            return json.dumps(value), ("ok", truth)
        return value, (INVALID if _not_json(value) else ("ok", truth))
    return json.dumps(value), ("ok", truth)


@st.composite
def profiling_bag(draw):
    """``(bag, Verdict)``: a remote ``profiling`` application databag."""
    bag = draw(fd.EXTRA_KEYS.map(lambda extra: {k: v for k, v in extra.items()
                                                if k not in (KEY, INSECURE)}))
    raw_endpoint, endpoint = draw(endpoint_value())
    raw_insecure, insecure = draw(insecure_value())
    for key, raw in ((KEY, raw_endpoint), (INSECURE, raw_insecure)):
        if raw:
            bag[key] = raw
    if not raw_endpoint and not raw_insecure:
        return bag, Verdict(EMPTY)
    if INVALID in (endpoint, insecure):
        return bag, Verdict(INVALID)
    if not raw_endpoint:
        return bag, Verdict(INVALID)  # insecure without an endpoint
    if UNKNOWN in (endpoint, insecure):
        return bag, Verdict(UNKNOWN)
    return bag, Verdict(VALID, {"otlp_grpc": endpoint[1],
                                "insecure": insecure[1] if insecure else False})


#: ``[(bag, Verdict)]`` for one to three relations of the same endpoint
PROFILING_BAGS = st.lists(profiling_bag(), min_size=1, max_size=3)

#: ``publish_endpoint`` arguments: ``(value, ok)`` for the endpoint, ``(value, bool or None:
#: refused)`` for insecure
ENDPOINT_ARG = st.one_of(
    fd.TEXT.map(lambda t: (t, bool(t.strip()))),
    st.sampled_from(["", " ", "\t"]).map(lambda t: (t, False)),
    st.tuples(fd.DOMAIN, st.integers(1, 65535)).map(lambda t: (f"{t[0]}:{t[1]}", True)),
    fd.ODD_ARG.filter(lambda v: not isinstance(v, str)).map(lambda v: (v, False)),
    st.binary(max_size=8).map(lambda b: (b, False)),
)
INSECURE_ARG = st.one_of(boolean_word(), NOT_BOOLEAN.map(lambda v: (v, None)),
                         st.binary(max_size=6).map(lambda b: (b, None)))
