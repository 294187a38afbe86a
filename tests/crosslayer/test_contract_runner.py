"""The contract runner itself: it reads another directory, and fails what it does not understand."""

import json
import os
import subprocess
import sys

import pytest

from kit import registered

HERE = os.path.dirname(os.path.abspath(__file__))


def run_contract(directory):
    env = dict(os.environ, CONTRACT_VECTORS=str(directory))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         os.path.join(HERE, "test_contract.py")],
        cwd=os.path.dirname(os.path.dirname(HERE)), env=env, capture_output=True, text=True)


def prometheus_vectors():
    with open(registered.vectors_file("prometheus_api")) as f:
        return json.load(f)


def test_runner_reads_cases_from_another_directory(tmp_path):
    top = prometheus_vectors()
    top["cases"] = [dict(c, name="copy: " + c["name"]) for c in top["cases"][:3]]
    (tmp_path / "mine.json").write_text(json.dumps(top))
    proc = run_contract(tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "3 passed" in proc.stdout


@pytest.mark.parametrize("mutate,why", [
    (lambda top: top["cases"][0]["expect"].update(available=True), "wrong expectation"),
    (lambda top: top.update(interface="no_such_interface"), "unknown interface"),
    (lambda top: top["cases"][0].update(side="sideways"), "unknown side"),
    (lambda top: top["cases"][0].update(surprise=1), "unknown case key"),
    (lambda top: top["cases"][0]["expect"].update(surprise=1), "unknown expect key"),
])
def test_runner_fails_cases_it_cannot_honour(tmp_path, mutate, why):
    top = prometheus_vectors()
    top["cases"] = [c for c in top["cases"] if c["side"] == "requirer"][:1]
    mutate(top)
    (tmp_path / "bad.json").write_text(json.dumps(top))
    proc = run_contract(tmp_path)
    assert proc.returncode == 1, why + "\n" + proc.stdout
    assert "1 failed" in proc.stdout, why


def test_runner_fails_an_unreadable_file_and_an_empty_directory(tmp_path):
    assert run_contract(tmp_path).returncode == 1
    (tmp_path / "broken.json").write_text("{not json")
    proc = run_contract(tmp_path)
    assert proc.returncode == 1 and "vectors not understood" in proc.stdout


def cos_agent_case(name):
    with open(registered.vectors_file("cos_agent")) as f:
        top = json.load(f)
    top["cases"] = [c for c in top["cases"] if c["name"] == name]
    assert len(top["cases"]) == 1
    return top


DASHBOARDS = "dashboards: uid from charm name and path, charm tag added or kept, several dirs"


def test_runner_writes_a_cases_files_and_gives_it_the_charm_directory(tmp_path):
    """``files`` go into a charm of the case's own; ``{charm_dir}`` is its absolute path
    (the uids, from paths relative to the charm directory, stay those of the vectors)."""
    top = cos_agent_case(DASHBOARDS)
    case = top["cases"][0]
    case["args"]["dashboard_dirs"] = ["{charm_dir}/src/dashboards_1", "./src/dashboards_2"]
    (tmp_path / "abs.json").write_text(json.dumps(top))
    proc = run_contract(tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed" in proc.stdout


@pytest.mark.parametrize("name,mutate,why", [
    (DASHBOARDS, lambda c: c["files"].pop("src/dashboards_1/tagged.json"), "a file missing"),
    (DASHBOARDS, lambda c: c["files"].update({"../outside.json": "{}"}), "a file outside the charm"),
    (DASHBOARDS, lambda c: c["expect"]["config_decoded"]["dashboards"].pop(), "a dashboard less"),
    ("publishing again replaces the whole config", lambda c: c.update(republish=["x"]),
     "republish that is not arguments"),
    ("publishing again replaces the whole config", lambda c: c.pop("republish"),
     "no republish: the first publication stays"),
    ("tracing: receivers with urls, one requested by another principal",
     lambda c: c["expect"]["tracing"]["endpoints"].update(zipkin=None), "a wrong endpoint"),
    ("tracing: receivers with urls, one requested by another principal",
     lambda c: c["expect"]["tracing"].update(extra=1), "an unknown tracing key"),
    ("two principals: jobs in relation order, receivers are the union",
     lambda c: c["expect"]["relations"][1].update(valid=None), "a wrong relation verdict"),
    ("dashboards: titles, nested title, untitled ones numbered",
     lambda c: c["expect"]["dashboards"][0].update(relation=1), "a wrong relation index"),
    ("tls: https receivers, grpc without scheme", lambda c: c.update(tls=False),
     "receivers without tls"),
    ("tls: https receivers, grpc without scheme", lambda c: c.update(mtls=True),
     "an unknown requirer input"),
])
def test_runner_fails_cos_agent_cases_it_cannot_honour(tmp_path, name, mutate, why):
    top = cos_agent_case(name)
    mutate(top["cases"][0])
    (tmp_path / "bad.json").write_text(json.dumps(top))
    proc = run_contract(tmp_path)
    assert proc.returncode == 1, why + "\n" + proc.stdout
    assert "1 failed" in proc.stdout, why
