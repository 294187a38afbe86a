"""Handlers written against the older ``interface:cos-agent`` layer's API, the way the OVN
charms use it (the test copies this file, unchanged, into a charm's ``reactive/``)."""

import os
from pathlib import Path

from charmhelpers.core import hookenv
from charms import reactive


@reactive.when('cos-agent.connected')
@reactive.when_not('cos-agent.available')
def cos_agent_connected():
    hookenv.log('cos-agent connected, waiting for the collector')


@reactive.when('cos-agent.available')
def cos_agent_available():
    cos_agent = reactive.endpoint_from_flag('cos-agent.available')
    dashboards_dir = Path(os.getenv('CHARM_DIR')).joinpath('files', 'dashboards')
    metrics_endpoint = cos_agent.MetricsEndpoint(
        port=9476,
        dashboards_dir=dashboards_dir,
    )
    cos_agent.update_cos_agent([metrics_endpoint])
