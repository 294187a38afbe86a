"""Example charm handlers for parca_scrape: how a charm author uses that layer.

The README of the layer shows the handlers of this file; the test suite
builds this charm with charm-build and runs these handlers against the
simulated Juju, so the examples cannot rot.
"""

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when

from reactive.demo_status import report_problem


# --8<-- [start:parca-scrape-provides]
@when("profiling-endpoint.joined")
def offer_profiling_endpoint():
    """Ask Parca to scrape this charm's pprof ports (every unit calls; the leader writes jobs)."""
    endpoint = endpoint_from_name("profiling-endpoint")
    ports = [p.strip() for p in hookenv.config("profiling-ports").split(",") if p.strip()]
    jobs = [{
        "job_name": "demo",
        # "*:PORT": every unit of this application, at the address it publishes
        "static_configs": [{"targets": [f"*:{port}" for port in ports]}],
    }]
    try:
        endpoint.update_scrape_job_spec(jobs)
        endpoint.set_unit_address(hookenv.config("profiling-address") or None)
        report_problem("profiling-endpoint")
    except ValueError as e:
        report_problem("profiling-endpoint", f"invalid profiling config: {e}")
# --8<-- [end:parca-scrape-provides]


# --8<-- [start:parca-scrape-requires]
@when("profiling-targets.changed")
def configure_profiling_targets():
    """Scrape what the related charms offer (a Parca charm renders these into its config)."""
    jobs = endpoint_from_name("profiling-targets").jobs()
    targets = sum(len(sc["targets"]) for job in jobs for sc in job.get("static_configs", []))
    hookenv.log("profiling-targets: {} scrape jobs, {} targets: {}".format(
        len(jobs), targets, ", ".join(job["job_name"] for job in jobs)))
    clear_flag("profiling-targets.changed")
# --8<-- [end:parca-scrape-requires]
