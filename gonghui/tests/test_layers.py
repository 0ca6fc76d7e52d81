"""Issue 12, point 1: the layers contract covers every app, so a new program cannot slip past it unchecked."""

import re
import tomllib
from pathlib import Path

from django.apps import apps


def test_every_installed_app_is_in_a_layer_of_the_contract():
    config = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    layered = {name for layer in layers for name in re.split(r"\s*[|:]\s*", layer)}
    ours = {a.name for a in apps.get_app_configs() if a.name.startswith("gonghui.")}
    missing = ours - layered
    assert not missing, f"add these apps to a layer of [tool.importlinter] in pyproject.toml: {sorted(missing)}"
