"""Fuzzing tempo_api (``kit.fuzz``): ``http`` / ``grpc`` JSON objects of URLs, whole,
truncated or of the wrong type, for the requires side; ``publish()`` of four URL arguments
(two optional) for the provides side."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from tempo_api.fuzz_data import tempo_bag


@settings(**fuzz.SETTINGS)
@given(example=tempo_bag())
def test_fuzz_tempo_api_requires(make_unit, import_layer, example):
    side = "requires"
    normalise = import_layer("tempo_api").normalise_http_url
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
def test_fuzz_tempo_api_provides(make_unit, import_layer, urls):
    side = "provides"
    common = import_layer("tempo_api")
    related = fuzz.relate(make_unit, "tempo_api", side)
    args = [u[0] for u in urls]
    with counted("tempo_api", side):
        error, app, _ = fuzz.provide(related, lambda e: e.publish(*args))
        fuzz.check_verdict(error, fd.combine([u[1] for u in urls if u[1]]))
        if error is None:
            data = common.TempoApiData.from_databag(app).as_dict()
            norm = [common.normalise_http_url(a) if a is not None else None for a in args]
            assert data == {"http": {"direct_url": norm[0], "ingress_url": norm[2]},
                            "grpc": {"direct_url": norm[1], "ingress_url": norm[3]}}
