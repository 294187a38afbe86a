"""Example charm handlers for prometheus_scrape: how a charm author uses that layer.

The target side (``metrics-endpoint``) offers two scrape jobs and the alert rules in
``src/prometheus_alert_rules/`` to Prometheus, and keeps a handler written for
openstack-charmers' ``interface:prometheus-scrape`` (as ovn-central has it), unchanged.
The Prometheus side (``metrics-targets``, here so that the built charm runs it too) logs
the jobs and alert rules it receives. The README of the layer shows these handlers; the
test suite builds this charm with charm-build and runs them against the simulated Juju.
"""

from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_flag, endpoint_from_name, when, when_not

from reactive.demo_status import report_problem

# --8<-- [start:prometheus-scrape-provides]
#: The two metrics endpoints of every unit of this charm.
SCRAPE_JOBS = [
    {"job_name": "demo", "static_configs": [{"targets": ["*:9100"]}]},
    {"job_name": "demo-api", "metrics_path": "/api/metrics", "scheme": "https",
     "static_configs": [{"targets": ["*:8443"], "labels": {"tier": "api"}}]},
]


@when("metrics-endpoint.joined")
def offer_metrics_endpoint():
    """Offer the two jobs and the alert rules to Prometheus (every unit calls: the leader
    writes jobs and rules, each unit where to scrape it). The rules are the files below
    ``src/prometheus_alert_rules`` (the default ``alert_rules_path``), read again when
    one changes; an unchanged call writes nothing."""
    endpoint_from_name("metrics-endpoint").publish(SCRAPE_JOBS)


@when("metrics-endpoint.rejected")
def report_rejected_metrics():
    """Prometheus refused some alert rules or jobs: show what it said."""
    reports = endpoint_from_name("metrics-endpoint").validation.values()
    report_problem("metrics-endpoint", "Prometheus rejected: " + "; ".join(
        report["errors"] or report["scrape_job_errors"] for report in reports))


@when_not("metrics-endpoint.rejected")
def metrics_accepted():
    report_problem("metrics-endpoint")
# --8<-- [end:prometheus-scrape-provides]


# --8<-- [start:prometheus-scrape-old-api]
@when("metrics-endpoint.available")
def expose_legacy_exporter():
    """A handler written for openstack-charmers' layer (as in ovn-central): unchanged."""
    metrics_endpoint = endpoint_from_flag("metrics-endpoint.available")
    metrics_endpoint.expose_job("legacy-exporter", static_configs=[{"targets": ["*:9476"]}])
# --8<-- [end:prometheus-scrape-old-api]


# --8<-- [start:prometheus-scrape-requires]
@when("metrics-targets.changed")
def configure_scrape_targets():
    """Scrape what the related charms offer (a Prometheus charm renders these into its
    config and writes the alert rules to files named by their keys)."""
    endpoint = endpoint_from_name("metrics-targets")
    jobs = endpoint.jobs()
    hookenv.log("metrics-targets: {} scrape jobs: {}; alert rules: {}".format(
        len(jobs), ", ".join(job["job_name"] for job in jobs),
        ", ".join(sorted(endpoint.alerts)) or "none"))
    clear_flag("metrics-targets.changed")
# --8<-- [end:prometheus-scrape-requires]
