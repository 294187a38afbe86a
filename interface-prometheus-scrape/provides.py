"""Provides side of ``prometheus_scrape``: a scrape target that Prometheus scrapes."""

from charms.reactive import Endpoint


class PrometheusScrapeProvides(Endpoint):
    """Offers this charm's metrics endpoints and alert rules to Prometheus (in progress)."""
