"""The example charm's unit status, set once, at the end of every hook.

charms.reactive does not fix the order in which the handlers of different
files run, so no handler of this charm sets the unit status itself (the last
one to run would win). Handlers note their own problems with
``report_problem()``; ``set_unit_status()`` runs after every handler
(``hookenv.atexit``) and derives one status from those notes and the
interface layers' public flags.
"""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import endpoint_from_name, is_flag_set

PROBLEMS = "demo.problem."
#: the requires endpoints whose state the status shows
REQUIRES = ("metrics-api", "traces-api", "profiling-store", "profiling-targets", "send-profiles",
            "cos-agent-collector", "metrics-targets", "dashboards")


def report_problem(source, message=None):
    """Note a problem of ``source`` (e.g. invalid config for an endpoint); None forgets it."""
    key = PROBLEMS + source
    if message:
        unitdata.kv().set(key, message)
    else:
        unitdata.kv().unset(key)


def without_credentials(url):
    """``url`` (or a ``host:port`` address) without a ``user:password@`` part, for log
    lines and status messages."""
    if not url:
        return url
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}"


def _in_use():
    """What the charm uses right now, one phrase per available requires endpoint."""
    phrases = []
    if is_flag_set("metrics-api.available"):
        api = endpoint_from_name("metrics-api").get_data()
        phrases.append(f"querying {without_credentials(api.direct_url)}")
    if is_flag_set("traces-api.available"):
        api = endpoint_from_name("traces-api").get_data()
        phrases.append(f"traces at {without_credentials(api.http.direct_url)}")
    if is_flag_set("profiling-store.available"):
        store = endpoint_from_name("profiling-store")
        phrases.append(f"sending profiles to {without_credentials(store.address)}")
    if is_flag_set("profiling-targets.available"):
        phrases.append(f"{len(endpoint_from_name('profiling-targets').jobs())} scrape jobs")
    if is_flag_set("send-profiles.available"):
        phrases.append(f"profiling backends: {len(endpoint_from_name('send-profiles').get_endpoints())}")
    if is_flag_set("cos-agent-collector.available"):
        jobs = endpoint_from_name("cos-agent-collector").metrics_jobs
        phrases.append(f"collecting {len(jobs)} metrics jobs")
    for endpoint in REQUIRES:
        if is_flag_set(f"{endpoint}.joined") and not is_flag_set(f"{endpoint}.available") \
                and not is_flag_set(f"{endpoint}.invalid"):
            phrases.append(f"{endpoint}: related, waiting for data")
    return phrases


def set_unit_status():
    """blocked (noted problems, unusable remote data), else active (what is in use)."""
    problems = sorted(unitdata.kv().getrange(PROBLEMS, strip=True).items())
    messages = [message for _, message in problems]
    for endpoint in REQUIRES:
        if is_flag_set(f"{endpoint}.invalid"):
            messages.append(f"{endpoint}: {endpoint_from_name(endpoint).invalid_reason}")
    if messages:
        hookenv.status_set("blocked", "; ".join(messages))
    else:
        hookenv.status_set("active", ", ".join(_in_use()) or "ready; nothing related yet")


hookenv.atexit(set_unit_status)
