"""Provides side of ``cos_agent``: a workload charm (the principal) that a machine telemetry
collector (opentelemetry-collector, grafana-agent) observes."""

import hashlib

from charmhelpers.core import hookenv
from charms.reactive import Endpoint, clear_flag, set_flag, toggle_flag

from ._lifecycle import after_hooks
from ._state import LayerState
from .common import (
    CONFIG,
    DEFAULT_LOGS_RULES_DIR,
    DEFAULT_METRICS_RULES_DIR,
    RECEIVERS,
    InvalidDataError,
    MetricsEndpoint,
    Topology,
    check_request,
    contents_changed,
    decode_receivers,
    encode_config,
    files_fingerprint,
    provider_config,
    receiver_url,
)

#: Hooks after which every unit reads its rules and dashboard files again (they ship with
#: the charm; Juju's refresh event of upstream is config-changed) and writes what changed.
REREAD_HOOKS = ("upgrade-charm", "config-changed")


class CosAgentProvides(LayerState, Endpoint):
    """Sends this charm's telemetry set-up to the machine's collector (interface ``cos_agent``).

    Call ``publish(...)`` (upstream ``COSAgentProvider``'s keyword arguments)
    from any handler, on every unit: every unit, leader or not, writes
    ``config`` (scrape jobs, alert rules, dashboards, log slots, tracing
    protocols) into its own databag on every relation of the endpoint, and
    the layer remembers the request, so relations that join later get it.
    The rules and dashboard files are read when ``publish`` is called with new
    arguments, and again in upgrade-charm and config-changed; nothing is
    written when the result did not change. ``unpublish()`` takes it back.

    The collector answers with tracing receivers: ``get_tracing_endpoint(protocol)``
    returns the URL to send traces to.

    Charms written for the older ``interface:cos-agent`` layer keep working:
    ``update_cos_agent([CosAgentProvides.MetricsEndpoint(port, ...)])``
    publishes those endpoints and dashboard directories, and its flags
    ``connected`` and ``available`` are kept.

    Public flags:

    * ``{endpoint_name}.joined``: at least one collector unit is related.
      Set and cleared by this layer.
    * ``{endpoint_name}.connected``: the same as ``joined`` (the older layer's
      name). Set and cleared by this layer.
    * ``{endpoint_name}.available``: a collector is related and its relation
      has gone past relation-joined (the older layer's meaning: set from the
      first relation-changed hook on). Set by this layer; cleared by this
      layer when a collector unit departs, until the next relation hook.
    * ``{endpoint_name}.tracing.available``: every tracing protocol asked for
      has a URL from the collector. Set and cleared by this layer.
    * ``{endpoint_name}.tracing.changed``: the URLs of the protocols asked for
      differ from what they were (set also when they first appear and when
      they go away). Set by this layer; **cleared by the charm** once handled.
    """

    MetricsEndpoint = MetricsEndpoint
    _interface = "cos_agent"

    # -- public API -----------------------------------------------------------

    def publish(self, metrics_endpoints=None, scrape_configs=None,
                metrics_rules_dir=DEFAULT_METRICS_RULES_DIR, logs_rules_dir=DEFAULT_LOGS_RULES_DIR,
                recurse_rules_dirs=False, dashboard_dirs=None, log_slots=None,
                tracing_protocols=None, extra_alert_groups=None):
        """Publish this unit's telemetry set-up to every related collector.

        The arguments are upstream ``COSAgentProvider``'s:

        * ``metrics_endpoints``: ``[{"path": "/metrics", "port": 9100}, ...]``,
          each scraped at ``localhost:PORT``;
        * ``scrape_configs``: Prometheus ``scrape_configs`` (a list, or a
          callable returning one, called now), kept whole;
        * ``metrics_rules_dir`` / ``logs_rules_dir``: Prometheus and Loki alert
          rules files (``.rule``, ``.rules``, ``.yml``, ``.yaml``), relative to
          the charm directory; subdirectories too with ``recurse_rules_dirs``;
        * ``dashboard_dirs``: directories of Grafana dashboards (JSON files;
          default ``./src/grafana_dashboards``);
        * ``log_slots``: snap slots to read logs from, ``["snap-name:slot"]``;
        * ``tracing_protocols``: the protocols to get trace receivers for
          (``otlp_grpc``, ``otlp_http``, ``zipkin``, ``jaeger_thrift_http``);
        * ``extra_alert_groups``: ``{"groups": [...]}`` (or a callable returning
          it), put first in the metrics rules, verbatim.

        Directories that do not exist have nothing in them; a rules file that
        does not parse is skipped with a log line. Raises ``ValueError`` naming
        what is wrong (a metrics endpoint without ``port``, a protocol the
        collector does not serve, a dashboard that is not JSON, ...); nothing
        is written then. The same arguments again cost nothing.
        """
        request = check_request(
            metrics_endpoints=metrics_endpoints, scrape_configs=scrape_configs,
            metrics_rules_dir=metrics_rules_dir, logs_rules_dir=logs_rules_dir,
            recurse_rules_dirs=recurse_rules_dirs, dashboard_dirs=dashboard_dirs,
            log_slots=log_slots, tracing_protocols=tracing_protocols,
            extra_alert_groups=extra_alert_groups)
        if request == self.published:
            return
        config = self._build(request)
        self._kv.set(self._key("published"), request)
        self._set_config(config)
        self._update_tracing()
        self._kv.set(self._key("files"), files_fingerprint(request, hookenv.charm_dir()))

    def unpublish(self):
        """Take back what was published: this unit removes ``config`` from its databag on
        every relation and forgets the request. With nothing published, nothing is written."""
        if self.published is None:
            return
        self._kv.unset(self._key("published"))
        self._kv.unset(self._key("files"))
        self._set_config(None)
        self._update_tracing()

    def update_cos_agent(self, metrics_endpoints=None):
        """The older ``interface:cos-agent`` layer's call: publish ``metrics_endpoints``
        (``CosAgentProvides.MetricsEndpoint`` objects) and their ``dashboards_dir``.

        It is ``publish(scrape_configs=..., dashboard_dirs=...)``: each endpoint
        becomes a scrape config ``{job_name, metrics_path, static_configs:
        [{targets: ["HOST:PORT"]}]}``, and the wire carries what upstream's
        provider writes for them (job names with the application and a hash,
        the generic HostHealth alert group, rules from the default rules
        directories if the charm has them).
        """
        endpoints = list(metrics_endpoints or [])
        for endpoint in endpoints:
            if not isinstance(endpoint, MetricsEndpoint):
                raise ValueError(f"metrics_endpoints: {endpoint!r} is not a MetricsEndpoint")
        dirs = []
        for endpoint in endpoints:
            if endpoint.dashboards_dir is not None and endpoint.dashboards_dir not in dirs:
                dirs.append(endpoint.dashboards_dir)
        self.publish(scrape_configs=[e.to_scrape_config() for e in endpoints],
                     dashboard_dirs=dirs or None)

    @property
    def published(self):
        """The request as remembered since ``publish`` (plain data, arguments by name), or
        None."""
        return self._kv.get(self._key("published"))

    def get_tracing_endpoint(self, protocol):
        """The collector's URL for tracing ``protocol`` (``otlp_http``, ...), or None while it
        has none (not asked for by any principal, not ready, or no collector).

        Read from what the collector wrote, as kept by the layer: no call to Juju.
        """
        for rid in self._receiver_rids():
            url = receiver_url(self._kv.get(self._key("receivers." + rid)), protocol)
            if url:
                return url
        return None

    @property
    def receivers(self):
        """The collector's tracing receivers (``[{"protocol": {"name", "type"}, "url"}]``,
        including protocols other principals asked for), or None while there are none
        (no collector, or what it wrote is not usable)."""
        for rid in self._receiver_rids():
            value = self._kv.get(self._key("receivers." + rid))
            if value is not None:
                return value
        return None

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Keep the flags current; in this endpoint's relation hooks, write the config to that
        relation and read the collector's receivers there."""
        toggle_flag(self.expand_name("{endpoint_name}.joined"), self.is_joined)
        toggle_flag(self.expand_name("{endpoint_name}.connected"), self.is_joined)
        hook = hookenv.hook_name()
        relation_hook = hook.startswith(self.endpoint_name + "-relation-")
        if relation_hook and hook.endswith(("-departed", "-broken")):
            clear_flag(self.expand_name("{endpoint_name}.available"))
        elif self.is_joined and not hook.endswith("-relation-joined"):
            set_flag(self.expand_name("{endpoint_name}.available"))
        if relation_hook:
            rid = hookenv.relation_id()
            if hook.endswith("-broken"):
                self._forget(rid)
            else:
                relations = [r for r in self.relations if r.relation_id == rid]
                self._sync(relations)
                self._read_receivers(rid, relations)
        if not self.is_joined:
            clear_flag(self.expand_name("{endpoint_name}.available"))
        self._update_tracing()

    # -- internals ------------------------------------------------------------

    def _build(self, request):
        """The encoded ``config`` for ``request``, from this unit's topology and the files."""
        topology = Topology(hookenv.model_name(), hookenv.model_uuid(),
                            hookenv.application_name(), hookenv.charm_name())

        def log(message):
            hookenv.log(f"{self.endpoint_name}: {message}", level=hookenv.WARNING)

        return encode_config(provider_config(request, topology, hookenv.charm_dir(), log))

    def _set_config(self, config):
        """Remember the encoded ``config`` (None: none) and write it where it differs."""
        if config is None:
            self._kv.unset(self._key("config"))
        else:
            self._kv.set(self._key("config"), config)
        self._sync(self.relations)

    def _reread(self, hook):
        """After ``REREAD_HOOKS``: read the files again; write what changed. A file that became
        unusable keeps the previous data (logged at ERROR: the charm's own files).

        In config-changed, the files are read only when one of them changed (its size or
        modification time, then its content); upgrade-charm always reads them.
        """
        request = self.published
        if request is None:
            return
        previous = self._kv.get(self._key("files"))
        fingerprint = files_fingerprint(request, hookenv.charm_dir(), previous)
        self._kv.set(self._key("files"), fingerprint)
        if hook != "upgrade-charm" and not contents_changed(previous, fingerprint):
            return
        try:
            config = self._build(request)
        except ValueError as e:
            hookenv.log(f"{self.endpoint_name}: keeping the published config: {e}",
                        level=hookenv.ERROR)
            return
        if config != self._kv.get(self._key("config")):
            self._set_config(config)

    def _sync(self, relations):
        """Write the remembered config to ``relations`` (this unit's databag) where what was
        written there last differs; a relation is read (``relation-get``) only then."""
        config = self._kv.get(self._key("config"))
        digest = hashlib.sha256(config.encode("utf-8")).hexdigest() if config else None
        for relation in relations:
            key = self._key("written." + relation.relation_id)
            if self._kv.get(key) == digest:
                continue
            bag = relation.to_publish_raw
            if (bag.get(CONFIG) or None) != config:
                bag[CONFIG] = config or ""
            if digest is None:
                self._kv.unset(key)
            else:
                self._kv.set(key, digest)

    def _read_receivers(self, rid, relations):
        """Keep what the collector unit of relation ``rid`` wrote as ``receivers`` (None when
        there is none, or it is unusable: logged once at WARNING)."""
        key = self._key("receivers." + rid)
        units = relations[0].joined_units if relations else []
        if not units:
            self._kv.unset(key)
            self._kv.unset(self._key("receivers-invalid." + rid))
            return
        unit = units[0]
        try:
            value, reason = decode_receivers(unit.received_raw.get(RECEIVERS)), None
        except InvalidDataError as e:
            value, reason = None, f"relation {rid} ({unit.unit_name}): {e}"
        reason_key = self._key("receivers-invalid." + rid)
        if reason and reason != self._kv.get(reason_key):
            hookenv.log(f"{self.endpoint_name}: unusable tracing receivers: {reason}",
                        level=hookenv.WARNING)
        if reason:
            self._kv.set(reason_key, reason)
        else:
            self._kv.unset(reason_key)
        self._kv.set(key, value)

    def _receiver_rids(self):
        """The relations whose receivers are kept, in relation-id order."""
        kept = self._kv.getrange(self._key("receivers."), strip=True)
        return sorted(kept, key=_relation_number)

    def _forget(self, rid):
        for name in ("written.", "receivers.", "receivers-invalid."):
            self._kv.unset(self._key(name + rid))

    def _update_tracing(self):
        """Set the tracing flags from the protocols asked for and the receivers kept."""
        request = self.published or {}
        urls = {name: self.get_tracing_endpoint(name)
                for name in request.get("tracing_protocols") or ()}
        toggle_flag(self.expand_name("{endpoint_name}.tracing.available"),
                    bool(urls) and all(urls.values()))
        known = {name: url for name, url in urls.items() if url}
        key = self._key("tracing")
        if known != (self._kv.get(key) or {}):
            set_flag(self.expand_name("{endpoint_name}.tracing.changed"))
            if known:
                self._kv.set(key, known)
            else:
                self._kv.unset(key)


def _relation_number(rid):
    _, _, number = rid.rpartition(":")
    return (int(number), rid) if number.isascii() and number.isdigit() else (-1, rid)


after_hooks(REREAD_HOOKS, "provides", "cos_agent", CosAgentProvides, "_reread")
