"""The contract runner itself: it reads another directory, and fails what it does not understand."""

import copy
import functools
import json
import os
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from kit import exact, registered

HERE = os.path.dirname(os.path.abspath(__file__))


def run_contract(directory, *args):
    env = dict(os.environ, CONTRACT_VECTORS=str(directory))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         os.path.join(HERE, "test_contract.py")] + list(args),
        cwd=os.path.dirname(os.path.dirname(HERE)), env=env, capture_output=True, text=True)


# -- one runner process for the vectors files of every test below -----------------------
#
# Each test below makes a vectors file of its own (a case changed so that the runner must
# fail it, or one it must pass) and looks at what the runner made of it. The runner is run
# once for all of them, as ``make test`` would run it on a directory of files: not once
# per test, each a new pytest process that collects and assembles the test charm again.
# Every case of a test's file is renamed with the test's tag, so that its results are its
# own; the tests share one xdist group, so that one worker runs that process.

RUNS = {}  # tag -> function making the vectors file's content (``top``)


def run(tag, build):
    """Register ``build()`` (a vectors file's content) as the file of the test ``tag``."""
    assert tag not in RUNS, tag
    RUNS[tag] = build
    return tag


class Outcome:
    """What the runner said of one test's file: cases passed, cases failed, failure texts."""

    def __init__(self):
        self.passed, self.failed, self.texts = 0, 0, []

    @property
    def text(self):
        return "\n".join(self.texts)

    def __repr__(self):
        return f"<{self.passed} passed, {self.failed} failed:\n{self.text}>"


def _label(tag):
    return f"<{tag}> "


@pytest.fixture(scope="module")
def runner_said(tmp_path_factory):
    """``runner_said(tag)``: the ``Outcome`` of test ``tag``'s file, all files run at once."""
    directory = tmp_path_factory.mktemp("vectors")
    for n, (tag, build) in enumerate(sorted(RUNS.items())):
        top = build()
        for case in top["cases"]:
            case["name"] = _label(tag) + case.get("name", "")
        (directory / f"{n:03d}.json").write_text(json.dumps(top))
    report = tmp_path_factory.mktemp("report") / "junit.xml"
    proc = run_contract(directory, f"--junitxml={report}")
    outcomes = {tag: Outcome() for tag in RUNS}
    for testcase in ElementTree.parse(str(report)).iter("testcase"):
        name = testcase.get("name", "")
        tags = [tag for tag in RUNS if _label(tag) in name]
        assert len(tags) == 1, f"a runner result that is no test's: {name}\n{proc.stdout}"
        outcome = outcomes[tags[0]]
        problems = [c for c in testcase if c.tag in ("failure", "error", "skipped")]
        if problems:
            outcome.failed += 1
            outcome.texts += [(c.get("message") or "") + "\n" + (c.text or "") for c in problems]
        else:
            outcome.passed += 1
    assert proc.returncode == (1 if any(o.failed for o in outcomes.values()) else 0), proc.stdout
    return outcomes.__getitem__


batched = pytest.mark.xdist_group("contract-runner")


def prometheus_vectors():
    with open(registered.vectors_file("prometheus_api")) as f:
        return json.load(f)


def _copies():
    top = prometheus_vectors()
    top["cases"] = [dict(c, name="copy: " + c["name"]) for c in top["cases"][:3]]
    return top



run("copies", _copies)


@batched
def test_runner_reads_cases_from_another_directory(runner_said):
    said = runner_said("copies")
    assert (said.passed, said.failed) == (3, 0), said


CANNOT_HONOUR = [
    (lambda top: top["cases"][0]["expect"].update(available=True), "wrong expectation"),
    (lambda top: top.update(interface="no_such_interface"), "unknown interface"),
    (lambda top: top["cases"][0].update(side="sideways"), "unknown side"),
    (lambda top: top["cases"][0].update(surprise=1), "unknown case key"),
    (lambda top: top["cases"][0]["expect"].update(surprise=1), "unknown expect key"),
]


def _cannot_honour(mutate):
    top = prometheus_vectors()
    top["cases"] = [c for c in top["cases"] if c["side"] == "requirer"][:1]
    mutate(top)
    return top


for _mutate, _why in CANNOT_HONOUR:
    run("cannot honour: " + _why, functools.partial(_cannot_honour, _mutate))


@batched
@pytest.mark.parametrize("mutate,why", CANNOT_HONOUR)
def test_runner_fails_cases_it_cannot_honour(runner_said, mutate, why):
    said = runner_said("cannot honour: " + why)
    assert (said.passed, said.failed) == (0, 1), (why, said)


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


def _absolute_dirs():
    top = cos_agent_case(DASHBOARDS)
    case = top["cases"][0]
    case["args"]["dashboard_dirs"] = ["{charm_dir}/src/dashboards_1", "./src/dashboards_2"]
    return top



run("absolute dashboard dirs", _absolute_dirs)


@batched
def test_runner_writes_a_cases_files_and_gives_it_the_charm_directory(runner_said):
    """``files`` go into a charm of the case's own; ``{charm_dir}`` is its absolute path
    (the uids, from paths relative to the charm directory, stay those of the vectors)."""
    said = runner_said("absolute dashboard dirs")
    assert (said.passed, said.failed) == (1, 0), said


COS_AGENT_CANNOT_HONOUR = [
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
]


def _cos_agent_cannot_honour(name, mutate):
    top = cos_agent_case(name)
    mutate(top["cases"][0])
    return top


for _name, _mutate, _why in COS_AGENT_CANNOT_HONOUR:
    run("cos_agent: " + _why, functools.partial(_cos_agent_cannot_honour, _name, _mutate))


@batched
@pytest.mark.parametrize("name,mutate,why", COS_AGENT_CANNOT_HONOUR)
def test_runner_fails_cos_agent_cases_it_cannot_honour(runner_said, name, mutate, why):
    said = runner_said("cos_agent: " + why)
    assert (said.passed, said.failed) == (0, 1), (why, said)


# -- byte-exact: a one-byte difference in a recorded databag value fails -------------------

def one_case(interface, name):
    with open(registered.vectors_file(interface)) as f:
        top = json.load(f)
    top["cases"] = [c for c in top["cases"] if c["name"] == name]
    assert len(top["cases"]) == 1, (interface, name)
    return top


def _swap_first_two_keys(text):
    """``text`` (a JSON object) with its first two keys swapped, written as upstream writes."""
    decoded = json.loads(text)
    keys = list(decoded)
    keys[0], keys[1] = keys[1], keys[0]
    return json.dumps({k: decoded[k] for k in keys})


def _cos_config(case, change):
    bag = case["expect"]["unit_databag"]
    bag["config"] = change(bag["config"])


RECEIVERS = "tls: https receivers, grpc without scheme"


def _receivers(case, change):
    bag = next(b for b in case["expect"]["unit_databags"] if b and "receivers" in b)
    bag["receivers"] = change(bag["receivers"])


ONE_BYTE = [
    ("parca_scrape", "default job",
     lambda c: c["expect"]["app_databag"].update(scrape_jobs='[{"static_configs":[{"targets": ["*:80"]}]}]'),
     "a separator without its space"),
    ("parca_scrape", "default job",
     lambda c: c["expect"]["app_databag"].update(
         scrape_metadata=_swap_first_two_keys(c["expect"]["app_databag"]["scrape_metadata"])),
     "the same object, keys in another order"),
    ("tempo_api", "direct urls only",
     lambda c: c["expect"]["app_databag"].update(http=c["expect"]["app_databag"]["http"] + " "),
     "a trailing space"),
    ("profiling", "cluster address, secure by default",
     lambda c: c["expect"]["app_databag"].update(insecure="False"), "another spelling of false"),
    ("parca_store", "defaults",
     lambda c: c["expect"]["app_databag"].update({"remote-store-address": "10.1.2.3:7071"}),
     "one character of a raw value"),
    ("cos_agent", "defaults: no arguments, no files",
     lambda c: _cos_config(c, lambda s: s.replace('","', '", "', 1)),
     "a space after one separator in config"),
    ("cos_agent", "defaults: no arguments, no files",
     lambda c: _cos_config(c, lambda s: s.replace(',"subordinate":null', "")),
     "config without its \"subordinate\": null"),
    ("cos_agent", DASHBOARDS,
     lambda c: _cos_config(c, lambda s: json.dumps(dict(json.loads(s), dashboards=list(reversed(
         json.loads(s)["dashboards"]))), separators=(",", ":"), ensure_ascii=False)),
     "config with its dashboards in reverse order"),
    ("cos_agent", RECEIVERS,
     lambda c: _receivers(c, lambda s: s.replace('", "', '","', 1)),
     "receivers with a separator without its space"),
]


def _one_byte(interface, name, mutate):
    top = one_case(interface, name)
    case = top["cases"][0]
    recorded = copy.deepcopy(case["expect"])
    mutate(case)
    # the recording changed the same way (upstream's bytes are the expectation): what fails
    # is the layer's string against the recorded one, not the runner's deviation check
    for bag, value in case["expect"].items():
        if (case.get("upstream") or {}).get(bag) == recorded.get(bag):
            case["upstream"][bag] = copy.deepcopy(value)
    return top


for _interface, _name, _mutate, _why in ONE_BYTE:
    run(f"one byte: {_interface}: {_why}", functools.partial(_one_byte, _interface, _name, _mutate))


@batched
@pytest.mark.parametrize("interface,name,mutate,why", ONE_BYTE)
def test_runner_fails_a_one_byte_difference_in_a_recorded_value(runner_said, interface, name,
                                                                 mutate, why):
    """The runner compares what a layer wrote with the recorded string, not with its
    decoded form: a difference JSON decoding would hide still fails, and says where."""
    said = runner_said(f"one byte: {interface}: {why}")
    assert (said.passed, said.failed) == (0, 1), (why, said)
    assert "not the recorded bytes" in said.text or "keys written" in said.text, said


def _receivers_reversed():
    top = one_case("cos_agent", RECEIVERS)

    def reverse(text):
        opening, items, seps, closing = exact.split_json_array(text)
        items = items[::-1]
        return opening + "".join(i + s for i, s in zip(items, seps + [""])) + closing

    _receivers(top["cases"][0], reverse)
    return top



run("receivers reversed", _receivers_reversed)


@batched
def test_runner_compares_receivers_unordered_but_each_entry_exactly(runner_said):
    """``receivers`` entries come from a set upstream: their order alone is not compared."""
    said = runner_said("receivers reversed")
    assert (said.passed, said.failed) == (1, 0), said


# -- kit.exact, in process -------------------------------------------------------------

@pytest.mark.parametrize("got,want", [
    ('{"a": 1, "b": 2}', '{"a":1,"b":2}'),
    ('{"b": 2, "a": 1}', '{"a": 1, "b": 2}'),
    ('"\\u00e9"', '"\u00e9"'),
    ('[1.0]', '[1]'),
    ('x', 'x '),
])
def test_exact_fails_what_decoding_would_call_equal(got, want):
    with pytest.raises(AssertionError, match="not the recorded bytes"):
        exact.assert_same_string(got, want, "value")
    exact.assert_same_string(want, want, "value")


def test_exact_failure_explains_by_decoding():
    with pytest.raises(AssertionError) as e:
        exact.assert_same_string('{"b": 2, "a": 1}', '{"a": 1, "b": 2}', "value")
    assert "first difference at character 2" in str(e.value)
    assert "same keys in another order" in str(e.value)
    with pytest.raises(AssertionError) as e:
        exact.assert_same_string('{"a":1}', '{"a": 1}', "value")
    assert "equal JSON" in str(e.value)


@pytest.mark.parametrize("text", ["[]", "[ ]", " [1, 2,3 ] ", '[{"a": [1,2]}, "x,]", null]',
                                  '["\\"]", {"b": "}"}]'])
def test_split_json_array_gives_back_the_text(text):
    opening, items, seps, closing = exact.split_json_array(text)
    assert opening + "".join(i + s for i, s in zip(items, seps + [""])) + closing == text
    assert [json.loads(i) for i in items] == json.loads(text)


@pytest.mark.parametrize("got,want,same", [
    ("[1, 2]", "[2, 1]", True),
    ("[1, 2]", "[1, 2]", True),
    ("[1,2]", "[2, 1]", False),
    ("[1, 1]", "[1, 2]", False),
    ('[{"a": 1}]', '[{"a":1}]', False),
    ("[1, 2]", "[1, 2, 2]", False),
])
def test_unordered_array_compares_only_the_order_loosely(got, want, same):
    if same:
        exact.assert_same_array_unordered(got, want, "value")
    else:
        with pytest.raises(AssertionError):
            exact.assert_same_array_unordered(got, want, "value")


def _edited_to_match_the_layer():
    top = one_case("parca_store", "defaults")
    case = top["cases"][0]
    case["expect"]["app_databag"]["remote-store-insecure"] = "False"
    case["upstream"]["app_databag"]["remote-store-insecure"] = "false"
    return top



run("not upstream's", _edited_to_match_the_layer)


@batched
def test_runner_fails_a_case_whose_expectation_is_not_upstreams_without_a_deviation(runner_said):
    """Where a case records what upstream wrote and notes no deviation, the expectation is
    upstream's string: an expectation edited to match the layer instead fails the case."""
    said = runner_said("not upstream's")
    assert (said.passed, said.failed) == (0, 1), said
    assert "notes no deviation" in said.text, said
