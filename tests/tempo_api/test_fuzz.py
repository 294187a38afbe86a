"""Fuzzing tempo_api (``kit.fuzz``): ``http`` / ``grpc`` JSON objects of URLs, whole,
truncated or of the wrong type, for the requires side; ``publish()`` of four URL arguments
(two optional) for the provides side; generated URL strings through the layer's URL
normalisation and upstream's pydantic ``AnyHttpUrl`` (``kit.url_oracle``, side "urls")."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kit import fuzz, url_oracle
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from tempo_api.fuzz_data import tempo_bag


@settings(**fuzz.SETTINGS)
@given(example=tempo_bag())
def test_fuzz_tempo_api_requires(make_unit, example):
    side = "requires"
    normalise = url_oracle.written  # upstream's normal form, not the layer's own normaliser
    related = fuzz.relate(make_unit, "tempo_api", side)
    bag, verdict = example

    def check(seen):
        data = seen["exposed"]
        assert set(data) == {"http", "grpc"}
        for urls in data.values():
            fuzz.assert_url_pair(urls, normalise)
        if verdict.expected is not None:
            assert data == verdict.expected

    with counted("tempo_api", side):
        fuzz.requires_example(related, bag, verdict, check)


@fuzz.provides_settings()
@given(urls=st.tuples(fuzz.url_arg(), fuzz.url_arg(), fuzz.optional_url_arg(), fuzz.optional_url_arg()))
def test_fuzz_tempo_api_provides(make_unit, urls):
    side = "provides"
    related = fuzz.relate(make_unit, "tempo_api", side)
    args = [u[0] for u in urls]
    with counted("tempo_api", side):
        error, app, _ = fuzz.provide(related, lambda e: e.publish(*args))
        fuzz.check_verdict(error, fd.combine([u[1] for u in urls if u[1]]))
        if error is None:
            # the raw bag: json.dumps (default separators) of {direct_url, ingress_url}, the
            # URLs as upstream's pydantic writes them (kit.url_oracle), ingress_url omitted
            # when absent; not read back through the layer's own normaliser or decoder
            def value(direct, ingress):
                urls = {"direct_url": url_oracle.written(direct)}
                if ingress is not None:
                    urls["ingress_url"] = url_oracle.written(ingress)
                return json.dumps(urls)
            assert app == {"http": value(args[0], args[2]), "grpc": value(args[1], args[3])}


@url_oracle.url_settings()
@given(raw=url_oracle.urls())
@url_oracle.with_found
def test_fuzz_tempo_api_urls_match_pydantic(import_layer, raw):
    """The layer's URL normalisation against upstream's pydantic ``AnyHttpUrl`` (``kit.url_oracle``)."""
    with counted("tempo_api", "urls"):
        url_oracle.compare(import_layer("tempo_api").normalise_http_url, raw)
