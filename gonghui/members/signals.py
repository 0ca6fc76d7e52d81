"""A member's lifecycle, for the apps built on members to react to (a program connects its receivers in its
own `hooks.py`). The actions send them inside their transaction, after the member's row is written, so a
receiver's writes commit or roll back with the change itself; a receiver that raises undoes it."""

from django.dispatch import Signal

# member (moved already), from_org, to_org, by: a transfer was approved.
member_transferred = Signal()
# member, status ("left", "retired", "deceased"), date, by: the membership ended.
membership_ended = Signal()
