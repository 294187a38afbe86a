"""Example charm handlers for cos_agent: how a charm author uses that layer.

The principal side publishes this charm's metrics endpoint, the alert rules
in ``src/prometheus_alert_rules/``, the dashboard in ``src/grafana_dashboards/``,
a snap log slot and a tracing protocol to the machine's collector. The
collector side (``cos-agent-collector``, here so that the built charm runs
it too) shows what a subordinate collector charm does with the layer.
"""

# --8<-- [start:cos-agent-imports]
from charmhelpers.core import hookenv
from charms.reactive import clear_flag, endpoint_from_name, when

from reactive.demo_status import report_problem

# --8<-- [end:cos-agent-imports]


# --8<-- [start:cos-agent-provides]
@when("cos-agent.joined")
def publish_to_cos_agent():
    """Tell the machine's collector what to collect (every unit calls and writes its own)."""
    try:
        endpoint_from_name("cos-agent").publish(
            metrics_endpoints=[{"path": "/metrics", "port": 8080}],
            log_slots=["observability-demo:logs"],
            tracing_protocols=["otlp_http"],
        )
        report_problem("cos-agent")
    except ValueError as e:
        report_problem("cos-agent", f"cos-agent: {e}")


@when("cos-agent.tracing.changed")
def send_traces_to_the_collector():
    """Point the workload's tracer at the collector's OTLP/HTTP receiver (or nowhere)."""
    url = endpoint_from_name("cos-agent").get_tracing_endpoint("otlp_http")
    hookenv.log(f"cos-agent: sending traces to {url or 'nowhere (no receiver yet)'}")
    clear_flag("cos-agent.tracing.changed")
# --8<-- [end:cos-agent-provides]


# --8<-- [start:cos-agent-requires]
@when("cos-agent-collector.changed")
def collect_from_principals():
    """Configure the collector from what the principals ask for; answer their tracing
    requests (this machine's FQDN, plain http)."""
    collector = endpoint_from_name("cos-agent-collector")
    collector.update_tracing_receivers()
    hookenv.log("cos-agent-collector: {} scrape jobs, {} alert rule sets, {} dashboards, "
                "{} log slots, tracing: {}".format(
                    len(collector.metrics_jobs), len(collector.metrics_alerts),
                    len(collector.dashboards), len(collector.snap_log_endpoints),
                    ", ".join(collector.requested_tracing_protocols()) or "none"))
    clear_flag("cos-agent-collector.changed")
# --8<-- [end:cos-agent-requires]
