"""parca_scrape's hook-cost cases (``kit.hookcases``): ``make bench`` and the call-count
tests (``crosslayer/test_hook_cost.py``), and the bench's timing of ``jobs()``."""

import gc
import json
import os
import statistics
import time

from kit.hookcases import Case
from kit.layer import UUID


def _scrape_app(app):
    return {"scrape_metadata": json.dumps({"model": "cos", "model_uuid": UUID, "application": app,
                                           "unit": app + "/0", "charm_name": app}),
            "scrape_jobs": json.dumps([{"job_name": "cpu",
                                        "static_configs": [{"targets": ["*:6060"]}]}])}


def _scrape_unit(name, address):
    return {"parca_scrape_unit_address": address, "parca_scrape_unit_name": name}


ENDPOINTS = {
    "profiling-endpoint": Case(
        "parca_scrape", "provides",
        publish=lambda e: e.update_scrape_job_spec(None),
        publish_given_address=lambda e: (e.update_scrape_job_spec(None),
                                         e.set_unit_address("demo-0.example.com")),
        flat_in_units=True),
    "profiling-targets": Case(
        "parca_scrape", "requires", app_data=_scrape_app, unit_data=_scrape_unit,
        flat_in_units=True),
}

JOBS_SIZES = ((1, 1), (10, 5), (100, 10), (1000, 50))
TIMINGS_TITLE = "ParcaScrapeRequires.jobs() (best of 20 calls)"


def time_jobs(bench, charm_dir, units, relations, workdir, repeat=20):
    """Seconds of one ``ParcaScrapeRequires.jobs()`` call, best of ``repeat`` with the
    garbage collector off (as ``timeit`` does: the least disturbed run is the steadiest
    figure on a shared machine), the median too, and the jobs' unit count."""
    unit = bench.new_unit(workdir, charm_dir, "inprocess")
    bench.populate(unit, "profiling-targets", units, relations)
    unit.run_hook("upgrade-charm")
    seen = {}

    def act(endpoint_from_name):
        endpoint = endpoint_from_name("profiling-targets")
        times = []
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            for _ in range(repeat):
                start = time.perf_counter()
                jobs = endpoint.jobs()
                times.append(time.perf_counter() - start)
        finally:
            if gc_was_on:
                gc.enable()
        seen["seconds"] = min(times)
        seen["median_seconds"] = statistics.median(times)
        seen["unit_configs"] = sum(len(j["static_configs"]) for j in jobs)

    unit.run_hook("update-status", action=act)
    return seen


def timings(bench, charm_dir, quick, workdir):
    """The bench's records of ``jobs()`` at each size (``bench``: the ``kit.hookcost``
    driver, for its units and model)."""
    records = []
    for n, (units, relations) in enumerate(bench.QUICK_SIZES if quick else JOBS_SIZES):
        seen = time_jobs(bench, charm_dir, units, relations, os.path.join(workdir, f"jobs{n}"))
        records.append({"layer": "parca_scrape", "side": "requires", "charm": "layers",
                        "runner": "inprocess", "hook": "jobs()", "relations": relations,
                        "units": units, "calls": {}, "unit_configs": seen["unit_configs"],
                        "seconds": seen["seconds"],
                        "median_seconds": seen["median_seconds"]})
    return records
