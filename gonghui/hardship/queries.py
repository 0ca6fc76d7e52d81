"""Reads of hardship files worth naming: a member's open file, used wherever "on file" matters (opening a file,
the hall's effect, 先建档后帮扶 in the ledger)."""

from gonghui.members.models import Member

from .models import HardshipFile


def open_file_of(member: Member) -> HardshipFile | None:
    """`member`'s open file (one per person anywhere, a database constraint), or None."""
    return HardshipFile.objects.filter(member=member, status=HardshipFile.Status.OPEN).first()
