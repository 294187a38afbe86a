# Vendored from layerlib/_scrape.py by `make vendor`: do not edit; edit the source.
"""What parca_scrape and prometheus_scrape (upstream's parca library was made from
prometheus') do alike: jobs named and listed, units ordered, a target's keys written."""

from charmhelpers.core import hookenv

from ._errors import InvalidDataError


def job_label(index, job, max_name=None):
    """``job 1 ('second')``: how messages name a job (the name cut to ``max_name``)."""
    name = job.get("job_name") if isinstance(job, dict) else None
    if isinstance(name, str) and name:
        return f"job {index} ({(name if max_name is None else name[:max_name])!r})"
    return f"job {index}"


def job_list(key, jobs, label=job_label):
    """``jobs`` (decoded ``key``), or ``InvalidDataError`` unless a list of objects."""
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
    """The relations ``hook`` is about when it is a relation hook of ``endpoint`` (not
    ``-departed`` or ``-broken``), else None."""
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
    """Remove this unit's keys from ``relations`` and, on the leader, the application's."""
    for relation in relations:
        write_changed(relation.to_publish_raw, {}, unit_keys)
    if relations and hookenv.is_leader():
        for relation in relations:
            write_changed(relation.to_publish_app_raw, {}, app_keys)
