"""Who acts. Every action names its acting user: a cadre, a worker, or the system actor — never None.

The system actor acts when no person does (a command, an import from the command line, a daily task). It is
a real `User` row (username "system", 系统; accounts migration 0005) rather than a sentinel, so audit entries,
event histories and "who acted" columns keep a foreign key and read 系统. It is inactive, has an unusable
password and no org or role: it can never sign in and sees nothing through the scoping helpers. The actions
skip their permission checks for it, and only for it (`is_system`). Reached through `get_user_model()` so
that every app, whatever its layer, may name it."""

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"
SYSTEM_NAME = "系统"


def system_actor():
    """The system actor's row (made by the accounts migration; made again if a test flushed the table)."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"full_name": SYSTEM_NAME, "is_active": False, "is_staff": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system(by) -> bool:
    """Whether the acting user `by` is the system actor, for whom the actions skip their permission checks.
    None is refused with TypeError: an action called without naming who acts is a programming error."""
    if by is None:
        raise TypeError("by=None: name the acting user — a cadre, a worker or common.actors.system_actor().")
    return (getattr(by, "username", None) == SYSTEM_USERNAME and by.pk is not None
            and not by.has_usable_password())
