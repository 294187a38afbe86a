"""Fuzzing parca_scrape (``kit.fuzz``): generated remote app and unit databags on the
requires side, generated ``update_scrape_job_spec()`` / ``set_unit_address()`` arguments
on the provides side."""

import json

from hypothesis import given, settings

from kit import fuzz
from kit import fuzz_data as fd
from kit.fuzz_report import counted
from kit.layer import public_flags
from parca_scrape.fuzz_data import ADDRESS_ARG, ipv6_host, scrape_bags, scrape_jobs_arg

#: the contract's parca_scrape section: the keys a job keeps, the order of scrape_metadata
KEPT_JOB_KEYS = {"job_name", "static_configs", "scrape_interval", "scrape_timeout", "scheme",
                 "profiling_config", "tls_config"}
METADATA_KEYS = ["model", "model_uuid", "application", "unit", "charm_name"]


def _strict_json(value):
    return json.loads(json.dumps(value, allow_nan=False))


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


@settings(**fuzz.SETTINGS)
@given(example=scrape_bags())
def test_fuzz_parca_scrape_requires(make_unit, example):
    side = "requires"
    related = fuzz.relate(make_unit, "parca_scrape", side, units=2)
    bag, unit_bags, verdict = example

    def check(seen):
        jobs = seen["exposed"]
        assert isinstance(jobs, list) and jobs
        assert _strict_json(jobs) == jobs, "jobs are not strict JSON"
        for job in jobs:
            assert isinstance(job, dict) and isinstance(job.get("static_configs", []), list)
            for sc in job.get("static_configs", []):
                assert isinstance(sc, dict)
                assert all(isinstance(t, str) for t in sc.get("targets", []))
                labels = sc.get("labels") or {}
                assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
        if verdict.expected is not None:
            _check_scrape_jobs(jobs, verdict.expected)

    with counted("parca_scrape", side):
        fuzz.requires_example(related, bag, verdict, check, unit_bags, valid_means_available=False)
        if verdict.kind == fd.VALID:  # available iff there is a job
            flags = public_flags(related.unit.flags, related.layer.requires)
            has_jobs = bool(verdict.expected["jobs"])
            assert (f"{related.layer.requires}.available" in flags) == has_jobs


def _check_scrape_jobs(jobs, expected):
    """The jobs Parca builds, by the contract: one per published job, topology, per-unit configs."""
    sent, meta, units = expected["jobs"], expected["metadata"], expected["units"]
    if meta is None:
        assert jobs == sent  # passed on as received
        return
    assert len(jobs) == len(sent)
    prefix = "{}_{}_{}".format(meta["model"], meta["model_uuid"][:8], meta["application"])
    for job, original in zip(jobs, sent):
        name = original.get("job_name")
        assert job["job_name"] == prefix + (f"_{name}" if name else "")
        assert job["relabel_configs"][-1]["target_label"] == "instance"
        configs = job["static_configs"]
        want = 0
        # a job without static_configs gets the default one; one config per unit name
        for sc in original.get("static_configs", [{"targets": ["*:80"]}]):
            fixed = [t for t in sc["targets"] if not t.startswith("*")]
            want += (1 if fixed else 0) + len({n for n, _ in units})
        assert len(configs) == want
        for sc in configs:
            assert sc["labels"]["juju_model"] == meta["model"]
            assert sc["labels"]["juju_application"] == meta["application"]
        assert {sc["labels"]["juju_unit"] for sc in configs if "juju_unit" in sc["labels"]} <= {
            n for n, _ in units}
        hosts = {ipv6_host(a) for _, a in units}
        for sc in configs:
            if "juju_unit" in sc["labels"]:
                assert all(t.rsplit(":", 1)[0] in hosts or t in hosts for t in sc["targets"])


@fuzz.provides_settings()
@given(jobs=scrape_jobs_arg(), address=ADDRESS_ARG)
def test_fuzz_parca_scrape_provides(make_unit, jobs, address):
    side = "provides"
    related = fuzz.relate(make_unit, "parca_scrape", side)
    with counted("parca_scrape", side):
        error, app, unit_bag = fuzz.provide(related, lambda e: e.update_scrape_job_spec(jobs))
        if error is None:
            metadata = json.loads(app["scrape_metadata"], parse_constant=_reject_constant)
            published = json.loads(app["scrape_jobs"], parse_constant=_reject_constant)
            # the bytes as upstream's json.dumps writes them (default separators, ASCII
            # escaping); the oracle is the contract, not the layer's own decoder or reader
            assert app["scrape_jobs"] == json.dumps(published)
            assert app["scrape_metadata"] == json.dumps(metadata)
            assert list(metadata) == METADATA_KEYS
            assert metadata["model_uuid"] == related.unit.state["model"]["uuid"]
            assert metadata["unit"] == related.unit.name
            if jobs:
                assert len(published) == len(jobs)
                for job in published:
                    assert set(job) <= KEPT_JOB_KEYS and job["static_configs"]
            else:
                assert published == [{"static_configs": [{"targets": ["*:80"]}]}]
        error, _, unit_bag = fuzz.provide(related, lambda e: e.set_unit_address(address))
        if error is None:
            want = address.strip() if address is not None else "10.0.0.10"
            assert unit_bag["parca_scrape_unit_address"] == want
            assert unit_bag["parca_scrape_unit_name"] == related.unit.name
