"""Fuzzing prometheus_api (``kit.fuzz``): raw ``direct_url`` / ``ingress_url`` databags of
every kind for the requires side, ``publish(direct_url, ingress_url=...)`` with URLs and odd
values for the provides side; generated URL strings through the layer's URL normalisation
and upstream's pydantic ``AnyHttpUrl`` (``kit.url_oracle``, side "urls")."""

from hypothesis import given, settings

from kit import fuzz, url_oracle
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from prometheus_api.fuzz_data import prometheus_bag


@settings(**fuzz.SETTINGS)
@given(example=prometheus_bag())
def test_fuzz_prometheus_api_requires(make_unit, example):
    side = "requires"
    normalise = url_oracle.written  # upstream's normal form, not the layer's own normaliser
    related = fuzz.relate(make_unit, "prometheus_api", side)
    bag, verdict = example

    def check(seen):
        data = seen["exposed"]
        fuzz.assert_url_pair(data, normalise)
        if verdict.expected is not None:
            assert data == verdict.expected

    with counted("prometheus_api", side):
        fuzz.requires_example(related, bag, verdict, check)


@fuzz.provides_settings()
@given(direct=fuzz.url_arg(), ingress=fuzz.optional_url_arg())
def test_fuzz_prometheus_api_provides(make_unit, direct, ingress):
    side = "provides"
    related = fuzz.relate(make_unit, "prometheus_api", side)
    with counted("prometheus_api", side):
        error, app, _ = fuzz.provide(related, lambda e: e.publish(direct[0], ingress_url=ingress[0]))
        verdicts = [direct[1]] + ([ingress[1]] if ingress[1] else [])
        fuzz.check_verdict(error, fd.combine(verdicts))
        if error is None:
            # the raw bag, its URLs as upstream's pydantic writes them (kit.url_oracle), not
            # as the layer's own normaliser or decoder says
            want = {"direct_url": url_oracle.written(direct[0])}
            if ingress[1]:
                want["ingress_url"] = url_oracle.written(ingress[0])
            assert app == want
            for verdict, key in ((direct[1], "direct_url"), (ingress[1], "ingress_url")):
                if verdict and verdict.kind == fd.VALID:
                    assert want[key] == verdict.expected


@url_oracle.url_settings()
@given(raw=url_oracle.urls())
@url_oracle.with_found
def test_fuzz_prometheus_api_urls_match_pydantic(import_layer, raw):
    """The layer's URL normalisation against upstream's pydantic ``AnyHttpUrl`` (``kit.url_oracle``)."""
    with counted("prometheus_api", "urls"):
        url_oracle.compare(import_layer("prometheus_api").normalise_http_url, raw)
