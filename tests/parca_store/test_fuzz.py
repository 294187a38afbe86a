"""Fuzzing parca_store (``kit.fuzz``): address / bearer token / insecure databags for the
requires side; ``publish()`` with ports, flags, external URLs and tokens of any type for the
provides side."""

import dataclasses

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from parca_store.fuzz_data import PORTS, STORE_ADDRESS, TOKEN, store_bag


def read_config(endpoint, seen):
    """What the property checks beyond ``exposed``: the decoded data and ``config``."""
    seen["data"] = endpoint.get_data()
    seen["config"] = endpoint.config


@settings(**fuzz.SETTINGS)
@given(example=store_bag())
# found by make fuzz (seed 20261122): a token that is part of the framework's flag names,
# and a token equal to the address
@example(example=({"remote-store-bearer-token": "private-"}, fd.Verdict(fd.INVALID)))
@example(example=({"remote-store-address": "0", "remote-store-bearer-token": "0"},
                  fd.Verdict(fd.VALID, {"config": {"remote-store-address": "0",
                                                   "remote-store-bearer-token": "0",
                                                   "remote-store-insecure": ""},
                                        "bearer_token": "0", "insecure": False})))
def test_fuzz_parca_store_requires(make_unit, example):
    side = "requires"
    related = fuzz.relate(make_unit, "parca_store", side)
    bag, verdict = example

    def check(seen):
        config, data = seen["config"], seen["data"]
        assert set(config) == {"remote-store-address", "remote-store-bearer-token",
                               "remote-store-insecure"}
        assert all(isinstance(v, str) for v in config.values())
        assert data.address.strip() and isinstance(data.insecure, bool)
        if data.bearer_token:  # repr() does not depend on the token (it may equal the address)
            assert repr(data) == repr(dataclasses.replace(data, bearer_token="another-token"))
        if verdict.expected is not None:
            assert config == verdict.expected["config"]
            assert data.bearer_token == verdict.expected["bearer_token"]
            assert data.insecure is verdict.expected["insecure"]

    with counted("parca_store", side):
        fuzz.requires_example(related, bag, verdict, check, read=read_config)


@fuzz.provides_settings()
@given(port=PORTS, insecure=st.one_of(st.booleans(), fd.ODD_ARG),
       external_url=st.one_of(st.none(), STORE_ADDRESS, fd.ODD_ARG),
       token=st.one_of(st.none(), TOKEN, fd.TEXT, fd.ODD_ARG))
# found by make fuzz (seed 20261122): a blank external URL is refused, as documented
@example(port=1, insecure=False, external_url=" " * 40, token=None)
@example(port=7070, insecure=False, external_url=None, token="tok-Zq8RkT3vLm5e2b7d")  # a real one
def test_fuzz_parca_store_provides(make_unit, port, insecure, external_url, token):
    side = "provides"
    related = fuzz.relate(make_unit, "parca_store", side)
    ok = (isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535
          and isinstance(insecure, bool) and isinstance(external_url, (str, type(None)))
          and not (external_url and not external_url.strip())  # blank: "give host:port or None"
          and isinstance(token, (str, type(None))))
    with counted("parca_store", side):
        error, app, _ = fuzz.provide(related, lambda e: e.publish(
            port=port, insecure=insecure, external_url=external_url, bearer_token=token),
            secrets={token} if isinstance(token, str) else ())
        assert (error is None) == ok, error
        if error is None:
            # the raw bag the contract states, written here from the contract (not read
            # back through the layer's own decoder)
            want = {"remote-store-address": external_url or f"10.0.0.10:{port}",
                    "remote-store-insecure": "true" if insecure else "false"}
            if token:
                want["remote-store-bearer-token"] = token
            assert app == want
