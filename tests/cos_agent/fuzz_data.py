"""Fuzz strategies of cos_agent: a principal's ``config`` (for the collector side) and
``publish()`` arguments (for the principal side), each with the contract's verdict
(``kit.fuzz_data``), worked out from the contract README's rules, not from the layer.
"""

import base64
import json
import lzma

from hypothesis import strategies as st

from kit.fuzz_data import (
    CHARS,
    EMPTY,
    GARBAGE,
    INVALID,
    JSON_VALUES,
    ODD_ARG,
    TEXT,
    UNKNOWN,
    VALID,
    Verdict,
)

SERVED = ("otlp_grpc", "otlp_http", "zipkin", "jaeger_thrift_http")
NOT_SERVED = ("jaeger_grpc", "tempo_http", "tempo_grpc", "kafka", "carrier_pigeon", "")
PROTOCOL = st.sampled_from(SERVED + NOT_SERVED) | TEXT
NAME = st.text(CHARS, min_size=1, max_size=12)
SLOT = st.one_of(st.tuples(NAME.filter(lambda s: ":" not in s),
                           NAME.filter(lambda s: ":" not in s)).map(":".join),
                 TEXT, st.sampled_from(["no-colon", "a:b:c", ":x", "x:"]))
LABELS = st.dictionaries(st.sampled_from(["juju_unit", "juju_model", "team", "x"]) | NAME,
                         NAME, max_size=3)
STATIC_CONFIG = st.one_of(
    st.fixed_dictionaries({"targets": st.lists(NAME, max_size=2)}, optional={"labels": LABELS}),
    JSON_VALUES)
JOB = st.one_of(
    st.fixed_dictionaries({}, optional={"job_name": NAME, "metrics_path": NAME,
                                        "static_configs": st.lists(STATIC_CONFIG, max_size=3),
                                        "scrape_interval": NAME}),
    st.fixed_dictionaries({"job_name": NAME, "path": NAME,
                           "port": st.integers(1, 65535) | NAME | JSON_VALUES}),
    st.dictionaries(NAME, JSON_VALUES, max_size=3))
RULES = st.one_of(st.just({}), st.dictionaries(NAME, JSON_VALUES, max_size=2),
                  st.just({"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up"}]}]}))


def compressed(content):
    return base64.b64encode(lzma.compress(json.dumps(content).encode())).decode()


DASHBOARD = st.one_of(
    st.dictionaries(st.sampled_from(["title", "uid", "panels", "dashboard"]), JSON_VALUES,
                    max_size=3).map(compressed),
    JSON_VALUES.map(compressed),              # may be a list: skipped
    st.text(st.sampled_from("ABCDEFabcdef0123456789+/="), max_size=40),  # not LZMA
    TEXT)


def _is_list_of(value, kind):
    return isinstance(value, list) and all(isinstance(v, kind) for v in value)


#: the required fields, with a value of the right type and what else may appear there
REQUIRED = {
    "metrics_alert_rules": (RULES, lambda v: isinstance(v, dict)),
    "log_alert_rules": (RULES, lambda v: isinstance(v, dict)),
    "dashboards": (st.lists(DASHBOARD, max_size=3), lambda v: _is_list_of(v, str)),
    "metrics_scrape_jobs": (st.lists(JOB, max_size=3), lambda v: _is_list_of(v, dict)),
    "log_slots": (st.lists(SLOT, max_size=3), lambda v: _is_list_of(v, str)),
}
BOOLISH = ("true", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n", "TRUE")


def _subordinate_ok(value):
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return value in (0, 1)
    return isinstance(value, str) and value.lower() in BOOLISH


@st.composite
def config_value(draw):
    """``(config dict, verdict kind)``: fields mostly right, sometimes missing or mistyped."""
    config = {}
    kind = VALID
    for field, (good, check) in REQUIRED.items():
        choice = draw(st.integers(0, 9))
        if choice == 0:
            kind = INVALID  # missing
            continue
        value = draw(good) if choice > 1 else draw(JSON_VALUES)
        if not check(value):
            kind = INVALID
        config[field] = value
    if draw(st.booleans()):
        protocols = draw(st.none() | st.lists(PROTOCOL, max_size=4) | JSON_VALUES)
        config["tracing_protocols"] = protocols
        if protocols is not None and not _is_list_of(protocols, str):
            kind = INVALID
    if draw(st.integers(0, 3)) == 0:
        subordinate = draw(st.sampled_from([None, True, False, 0, 1, 2]) | st.sampled_from(BOOLISH)
                           | TEXT)
        config["subordinate"] = subordinate
        if not _subordinate_ok(subordinate):
            kind = INVALID
    for key in draw(st.lists(NAME.filter(lambda k: k not in REQUIRED), max_size=2)):
        config[key] = draw(JSON_VALUES)  # unknown keys: ignored
    return config, kind


def _has_nan(text):
    return any(word in text for word in ("NaN", "Infinity"))


@st.composite
def principal_bag(draw):
    """``(unit databag, Verdict)``: a principal unit's databag (oracle: the contract)."""
    bag = {}
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return bag, Verdict(EMPTY)
    if choice == 1:
        bag["config"] = draw(GARBAGE)
        return bag, Verdict(UNKNOWN if bag["config"] else EMPTY)
    if choice == 2:
        bag["config"] = json.dumps(draw(JSON_VALUES.filter(lambda v: not isinstance(v, dict))))
        return bag, Verdict(INVALID)
    config, kind = draw(config_value())
    bag["config"] = json.dumps(config)
    if _has_nan(bag["config"]):
        return bag, Verdict(INVALID if kind == INVALID else UNKNOWN)
    return bag, Verdict(kind, config if kind == VALID else None)


# --------------------------------------------------------------------------
# publish() arguments
# --------------------------------------------------------------------------

PORT = st.one_of(st.integers(-5, 70000), st.sampled_from([1, 65535, 65536, "9100", "x"]), ODD_ARG)
ENDPOINT = st.one_of(
    st.fixed_dictionaries({"path": st.sampled_from(["/metrics", "/m"]) | TEXT, "port": PORT}),
    st.fixed_dictionaries({"port": PORT}), st.fixed_dictionaries({"path": TEXT}), ODD_ARG)
SCRAPE_CONFIG = st.one_of(JOB, st.fixed_dictionaries({"job_name": ODD_ARG}), ODD_ARG)


def endpoint_ok(endpoint):
    if not isinstance(endpoint, dict) or "port" not in endpoint or "path" not in endpoint:
        return False
    port = endpoint["port"]
    if isinstance(port, str) and port.isascii() and port.isdigit():
        port = int(port)
    return (isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536
            and isinstance(endpoint["path"], str))


def _json_ok(value):
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def scrape_config_ok(job):
    return (isinstance(job, dict) and (job.get("job_name") is None or isinstance(job["job_name"], str))
            and _json_ok(job))


PUBLISH_ARGS = st.fixed_dictionaries({}, optional={
    "metrics_endpoints": st.none() | st.lists(ENDPOINT, max_size=3) | ODD_ARG,
    "scrape_configs": st.none() | st.lists(SCRAPE_CONFIG, max_size=3) | ODD_ARG,
    "log_slots": st.none() | st.lists(SLOT, max_size=3) | ODD_ARG,
    "tracing_protocols": st.none() | st.lists(PROTOCOL | ODD_ARG, max_size=3) | ODD_ARG,
    "extra_alert_groups": st.none() | RULES | st.just({"groups": "x"}) | ODD_ARG,
    "recurse_rules_dirs": st.booleans() | ODD_ARG,
})


def _list_arg_ok(value, item_ok):
    return value is None or (isinstance(value, (list, tuple)) and all(item_ok(v) for v in value))


def publish_ok(args):
    """Whether the contract (and the layer's documented refusals) accept these arguments."""
    groups = args.get("extra_alert_groups")
    return (_list_arg_ok(args.get("metrics_endpoints"), endpoint_ok)
            and _list_arg_ok(args.get("scrape_configs"), scrape_config_ok)
            and _list_arg_ok(args.get("log_slots"), lambda s: isinstance(s, str))
            and _list_arg_ok(args.get("tracing_protocols"), lambda p: p in SERVED)
            and (not groups or (isinstance(groups, dict) and isinstance(groups.get("groups"), list)
                                and _json_ok(groups)))
            and isinstance(args.get("recurse_rules_dirs", False), bool))


# --------------------------------------------------------------------------
# Rules files
# --------------------------------------------------------------------------

YAML_TEXT = st.one_of(
    TEXT,
    JSON_VALUES.map(json.dumps),  # JSON is YAML
    st.sampled_from(["groups: [\n", "groups:\n  - name: g\n    rules: []\n", "alert: A\nexpr: up\n",
                     "record: r\nexpr: up\n", "groups: null\n", "groups:\n  - rules: []\n",
                     "groups:\n  - name: g\n    rules:\n      - alert: A\n", "a: 2024-13-45\n",
                     "a: 2024-01-01\n", "groups:\n  - name: g\n    rules:\n      - {expr: 1}\n",
                     "&a [*a]\n", "x: !!python/object:os.system ls\n", "- - - -\n", "\x00"]),
)
