"""http(s) URL validation and normalisation (WHATWG rules, as upstream applies them).

The code is written once, in ``layerlib/_urls.py``; every layer that carries
URLs has a vendored copy (``_urls.py``, re-exported by its ``common.py``);
every copy must be identical and pass the same cases.
"""

import inspect
import os

import pytest

from kit import helpers

URL_LAYERS = [name for name, path in helpers.layer_dirs().items()
              if os.path.exists(os.path.join(path, "_urls.py"))]

NORMALISED = [
    ("http://mimir.cos.svc.cluster.local:8080", "http://mimir.cos.svc.cluster.local:8080/"),
    ("HTTP://Mimir.COS.svc:80/prometheus", "http://mimir.cos.svc/prometheus"),
    ("https://mimir.cos:443/prometheus", "https://mimir.cos/prometheus"),
    ("https://mimir.cos:80/", "https://mimir.cos:80/"),
    ("  http://mimir:8080/a  \n", "http://mimir:8080/a"),
    ("http://10.1.2.3:9009/prometheus/", "http://10.1.2.3:9009/prometheus/"),
    ("http://[FD00::7]:7070", "http://[fd00::7]:7070/"),
    ("http://[fd00:0:0:0:0:0:0:7]/", "http://[fd00::7]/"),
    ("http://127.1/", "http://127.0.0.1/"),
    ("http://0x7f.0.0.1/", "http://127.0.0.1/"),
    ("http://mimir/a/./b/../c", "http://mimir/a/c"),
    ("http://mimir/a b", "http://mimir/a%20b"),
    ("http://mimir/?q=a b#frag ment", "http://mimir/?q=a%20b#frag%20ment"),
    ("http://mimir:/x", "http://mimir/x"),
    ("http://mimir:08080/", "http://mimir:8080/"),
    ("http:\\\\mimir\\x", "http://mimir/x"),
    ("http://user:pass@Mimir/", "http://user:pass@mimir/"),
    ("http://bücher.example/", "http://xn--bcher-kva.example/"),
    ("http:///path", "http://path/"),
]

REJECTED = [
    "not-a-url", "mimir:8080", "ftp://mimir.cos/prometheus", "grpc://tempo:9096",
    "\"http://mimir:8080\"", "http://", "http://mimir:99999/",
    "http://mimir:80a/", "http://[::1/", "http://[zz::1]/", "http://mi mir/",
    "http://mimir<x>/", "http://256.0.0.1/", "http://1.2.3.4.5/", "", "   ",
    "http://user@/", None, 8080, b"http://mimir/", "http://[fe80::1%25eth0]/",
    "http://[fe80::1%eth0]/",
]


@pytest.fixture(params=URL_LAYERS)
def normalise(request, import_layer):
    return import_layer(request.param).normalise_http_url


def test_every_layer_with_urls_is_covered():
    assert {"prometheus_api", "tempo_api"} <= set(URL_LAYERS)


@pytest.mark.parametrize("raw,expected", NORMALISED)
def test_url_is_normalised_like_upstream(normalise, raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", REJECTED)
def test_url_that_is_not_http_is_rejected_with_a_reason(normalise, raw):
    with pytest.raises(ValueError) as info:
        normalise(raw)
    assert str(info.value)


def test_rejected_scheme_message_says_to_use_http(normalise):
    with pytest.raises(ValueError, match="use http or https"):
        normalise("grpc://tempo:9096")


URL_FUNCTIONS = ("_percent_encode", "_parse_ipv4_number", "_ends_in_number", "_parse_ipv4",
                 "_parse_host", "_percent_decode", "_normalise_path", "without_password",
                 "normalise_http_url")
URL_CONSTANTS = ("_DEFAULT_PORTS", "_SCHEME_RE", "_FORBIDDEN_HOST_CHARS", "_PATH_ENCODE",
                 "_QUERY_ENCODE", "_FRAGMENT_ENCODE", "_USERINFO_ENCODE")


def test_url_copies_are_identical(import_layer):
    def fingerprint(module):
        return (tuple(inspect.getsource(getattr(module, f)) for f in URL_FUNCTIONS),
                tuple(repr(getattr(module, c)) for c in URL_CONSTANTS))

    copies = {name: fingerprint(import_layer(name, "_urls")) for name in URL_LAYERS}
    assert len(set(copies.values())) == 1, sorted(copies)


@pytest.mark.parametrize("raw", ["https://admin:s3cr3t/x@mimir/", "http://admin:s3cr3t?@mimir/",
                                 "http://mimir:s3cr3t/", "http://mimir:99999s3cr3t/"])
def test_rejection_messages_never_quote_what_may_be_a_password(normalise, raw):
    with pytest.raises(ValueError) as info:
        normalise(raw)
    assert "s3cr3t" not in str(info.value)


@pytest.fixture(params=URL_LAYERS)
def layer_common(request, import_layer):
    return import_layer(request.param)


@pytest.mark.parametrize("url,shown", [
    ("http://user:pw@mimir/a", "http://user:***@mimir/a"),
    ("http://user@mimir/", "http://user@mimir/"),
    ("http://mimir/a@b", "http://mimir/a@b"),
    (None, None),
])
def test_password_is_masked_for_display(layer_common, url, shown):
    assert layer_common.without_password(url) == shown


def test_data_repr_masks_url_passwords(import_layer):
    prometheus = import_layer("prometheus_api")
    data = prometheus.PrometheusApiData("http://u:s3cr3t@mimir/", "https://u:s3cr3t@cos/")
    assert "s3cr3t" not in repr(data) and "mimir" in repr(data)
    if "tempo_api" in URL_LAYERS:
        tempo = import_layer("tempo_api")
        urls = tempo.TempoApiUrls("http://u:s3cr3t@tempo/", None)
        assert "s3cr3t" not in repr(tempo.TempoApiData(urls, urls))


@pytest.mark.parametrize("address,shown", [
    ("https://agent:s3cr3t@parca.example.com:443/", "https://agent:***@parca.example.com:443/"),
    ("agent:s3cr3t@parca.example.com:443", "agent:***@parca.example.com:443"),
    ("parca.cos.svc:7070", "parca.cos.svc:7070"),
    ("[fd00::7]:7070", "[fd00::7]:7070"),
])
def test_parca_store_reprs_mask_a_password_in_the_address(import_layer, address, shown):
    """parca_store passes an external URL through verbatim, so it may carry credentials."""
    store = import_layer("parca_store")
    config = store.ParcaStoreConfig.from_databag({"remote-store-address": address})
    published = store.ParcaStorePublication.from_args(external_url=address)
    for text in (repr(config), repr(published)):
        assert "s3cr3t" not in text and repr(shown) in text
    assert config.address == published.external_url == address
