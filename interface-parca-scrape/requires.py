"""Requires side of ``parca_scrape``: the scrape jobs of every related profiling target."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import Endpoint, clear_flag, set_flag, toggle_flag

from .common import InvalidDataError, relation_jobs, relation_sort_key

#: Non-relation hooks after which the layer re-reads every relation.
REFRESH_HOOKS = ("upgrade-charm",)


class ParcaScrapeRequires(Endpoint):
    """Collects scrape jobs from the charms that offer pprof endpoints (as Parca does).

    ``jobs()`` returns the scrape jobs of every related application, as the
    upstream Parca charm builds them: each job cut down to the keys a job
    keeps (the default ``*:80`` static config when it has none), its name
    prefixed with the Juju topology, one static config per unit with
    ``juju_unit`` and its ``address:port`` targets, and the ``instance``
    relabel rule as its only one. Remote data never makes a hook fail: a
    relation whose data cannot be used is left out, ``invalid`` is set,
    ``invalid_reasons`` says why per relation and one WARNING line names the
    relation and the key; the other relations' jobs still come through.

    Each relation's jobs are kept in the unit's key-value store, so a hook of
    one relation re-reads that relation only.

    Public flags:

    * ``{endpoint_name}.available``: there is at least one scrape job.
      Set and cleared by this layer.
    * ``{endpoint_name}.changed``: the jobs differ from what they were in the
      previous hook that read them (set also when they first appear, and when
      they all go away while a relation remains). Set by this layer;
      **cleared by the charm** once handled.
    * ``{endpoint_name}.invalid``: at least one related application sent
      data that cannot be used; ``invalid_reasons`` says why. Set and
      cleared by this layer.

    All three clear when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def jobs(self):
        """The scrape jobs of every related application: a list of dicts, in relation order,
        then in each application's job order, each job's unit configs in unit order.

        A job keeps ``job_name`` (``{model}_{uuid[:8]}_{application}``, plus
        ``_{job_name}`` when the target named it), ``static_configs``,
        ``scrape_interval``, ``scrape_timeout``, ``scheme``,
        ``profiling_config`` and ``tls_config``, and gets ``relabel_configs``:
        the ``instance`` rule only (``juju_unit`` among its source labels when
        the job has a unit's static config). A target whose part before its
        first ``:`` is ``*`` (whitespace around it and the port ignored) is
        scraped on every unit with an address, one unit per published name;
        other targets are kept as sent. An application without
        ``scrape_metadata`` has its jobs passed on as received.
        """
        return self._kv.get(self._key("jobs")) or []

    @property
    def invalid_reasons(self):
        """``{relation_id: why its data is unusable}`` for every relation that was left out."""
        return {rid: entry["reason"] for rid, entry in sorted(
            self._cached().items(), key=lambda kv: relation_sort_key(kv[0])) if entry["reason"]}

    @property
    def invalid_reason(self):
        """Every relation's reason in one sentence (each names its relation), or None."""
        reasons = self.invalid_reasons
        return "; ".join(reasons.values()) if reasons else None

    # -- framework hooks ------------------------------------------------------

    def manage_flags(self):
        """Called by charms.reactive in this endpoint's relation hooks, and in every hook while
        the endpoint has no joined unit: re-read the data.

        In a relation hook only that relation is read again (and any relation
        never read before); elsewhere every relation is.
        """
        hook = hookenv.hook_name()
        if hook.startswith(self.endpoint_name + "-relation-"):
            self._refresh(only=hookenv.relation_id())
        else:
            self._refresh()

    # -- internals ------------------------------------------------------------

    @property
    def _kv(self):
        return unitdata.kv()

    def _key(self, name):
        return f"interface.parca_scrape.{self.endpoint_name}.{name}"

    def _cached(self):
        """``{relation_id: {"jobs": [...], "reason": str or None}}`` as last read."""
        return self._kv.getrange(self._key("relation."), strip=True)

    def _read(self, relation):
        """``{"jobs", "reason"}`` for one relation with joined units."""
        bags = {unit.unit_name: unit.received_raw for unit in relation.joined_units}
        try:
            return {"jobs": relation_jobs(relation.received_app_raw, bags), "reason": None}
        except InvalidDataError as e:
            reason = f"relation {relation.relation_id} ({relation.application_name}): {e}"
            return {"jobs": [], "reason": reason}

    def _refresh(self, only=None):
        """Re-read relation ``only`` (or every relation), then set the flags and jobs to match."""
        related = {r.relation_id: r for r in self.relations if r.joined_units}
        cached = self._cached()
        for rid in set(cached) - set(related):
            self._kv.unset(self._key("relation." + rid))
            del cached[rid]
        for rid, relation in related.items():
            if only is not None and rid != only and rid in cached:
                continue
            entry = self._read(relation)
            previous = cached.get(rid) or {}
            if entry["reason"] and entry["reason"] != previous.get("reason"):
                hookenv.log("{}: unusable data: {}".format(self.endpoint_name, entry["reason"]),
                            level=hookenv.WARNING)
            self._kv.set(self._key("relation." + rid), entry)
            cached[rid] = entry
        jobs = []
        for rid in sorted(cached, key=relation_sort_key):
            jobs.extend(cached[rid]["jobs"])
        previous_jobs = self._kv.get(self._key("jobs"))
        self._kv.set(self._key("jobs"), jobs)
        toggle_flag(self.expand_name("{endpoint_name}.available"), bool(jobs))
        toggle_flag(self.expand_name("{endpoint_name}.invalid"),
                    any(entry["reason"] for entry in cached.values()))
        if not related:
            clear_flag(self.expand_name("{endpoint_name}.changed"))
            self._kv.unsetrange(prefix=self._key(""))
        elif jobs != (previous_jobs or []):
            set_flag(self.expand_name("{endpoint_name}.changed"))


def _refresh_after_lifecycle_hook():
    """A new version of the charm re-reads its relations instead of trusting stored data.

    Registered with ``hookenv.atstart`` when charms.reactive imports this
    module: it runs at the start of every hook, after the framework has
    created the endpoints, and costs nothing outside ``REFRESH_HOOKS``.
    """
    if hookenv.hook_name() not in REFRESH_HOOKS:
        return
    for name in hookenv.role_and_interface_to_relations("requires", "parca_scrape"):
        endpoint = Endpoint.from_name(name)
        if isinstance(endpoint, ParcaScrapeRequires):
            endpoint._refresh()


hookenv.atstart(_refresh_after_lifecycle_hook)
