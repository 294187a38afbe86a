# Vendored from layerlib/_topology.py by `make vendor`: do not edit; edit the source.
"""The Juju topology of a unit as the COS libraries (cosl ``JujuTopology``) write it: the
identifier that names rule groups and the ``juju_*`` labels.

Shared by the layers that name or label what they publish or receive with the
topology: cos_agent, prometheus_scrape and grafana_dashboard.
"""


def identifier(model, model_uuid, application):
    """The topology identifier: ``{model}_{model_uuid[:8]}_{application}``."""
    return f"{model}_{model_uuid[:8]}_{application}"


def topology_labels(model, model_uuid, application, unit=None, charm_name=None):
    """The ``juju_*`` labels, in cosl's order: ``juju_model``, ``juju_model_uuid``,
    ``juju_application``, then ``juju_unit`` and ``juju_charm`` (the charm's metadata name)
    when given (empty values are left out, as cosl does)."""
    labels = {"juju_model": model, "juju_model_uuid": model_uuid,
              "juju_application": application, "juju_unit": unit, "juju_charm": charm_name}
    return {key: value for key, value in labels.items() if value}


class Topology:
    """A unit's Juju topology: ``model``, ``model_uuid``, ``application``, and optionally
    ``charm_name`` (metadata ``name``) and ``unit``."""

    def __init__(self, model, model_uuid, application, charm_name=None, unit=None):
        """The topology from its parts (strings; ``charm_name`` and ``unit`` may be None)."""
        self.model = model
        self.model_uuid = model_uuid
        self.application = application
        self.charm_name = charm_name
        self.unit = unit

    @property
    def identifier(self):
        """``{model}_{first 8 characters of the model UUID}_{application}``."""
        return identifier(self.model, self.model_uuid, self.application)

    @property
    def labels(self):
        """The labels an alert rule gets (cosl's ``label_matcher_dict``): ``juju_model``,
        ``juju_model_uuid``, ``juju_application`` and ``juju_charm``; no unit."""
        return topology_labels(self.model, self.model_uuid, self.application,
                               charm_name=self.charm_name)

    @property
    def unit_labels(self):
        """The labels with the unit and without the charm: ``juju_model``,
        ``juju_model_uuid``, ``juju_application``, ``juju_unit`` (what a collector puts on
        the scrape targets of a unit)."""
        return topology_labels(self.model, self.model_uuid, self.application, unit=self.unit)
