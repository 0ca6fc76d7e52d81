"""The figures of the apps below the statistics engine (organizations, members): they cannot register with an
engine above them, so the engine defines them here. Every app above registers its own in its `figures.py`."""

from . import members, orgs  # noqa: F401  (registers orgs.* and members.*)
