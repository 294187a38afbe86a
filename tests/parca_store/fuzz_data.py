"""Fuzz strategies of parca_store: remote databags of address, bearer token and insecure,
and ``publish()`` arguments, each with the contract's verdict (``kit.fuzz_data``).
"""

from hypothesis import strategies as st

from kit.fuzz_data import (
    CONTROL,
    DOMAIN,
    EMPTY,
    EXTRA_KEYS,
    HUGE,
    INVALID,
    IPV4,
    ODD_ARG,
    TEXT,
    VALID,
    Verdict,
    good_url,
)

TOKEN = st.from_regex(r"tok-[A-Za-z0-9_\-]{12,40}", fullmatch=True)
STORE_ADDRESS = st.one_of(
    st.tuples(st.one_of(DOMAIN, IPV4), st.integers(1, 65535)).map(lambda t: f"{t[0]}:{t[1]}"),
    good_url().map(lambda t: t[0].strip()), TEXT, CONTROL, HUGE,
    st.sampled_from([" ", "\t\n", "\u3000", "\x1c"]))
INSECURE = st.one_of(st.sampled_from(["true", "false", "TRUE", "False", "tRuE", " true", "yes", "1",
                                      "0", "on", "truee", "\u0442rue"]), TEXT)


@st.composite
def store_bag(draw):
    """``(bag, Verdict)``: a remote ``parca_store`` application databag (oracle: the contract)."""
    bag = draw(EXTRA_KEYS)
    address = draw(st.none() | STORE_ADDRESS)
    token = draw(st.none() | TOKEN | TEXT)
    insecure = draw(st.none() | INSECURE)
    for key, value in (("remote-store-address", address), ("remote-store-bearer-token", token),
                       ("remote-store-insecure", insecure)):
        if value:
            bag[key] = value
    address, token, insecure = address or "", token or "", insecure or ""
    if not (address or token or insecure):
        return bag, Verdict(EMPTY)
    if not address.strip():
        return bag, Verdict(INVALID)
    if insecure and insecure.lower() not in ("true", "false"):
        return bag, Verdict(INVALID)
    config = {"remote-store-address": address, "remote-store-bearer-token": token,
              "remote-store-insecure": insecure}
    return bag, Verdict(VALID, {"config": config, "bearer_token": token or None,
                                "insecure": insecure.lower() == "true"})

#: what a charm may pass as ``publish(port=...)``
PORTS = st.one_of(st.integers(-5, 70000), st.sampled_from([0, 1, 65535, 65536]), ODD_ARG)
