# Vendored from layerlib/_scrape.py by `make vendor`: do not edit; edit the source.
"""What the two scrape interfaces do alike: their jobs named and listed the same way, their
units in the same order, and a target's keys written and withdrawn the same way.

Shared by prometheus_scrape and parca_scrape (upstream's ``parca_scrape`` library
was made from ``prometheus_scrape``'s; both write ``scrape_jobs`` and
``scrape_metadata`` in the application databag and the unit's address in its own):

* ``job_label(index, job, max_name)``: how a message names a job;
* ``job_list(key, jobs, label)``: decoded ``scrape_jobs``, checked to be a list of
  job objects (``InvalidDataError`` naming the first that is not);
* ``unit_sort_key(unit_name)``: units by application, then unit number;
* ``hook_relations(endpoint, hook)``: the relation an endpoint's own relation hook is about;
* ``write_changed(bag, wanted, keys)`` and ``clear_keys(relations, unit_keys, app_keys)``:
  a target's keys written (changed ones only) and withdrawn.
"""

from charmhelpers.core import hookenv

from ._errors import InvalidDataError


def job_label(index, job, max_name=None):
    """``job 1 ('second')``: how messages name a job (its name cut to ``max_name``
    characters when given; only the index when it has no name)."""
    name = job.get("job_name") if isinstance(job, dict) else None
    if isinstance(name, str) and name:
        return f"job {index} ({(name if max_name is None else name[:max_name])!r})"
    return f"job {index}"


def job_list(key, jobs, label=job_label):
    """``jobs`` (the decoded value of ``key``) when it is a list of job objects;
    ``InvalidDataError`` when it is not a list, or names the first item that is not an
    object (``label(index, job)``)."""
    if not isinstance(jobs, list):
        raise InvalidDataError(f"{key} is not a JSON list")
    for index, job in enumerate(jobs):
        if not isinstance(job, dict):
            raise InvalidDataError(f"{key}: {label(index, job)} is not an object")
    return jobs


def unit_sort_key(unit_name):
    """Order units by application, then unit number (``app/2`` before ``app/10``)."""
    app, _, number = unit_name.rpartition("/")
    return (app, int(number), "") if number.isascii() and number.isdigit() else (app, -1, number)


def hook_relations(endpoint, hook):
    """In a relation hook of ``endpoint`` (not ``-departed`` or ``-broken``): the relations of
    ``endpoint`` that hook is about (``hookenv.relation_id()``); None in any other hook."""
    if hook.startswith(endpoint.endpoint_name + "-relation-") and not hook.endswith(
            ("-departed", "-broken")):
        rid = hookenv.relation_id()
        return [r for r in endpoint.relations if r.relation_id == rid]
    return None


def write_changed(bag, wanted, keys):
    """Set the keys of ``bag`` whose value differs from ``wanted`` (an empty value deletes)."""
    for key in keys:
        value = wanted.get(key) or ""
        if (bag.get(key) or "") != value:
            bag[key] = value


def clear_keys(relations, unit_keys, app_keys):
    """Remove this unit's ``unit_keys`` from ``relations`` and, on the leader, the
    application's ``app_keys`` (``is-leader`` asked only when there are relations)."""
    for relation in relations:
        write_changed(relation.to_publish_raw, {}, unit_keys)
    if relations and hookenv.is_leader():
        for relation in relations:
            write_changed(relation.to_publish_app_raw, {}, app_keys)
