"""Fuzzing prometheus_api (``kit.fuzz``): raw ``direct_url`` / ``ingress_url`` databags of
every kind for the requires side, ``publish(direct_url, ingress_url=...)`` with URLs and odd
values for the provides side."""

from hypothesis import given, settings

from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from prometheus_api.fuzz_data import prometheus_bag


@settings(**fuzz.SETTINGS)
@given(example=prometheus_bag())
def test_fuzz_prometheus_api_requires(make_unit, import_layer, example):
    side = "requires"
    normalise = import_layer("prometheus_api").normalise_http_url
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
def test_fuzz_prometheus_api_provides(make_unit, import_layer, direct, ingress):
    side = "provides"
    common = import_layer("prometheus_api")
    related = fuzz.relate(make_unit, "prometheus_api", side)
    with counted("prometheus_api", side):
        error, app, _ = fuzz.provide(related, lambda e: e.publish(direct[0], ingress_url=ingress[0]))
        verdicts = [direct[1]] + ([ingress[1]] if ingress[1] else [])
        fuzz.check_verdict(error, fd.combine(verdicts))
        if error is None:
            data = common.PrometheusApiData.from_databag(app)
            want = {"direct_url": common.normalise_http_url(direct[0]),
                    "ingress_url": common.normalise_http_url(ingress[0]) if ingress[1] else None}
            assert data.as_dict() == want
            for verdict, key in ((direct[1], "direct_url"), (ingress[1], "ingress_url")):
                if verdict and verdict.kind == fd.VALID:
                    assert want[key] == verdict.expected
