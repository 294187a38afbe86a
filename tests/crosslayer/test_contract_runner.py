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
