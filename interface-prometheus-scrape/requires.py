"""Requires side of ``prometheus_scrape``: the scrape jobs and alert rules of every related
scrape target, as Prometheus reads them."""

from charmhelpers.core import hookenv
from charms.reactive import Endpoint

from ._jsondata import Budget
from ._lifecycle import after_hooks
from ._many_requires import ManyRequires, relation_sort_key
from .common import (
    EVENT,
    InvalidDataError,
    event_to_write,
    relation_alerts,
    relation_jobs,
    unique_names,
    with_fallback,
)


class PrometheusScrapeRequires(ManyRequires, Endpoint):
    """Collects the scrape jobs and alert rules of the charms that offer metrics (as
    Prometheus does, interface ``prometheus_scrape``).

    ``jobs()`` returns the scrape jobs of every related application as the
    upstream Prometheus charm builds them: each job cut down to the keys a job
    keeps, named ``juju_{model}_{uuid[:8]}_{application}_prometheus_scrape_{job_name}``,
    split into one job per unit (``*`` targets and fixed targets naming a
    unit's address or fqdn; ``-{unit number}`` appended to the name, the
    unit's path in front of ``metrics_path``) with the topology labels and
    ``juju_unit``, the targets no unit claims in one job more, the
    ``instance`` relabel rule appended, and names that repeat made unique by
    a hash. ``alerts`` holds every relation's alert rules by upstream's key.

    Remote data never makes a hook fail: a relation whose data cannot be
    used (where upstream would raise) is left out, jobs and alerts alike,
    ``invalid`` is set, ``invalid_reasons`` says why per relation and one
    WARNING line names the relation and the key; the other relations still
    come through. Each relation's result is kept in the unit's key-value
    store, so a hook of one relation re-reads that relation only.

    The leader writes ``event`` (a JSON object) back to each relation it
    takes jobs or alert rules from, as upstream does without cos-tool: what
    was there without ``scrape_job_errors`` and ``errors`` (``{}``), only when
    that differs from what is there.

    Public flags:

    * ``{endpoint_name}.joined``: a remote application is related (a unit
      has joined), whatever its data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: there is at least one scrape job or
      alert rule set. Set and cleared by this layer.
    * ``{endpoint_name}.changed``: what ``jobs()`` and ``alerts`` are built from
      differs from what it was when the charm last cleared this flag: set when
      it first appears, changes, becomes unusable, and when it goes away
      because the last unit departed or the relation was broken. Set by this
      layer; **cleared by the charm** once handled: the one flag that may
      outlive the relation.
    * ``{endpoint_name}.invalid``: at least one related application sent
      data that cannot be used; ``invalid_reasons`` says why. Set and
      cleared by this layer.

    Every flag but ``changed`` clears when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def jobs(self):
        """The scrape jobs of every related application: a list of dicts, in relation order,
        then in each application's job order (for each job: the job of the targets no unit
        claims, then one job per unit, units in unit order). Names that occur more than
        once, within a relation and then over all relations, get
        ``_{sha256 of the job's JSON}`` appended; equal jobs are kept once. With
        ``set_fallback_scrape_protocol`` every job has ``fallback_scrape_protocol``.
        An application without ``scrape_metadata`` has its jobs passed on as received."""
        protocol = self.fallback_scrape_protocol
        out = []
        for jobs in self._combined().get("jobs", []):
            out.extend(unique_names(with_fallback(jobs, protocol)))
        return unique_names(out)

    @property
    def alerts(self):
        """``{key: rules}``: each relation's alert rules (as received, but for the topology
        placeholder removed where a rule has the topology labels), keyed as upstream keys
        them: ``{identifier}_{endpoint name}_{relation number}``."""
        return {"{}_{}_{}".format(entry["identifier"], self.endpoint_name,
                                  entry["relation_id"].rpartition(":")[2]): entry["rules"]
                for entry in self.alerts_by_relation}

    @property
    def alerts_by_relation(self):
        """``[{"relation_id", "identifier", "rules"}]``: the alert rules of each relation that
        has them, in relation order. ``identifier`` is the topology of the first group whose
        first rule has the topology labels (``{model}_{uuid[:8]}_{application}``), else the
        application's ``scrape_metadata``, else the first group's name."""
        return list(self._combined().get("alerts", []))

    @property
    def fallback_scrape_protocol(self):
        """The protocol given to ``set_fallback_scrape_protocol``, or None."""
        return self._kv.get(self._setting_key)

    def set_fallback_scrape_protocol(self, protocol=None):
        """Have ``jobs()`` set ``fallback_scrape_protocol`` on every job (Prometheus 3, e.g.
        ``"PrometheusText0.0.4"``); ``None`` stops it. Kept until called again."""
        if protocol is not None and (not isinstance(protocol, str) or not protocol):
            raise ValueError(f"fallback_scrape_protocol: expected a protocol name, got {protocol!r}")
        self._kv.set(self._setting_key, protocol)

    # -- the interface-specific part ----------------------------------------

    @property
    def _setting_key(self):
        """The charm's setting, kept beside the relations' state (which goes with the last
        relation): ``interface.prometheus_scrape-settings.<endpoint>.fallback_scrape_protocol``."""
        return f"interface.{self._interface}-settings.{self.endpoint_name}.fallback_scrape_protocol"

    _interface = "prometheus_scrape"
    _invalid_error = InvalidDataError
    _combined_name = "combined"
    _empty = {}

    def _decode(self, relation):
        app_bag = relation.received_app_raw
        bags = {unit.unit_name: unit.received_raw for unit in relation.joined_units}
        budget = Budget()  # what this relation's data may decode to, all keys together
        try:
            jobs = relation_jobs(app_bag, bags, budget)
            alerts = relation_alerts(app_bag, budget)
        except RecursionError:
            raise InvalidDataError("relation data is nested too deeply") from None
        if (jobs or alerts) and hookenv.is_leader():
            bag = relation.to_publish_app_raw
            wanted = event_to_write(bag.get(EVENT))
            if bag.get(EVENT) != wanted:
                bag[EVENT] = wanted
        return {"relation_id": relation.relation_id, "jobs": jobs,
                "alerts": None if alerts is None else {
                    "relation_id": relation.relation_id, "identifier": alerts[0],
                    "rules": alerts[1]}}

    def _combine(self, values):
        jobs = [value["jobs"] for value in values if value["jobs"]]
        alerts = [value["alerts"] for value in values if value["alerts"]]
        if not jobs and not alerts:
            return {}
        return {"jobs": jobs, "alerts": sorted(
            alerts, key=lambda a: relation_sort_key(a["relation_id"]))}

    def _refresh_after(self, hook):
        self._refresh()


PrometheusScrapeRequires._register()
#: A new leader writes ``event`` back to every relation it takes data from.
after_hooks(("leader-elected",), "requires", "prometheus_scrape", PrometheusScrapeRequires,
            "_refresh_after")
