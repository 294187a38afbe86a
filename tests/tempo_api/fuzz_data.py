"""Fuzz strategies of tempo_api: remote databags of two JSON objects of URLs (``http``,
``grpc``), each with the contract's verdict (``kit.fuzz_data``).
"""

import json

from hypothesis import strategies as st

from kit.fuzz_data import (
    EMPTY,
    EXTRA_KEYS,
    GARBAGE_VERDICT,
    INVALID,
    JSON_VALUES,
    TEXT,
    URL_VALUES,
    VALID,
    Verdict,
    combine,
)


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
