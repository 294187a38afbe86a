"""The wire contract, as data: every case of every vectors file, through the real layer.

The runner is ``kit.contract``: by default it reads each registered layer's
``tests/<interface>/vectors.json``, or, when set, the ``*.json`` files of the directory
named by ``CONTRACT_VECTORS``. A file or a case it does not understand fails; nothing is
skipped.
"""

import os
import shutil

import pytest
import yaml

from kit import contract


@pytest.fixture(scope="session")
def charm_named(charms, tmp_path_factory):
    """``charm_named(name, interface)``: the test charm of the layer of ``interface`` alone
    (a charm that includes only the layer a case is about), its metadata ``name`` changed
    to ``name`` (``None``: that charm itself)."""
    made = {}

    def get(name, interface):
        if (name, interface) not in made:
            charm_dir = charms(interface)
            if name is None:
                made[name, interface] = charm_dir
            else:
                dest = str(tmp_path_factory.mktemp("charm-named") / name)
                shutil.copytree(charm_dir, dest)
                path = os.path.join(dest, "metadata.yaml")
                with open(path) as f:
                    meta = yaml.safe_load(f)
                meta["name"] = name
                with open(path, "w") as f:
                    yaml.safe_dump(meta, f)
                made[name, interface] = dest
        return made[name, interface]

    return get


@pytest.mark.parametrize("top,case", contract.collect())
def test_contract_case(top, case, make_unit, charm_named):
    adapter = contract.adapter_of(top, case)
    interface = top.get("interface")
    contract.RUNNERS[case["side"]](adapter, top, case, make_unit,
                                   lambda name: charm_named(name, interface))
