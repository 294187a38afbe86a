"""The profiling vectors the contract runner (``crosslayer/test_contract.py``) runs: the
recording of upstream LIBPATCH 5, every case of it collected, none of a shape the adapter
cannot drive."""

import json

from kit import contract, registered
from profiling.adapter import ADAPTER

#: the cases of shared/contract/vectors/profiling.json (LIBPATCH 5): provider, requirer
CASES = {"provider": 6, "requirer": 10}


def vectors():
    with open(registered.vectors_file("profiling")) as f:
        return json.load(f)


def test_vectors_are_upstream_libpatch_5():
    top = vectors()
    assert top["interface"] == "profiling"
    assert top["upstream"] == {"module": "charms.pyroscope_coordinator_k8s.v0.profiling",
                               "LIBAPI": 0, "LIBPATCH": 5}


def test_the_runner_collects_every_profiling_case_once():
    top = vectors()
    sides = {}
    for case in top["cases"]:
        sides[case["side"]] = sides.get(case["side"], 0) + 1
    assert sides == CASES
    ids = [p.id for p in contract.collect() if p.id.startswith("profiling::")]
    assert len(ids) == len(set(ids)) == sum(CASES.values())
    assert ids == ["profiling::" + case["name"] for case in top["cases"]]


def test_every_case_uses_only_inputs_and_expectations_the_adapter_drives():
    for case in vectors()["cases"]:
        if case["side"] == "provider":
            assert set(case) - contract.COMMON_CASE_KEYS <= {"publish", "leader"}, case["name"]
            assert set(case["publish"]) <= {"otlp_grpc_endpoint", "insecure"}
        else:
            assert set(case) - contract.COMMON_CASE_KEYS == {"remote_app_databags"}, case["name"]
            assert set(case["expect"]) == {"available", "invalid"} | set(ADAPTER.exposed_fields)
