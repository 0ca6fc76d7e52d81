"""Writes that bypass `Model.save()` (bulk_create, COPY, queryset.update) announce themselves here, so that
whoever follows saves through signals (the statistics' rollups) follows these too. The apps that write this
way lie below the statistics and cannot call it; they call these, and these call whoever listens."""

import contextlib
from collections.abc import Callable, Iterable

# listener(model, pks, new) → what to call once the rows are written (or None)
_listeners: list[Callable] = []


def listen(listener: Callable) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


@contextlib.contextmanager
def changing(model, pks: Iterable):
    """Around a write that changes the rows `pks` of `model` (and what hangs on them) without signals."""
    pks = list(pks)
    finish = [listener(model, pks, new=False) for listener in _listeners]
    yield
    for done in finish:
        if done:
            done()


def created(model, pks: Iterable) -> None:
    """New rows `pks` of `model` were written without signals, with everything that hangs on them (an import
    batch's members with their joined events): name each new thing once."""
    pks = list(pks)
    for listener in _listeners:
        done = listener(model, pks, new=True)
        if done:
            done()
