"""profiling wire format (common.py): encoding, decoding and the boolean rule, without Juju."""

import json

import pytest

ADDRESS = "pyroscope-0.pyroscope-endpoints.cos.svc.cluster.local:4040"

#: What upstream (pydantic) accepts as a boolean, by the contract, and what it makes of it.
BOOLEANS = [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False), (-0.0, False),
    ("true", True), ("false", False), ("TRUE", True), ("False", False), ("tRuE", True),
    ("yes", True), ("no", False), ("YES", True), ("No", False),
    ("on", True), ("off", False), ("On", True), ("OFF", False),
    ("t", True), ("f", False), ("T", True), ("F", False),
    ("y", True), ("n", False), ("Y", True), ("N", False),
    ("1", True), ("0", False),
]


class Opaque:
    """An object of no particular kind (``object()``), with a repr that is the same in
    every process: the test ids are made from reprs, and pytest-xdist's workers must
    collect the same ids."""

    def __repr__(self):
        return "<object>"


#: What it refuses.
NOT_BOOLEANS = [None, 2, -1, 0.5, 1.5, float("nan"), float("inf"), "", " ", " true", "true ",
                "maybe", "truee", "2", "1.0", "01", "null", "\u0442rue", "TRUE\n", "y e s",
                b"true", [], [True], {}, {"a": 1}, Opaque()]


@pytest.fixture(scope="module")
def common(import_layer):
    return import_layer("profiling")


@pytest.mark.parametrize("value,expected", BOOLEANS, ids=repr)
def test_to_bool_accepts_what_upstream_accepts(common, value, expected):
    assert common.to_bool(value) is expected


@pytest.mark.parametrize("value", NOT_BOOLEANS, ids=repr)
def test_to_bool_refuses_everything_else(common, value):
    with pytest.raises(ValueError, match="is not a boolean"):
        common.to_bool(value)


def test_to_bool_refuses_lookalike_letters(common):
    """Letters that look like or fold to ASCII ones (Kelvin sign, dotted I, long s) are not words."""
    for text in ("\u212a", "\u0130", "YE\u017f"):  # K, I with dot, long s
        with pytest.raises(ValueError):
            common.to_bool(text)


# --------------------------------------------------------------------------
# Provider: publish_endpoint's arguments
# --------------------------------------------------------------------------

@pytest.mark.parametrize("insecure,expected", BOOLEANS, ids=repr)
def test_from_args_writes_insecure_as_the_json_boolean(common, insecure, expected):
    bag = common.ProfilingEndpoint.from_args(ADDRESS, insecure).to_databag()
    assert bag == {"otlp_grpc_endpoint_url": json.dumps(ADDRESS),
                   "insecure": "true" if expected else "false"}


def test_from_args_defaults_to_secure(common):
    assert common.ProfilingEndpoint.from_args(ADDRESS).to_databag()["insecure"] == "false"


@pytest.mark.parametrize("insecure", NOT_BOOLEANS, ids=repr)
def test_from_args_refuses_an_insecure_that_is_not_a_boolean(common, insecure):
    with pytest.raises(ValueError, match="^insecure must be a boolean"):
        common.ProfilingEndpoint.from_args(ADDRESS, insecure)


@pytest.mark.parametrize("address", [4040, None, b"host:4040", ["host:4040"], True, 40.4])
def test_from_args_refuses_an_endpoint_that_is_not_a_string(common, address):
    with pytest.raises(ValueError, match="^otlp_grpc_endpoint must be a string"):
        common.ProfilingEndpoint.from_args(address)


@pytest.mark.parametrize("address", ["", " ", "\t\n", "\u3000"])
def test_from_args_refuses_an_empty_endpoint(common, address):
    with pytest.raises(ValueError, match="^otlp_grpc_endpoint is empty"):
        common.ProfilingEndpoint.from_args(address)


@pytest.mark.parametrize("address", [
    ADDRESS, "HTTPS://Pyroscope.Example.com:443/x", " padded:4040 ", "[fd00::1]:4040",
    "caf\u00e9.example:4040", "quote\"and\\backslash", "\U0001f525:4040", "lone\ud800surrogate",
])
def test_from_args_keeps_the_endpoint_verbatim_and_the_decoder_gives_it_back(common, address):
    bag = common.ProfilingEndpoint.from_args(address, True).to_databag()
    # the bytes upstream's writer gives (json.dumps: quoted, ASCII escapes), not only a
    # value its own decoder reads back
    assert bag == {"otlp_grpc_endpoint_url": json.dumps(address), "insecure": "true"}
    back = common.ProfilingEndpoint.from_databag(bag)
    assert back == common.ProfilingEndpoint(address, True)
    assert back.as_dict() == {"otlp_grpc": address, "insecure": True}


def test_from_args_message_does_not_show_a_url_password(common):
    with pytest.raises(ValueError) as caught:
        common.ProfilingEndpoint.from_args(ADDRESS, "https://user:pw-Zq8RkT3vLm@host/")
    assert "pw-Zq8RkT3vLm" not in str(caught.value)


# --------------------------------------------------------------------------
# Requirer: the remote application databag
# --------------------------------------------------------------------------

def decode(common, bag):
    return common.ProfilingEndpoint.from_databag(bag)


@pytest.mark.parametrize("bag", [{}, {"colour": "blue"}, {"otlp_grpc_endpoint_url": ""},
                                 {"otlp_grpc_endpoint_url": "", "insecure": ""},
                                 {"unknown": "{not json"}])
def test_from_databag_without_either_key_is_nothing_yet(common, bag):
    assert decode(common, bag) is None


@pytest.mark.parametrize("raw,expected", [(json.dumps(v), e) for v, e in BOOLEANS], ids=repr)
def test_from_databag_coerces_insecure_like_upstream(common, raw, expected):
    got = decode(common, {"otlp_grpc_endpoint_url": '"a:1"', "insecure": raw})
    assert got.as_dict() == {"otlp_grpc": "a:1", "insecure": expected}


def test_from_databag_reads_a_missing_insecure_as_false(common):
    assert decode(common, {"otlp_grpc_endpoint_url": '"a:1"'}).insecure is False


def test_from_databag_accepts_json_with_surrounding_whitespace(common):
    got = decode(common, {"otlp_grpc_endpoint_url": ' "a:1"\n', "insecure": " true "})
    assert got.as_dict() == {"otlp_grpc": "a:1", "insecure": True}


def test_from_databag_ignores_other_keys_json_or_not(common):
    got = decode(common, {"otlp_grpc_endpoint_url": '"a:1"', "colour": "blue", "x": "{"})
    assert got.as_dict() == {"otlp_grpc": "a:1", "insecure": False}


@pytest.mark.parametrize("bag,key,words", [
    ({"otlp_grpc_endpoint_url": "a:4040"}, "otlp_grpc_endpoint_url", "not JSON"),
    ({"otlp_grpc_endpoint_url": '"a:4040'}, "otlp_grpc_endpoint_url", "not JSON"),
    ({"otlp_grpc_endpoint_url": "[" * 100_000}, "otlp_grpc_endpoint_url", "not JSON"),
    ({"otlp_grpc_endpoint_url": "9" * 5000}, "otlp_grpc_endpoint_url", ""),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": "maybe"}, "insecure", "not JSON"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": '"maybe"'}, "insecure", "not a boolean"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": "null"}, "insecure", "not a boolean"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": "2"}, "insecure", "not a boolean"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": '" true"'}, "insecure", "not a boolean"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": '""'}, "insecure", "not a boolean"),
    ({"otlp_grpc_endpoint_url": '"a:1"', "insecure": "[true]"}, "insecure", "not a boolean"),
    ({"insecure": "true"}, "otlp_grpc_endpoint_url", "missing"),
    ({"otlp_grpc_endpoint_url": "4040"}, "otlp_grpc_endpoint_url", "expected a JSON string"),
    ({"otlp_grpc_endpoint_url": "null"}, "otlp_grpc_endpoint_url", "expected a JSON string"),
    ({"otlp_grpc_endpoint_url": '["a:1"]'}, "otlp_grpc_endpoint_url", "expected a JSON string"),
    ({"otlp_grpc_endpoint_url": '""'}, "otlp_grpc_endpoint_url", "empty"),
    ({"otlp_grpc_endpoint_url": '" \\t"'}, "otlp_grpc_endpoint_url", "empty"),
])
def test_from_databag_names_the_key_of_unusable_data(common, bag, key, words):
    with pytest.raises(common.InvalidDataError) as caught:
        decode(common, bag)
    message = str(caught.value)
    assert message.startswith(key) and words in message
    assert len(message) < 200


def test_from_databag_message_shows_neither_a_long_value_nor_a_url_password(common):
    for value, hidden in (('"' + "x" * 500 + '"', "x" * 21),
                          ('"https://u:pw-Zq8RkT3vLm@h/"', "pw-Zq8RkT3vLm")):
        with pytest.raises(common.InvalidDataError) as caught:
            decode(common, {"otlp_grpc_endpoint_url": '"a:1"', "insecure": value})
        assert hidden not in str(caught.value)


def test_invalid_data_error_is_a_value_error(common):
    assert issubclass(common.InvalidDataError, ValueError)
