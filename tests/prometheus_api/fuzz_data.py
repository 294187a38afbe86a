"""Fuzz strategies of prometheus_api: remote databags of raw ``direct_url`` / ``ingress_url``,
each with the contract's verdict (``kit.fuzz_data``).
"""

from hypothesis import strategies as st

from kit.fuzz_data import EMPTY, EXTRA_KEYS, INVALID, MISSING, URL_VALUES, VALID, Verdict, combine


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
