"""Contract adapter of parca_scrape: how the contract runner (``kit.contract``) drives this layer."""

import json

from kit.adapter import Adapter


class ParcaScrape(Adapter):
    interface = "parca_scrape"
    provides_endpoint = "profiling-endpoint"
    requires_endpoint = "profiling-targets"
    provider_inputs = ("jobs_arg",)
    exposed_fields = ("jobs",)

    def unit_kwargs(self, case):
        """The unit's address on the relation is the case's ``fqdn`` (its ingress address)."""
        fqdn = (case.get("local") or {}).get("fqdn")
        return {"address": fqdn} if fqdn else {}

    def provide(self, endpoint, case):
        endpoint.update_scrape_job_spec(case["jobs_arg"])

    def exposed(self, endpoint):
        return {"jobs": endpoint.jobs()}

    def available(self, expect):
        """``available`` means at least one scrape job."""
        return bool(expect["jobs"])

    def normalise(self, field, value):
        """Jobs in order; each job's ``static_configs`` as an unordered collection."""
        out = []
        for job in value:
            job = dict(job)
            if isinstance(job.get("static_configs"), list):
                job["static_configs"] = sorted(
                    json.dumps(sc, sort_keys=True) for sc in job["static_configs"])
            out.append(job)
        return out


ADAPTER = ParcaScrape()
