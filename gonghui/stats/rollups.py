"""The rollups behind the figures (being built: `rebuild` is the interface the demo and restores call)."""


def rebuild(*, say=None) -> None:
    """Recreate every rollup from the records."""
