"""What the installed apps contribute to the shell.

An app contributes by holding a module of an agreed name — `menu` (sidebar entries), `api` (its router),
`urls` with a `mount` (worker pages), `figures` (statistics), `effects` (service-hall effects), `hooks`
(reactions to other apps' events), `demo` (demo data), `tests/walker` (URL-walker samples). The engine or the
wiring that uses them finds them here, so neither a lower app nor a shared file names the programs: adding a
program is its folder and its line in INSTALLED_APPS.
"""

from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule


def app_modules(name: str) -> list[tuple[AppConfig, ModuleType]]:
    """(app, module) for every installed app that has the module `name` (dotted, e.g. "tests.walker"),
    in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        package, _, leaf = f"{config.name}.{name}".rpartition(".")
        try:
            parent = import_module(package)
        except ModuleNotFoundError:
            continue
        if module_has_submodule(parent, leaf):
            found.append((config, import_module(f"{package}.{leaf}")))
    return found
