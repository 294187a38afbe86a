"""Requires side of ``parca_scrape``: the scrape jobs of every related profiling target."""

from charms.reactive import Endpoint

from ._many_requires import ManyRequires
from .common import InvalidDataError, relation_jobs


class ParcaScrapeRequires(ManyRequires, Endpoint):
    """Collects scrape jobs from the charms that offer pprof endpoints (as Parca does).

    ``jobs()`` returns the scrape jobs of every related application, as the
    upstream Parca charm builds them: job names prefixed with the Juju
    topology, one static config per unit with ``juju_unit`` and its
    ``address:port`` targets, the ``instance`` relabel rule. Remote data
    never makes a hook fail: a relation whose data cannot be used is left
    out, ``invalid`` is set, ``invalid_reasons`` says why per relation and
    one WARNING line names the relation and the key; the other relations'
    jobs still come through.

    Each relation's jobs are kept in the unit's key-value store, so a hook of
    one relation re-reads that relation only.

    Public flags:

    * ``{endpoint_name}.joined``: a remote application is related (a unit
      has joined), whatever its data; with ``available`` unset, the charm is
      related and waiting for data. Set and cleared by this layer.
    * ``{endpoint_name}.available``: there is at least one scrape job.
      Set and cleared by this layer.
    * ``{endpoint_name}.changed``: ``jobs()`` differs from what it was when the
      charm last cleared this flag: set when it first appears, changes,
      becomes unusable, and when it goes away because the last unit departed
      or the relation was broken (so a handler on ``changed`` sees ``jobs()`` empty and
      can clean up). Set by this layer; **cleared by the charm** once handled:
      the one flag that may outlive the relation.
    * ``{endpoint_name}.invalid``: at least one related application sent
      data that cannot be used; ``invalid_reasons`` says why. Set and
      cleared by this layer.

    Every flag but ``changed`` clears when the last relation on the endpoint goes away.
    """

    # -- public API -----------------------------------------------------------

    def jobs(self):
        """The scrape jobs of every related application: a list of dicts, in relation order,
        then in each application's job order, each job's unit configs in unit order."""
        return self._combined()

    # -- the interface-specific part ----------------------------------------

    _interface = "parca_scrape"
    _invalid_error = InvalidDataError
    _combined_name = "jobs"
    _empty = []

    def _decode(self, relation):
        bags = {unit.unit_name: unit.received_raw for unit in relation.joined_units}
        return relation_jobs(relation.received_app_raw, bags)

    def _combine(self, values):
        return [job for jobs in values for job in jobs]


ParcaScrapeRequires._register()
