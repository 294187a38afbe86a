"""Requires side of ``cos_agent``: the machine telemetry collector (a subordinate) and what
the workload charms it is related to ask it to collect."""

import socket

from charmhelpers.core import hookenv
from charms.reactive import Endpoint

from ._many_requires import ManyRequires
from .common import (
    CONFIG,
    RECEIVERS,
    Budget,
    InvalidDataError,
    combine,
    decode_config,
    encode_receivers,
    principal_data,
    receivers,
)


class CosAgentRequires(ManyRequires, Endpoint):
    """Collects what the related principals publish (interface ``cos_agent``), as
    opentelemetry-collector and grafana-agent do.

    Each relation (``scope: container``) has one principal unit, whose
    ``config`` the layer reads and checks. The properties have upstream
    ``COSAgentRequirer``'s names: ``metrics_jobs`` (with Juju topology
    labels), ``metrics_alerts`` and ``logs_alerts`` (per principal
    application), ``dashboards`` (decoded), ``snap_log_endpoints`` and
    ``requested_tracing_protocols()``. They read nothing from Juju: the layer
    reads a relation in its hooks and keeps the result, so a hook of one
    relation re-reads that relation only.

    Remote data never makes a hook fail. A ``config`` that is rejected as a
    whole (not JSON, a required field missing or mistyped, or two principal
    units on one relation) leaves that relation out, sets ``invalid``,
    ``invalid_reasons`` says why per relation, and one WARNING line names the
    relation and the key; the other relations still come through. A bad item
    inside a usable ``config`` (a log slot that is not ``snap:slot``, a
    dashboard that does not decode, a static config that is not an object, a
    tracing protocol this collector does not serve) is skipped, with one
    WARNING line.

    Once some principal has sent a usable ``config``, the layer writes
    ``receivers`` into this unit's databag on every relation: a URL for each
    tracing protocol any principal asked for, from the settings of the last
    ``update_tracing_receivers()`` call (by default: this machine's FQDN, plain
    http, ready), and again whenever the protocols asked for change.

    Public flags:

    * ``{endpoint_name}.joined``: at least one principal unit is related,
      whatever its data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: at least one principal sent a usable
      ``config``. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: what the properties return differs from
      what it was in the previous hook that read the relations (set also when
      data first appears, and when it goes away). Set by this layer;
      **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: at least one principal sent a ``config``
      that cannot be used; ``invalid_reasons`` says why. Set and cleared by
      this layer.
    """

    _interface = "cos_agent"
    _invalid_error = InvalidDataError

    # -- public API -----------------------------------------------------------

    @property
    def metrics_jobs(self):
        """Every principal's scrape jobs, in relation order then each principal's order: each
        static config labelled ``juju_model``, ``juju_model_uuid``, ``juju_application`` and
        ``juju_unit`` (the principal unit); a job in the pre-0.5 shape (``job_name``,
        ``path``, ``port``) as a ``localhost`` job."""
        return self._field("metrics_jobs", [])

    @property
    def metrics_alerts(self):
        """``{identifier: rules}``: each principal application's Prometheus alert rules
        (``{"groups": [...]}``), keyed ``{model}_{model_uuid[:8]}_{application}``."""
        return self._field("metrics_alerts", {})

    @property
    def logs_alerts(self):
        """``{identifier: rules}``: each principal application's Loki alert rules."""
        return self._field("logs_alerts", {})

    @property
    def dashboards(self):
        """The principals' Grafana dashboards, decoded: ``[{"relation_id", "charm", "title",
        "content"}]``; ``charm`` is ``{endpoint_name}-{application}``, ``title`` the
        dashboard's (or its ``dashboard.title``), else ``no_title_N``."""
        return self._field("dashboards", [])

    @property
    def snap_log_endpoints(self):
        """The snap slots to read logs from: ``[{"owner", "name", "application", "unit"}]``
        (``owner:name`` as the principal wrote it, with that principal's application and
        unit), in relation order; duplicates kept."""
        return self._field("log_slots", [])

    @property
    def principals(self):
        """The principal units whose ``config`` is in use: ``[{"relation_id", "application",
        "unit"}]``, in relation order."""
        return self._field("principals", [])

    def requested_tracing_protocols(self):
        """The tracing protocols any principal asked for that this collector serves, sorted."""
        return self._field("tracing_protocols", [])

    def update_tracing_receivers(self, fqdn=None, tls=False, ready=True):
        """Tell the principals where to send traces, on every relation.

        ``fqdn`` is this machine's name as the principals reach it (default
        ``socket.getfqdn()``: a subordinate shares its principal's machine);
        ``tls`` makes http receivers ``https://``; ``ready=False`` (the
        collector cannot forward traces yet) writes each receiver with a null
        URL. The settings are kept and used whenever the protocols asked for
        change. ``receivers`` is written only once some principal has sent a
        usable ``config``, and only where it changed. Raises ``ValueError`` on
        arguments of the wrong type.
        """
        if fqdn is not None and (not isinstance(fqdn, str) or not fqdn.strip()):
            raise ValueError(f"fqdn: expected a host name, got {fqdn!r}")
        for name, value in (("tls", tls), ("ready", ready)):
            if not isinstance(value, bool):
                raise ValueError(f"{name}: expected True or False, got {value!r}")
        self._kv.set(self._settings_key, {"fqdn": fqdn, "tls": tls, "ready": ready})
        self._sync_receivers()

    # -- internals ------------------------------------------------------------

    @property
    def _settings_key(self):
        # Not under _key(""): the mixin forgets that prefix when the last relation goes,
        # and the collector's own settings outlive its relations.
        return f"interface.cos_agent.receiver-settings.{self.endpoint_name}"

    def _field(self, name, empty):
        combined = self._combined()
        return combined[name] if combined else empty

    def _decode(self, relation):
        """What one relation's principal unit contributes (``principal_data`` plus
        ``relation_id``), None when it has sent nothing yet."""
        units = relation.joined_units
        if len(units) > 1:
            names = ", ".join(sorted(u.unit_name for u in units))
            raise InvalidDataError(f"{len(units)} principal units ({names}) on one relation; a "
                                   "container-scoped relation has one")
        unit = units[0]
        budget = Budget()
        config = decode_config(unit.received_raw.get(CONFIG), budget)
        if config is None:
            return None
        application = unit.unit_name.split("/")[0]
        try:
            data = principal_data(config, application, unit.unit_name, hookenv.model_name(),
                                  hookenv.model_uuid(), budget)
        except RecursionError:
            raise InvalidDataError(f"{CONFIG} is nested too deeply") from None
        data["relation_id"] = relation.relation_id
        previous = (self._cached().get(relation.relation_id) or {}).get("value") or {}
        for note in data["notes"]:
            if note not in previous.get("notes", ()):
                hookenv.log(f"{self.endpoint_name}: relation {relation.relation_id} "
                            f"({unit.unit_name}): {CONFIG}: {note}", level=hookenv.WARNING)
        return data

    def _combine(self, values):
        principals = [v for v in values if v is not None]
        if not principals:
            return None
        return combine(principals, self.endpoint_name, hookenv.model_name(),
                       hookenv.model_uuid())

    def _refresh(self, only=None):
        super()._refresh(only)
        self._sync_receivers()

    def _sync_receivers(self):
        """Write ``receivers`` on every relation with a principal where it differs from what
        was written there, once some principal has sent a usable ``config``."""
        combined = self._combined()
        if not combined:
            return
        settings = self._kv.get(self._settings_key) or {}
        wanted = encode_receivers(receivers(
            combined["tracing_protocols"], settings.get("fqdn") or socket.getfqdn(),
            tls=settings.get("tls", False), ready=settings.get("ready", True)))
        related = [r for r in self.relations if r.joined_units]
        for rid in set(self._kv.getrange(self._key("receivers."), strip=True)) - {
                r.relation_id for r in related}:
            self._kv.unset(self._key("receivers." + rid))
        for relation in related:
            key = self._key("receivers." + relation.relation_id)
            if self._kv.get(key) == wanted:
                continue
            bag = relation.to_publish_raw
            if bag.get(RECEIVERS) != wanted:
                bag[RECEIVERS] = wanted
            self._kv.set(key, wanted)


CosAgentRequires._register()
