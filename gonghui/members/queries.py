"""Reads and permission checks for members, all within the acting account's subtree."""

import unicodedata

from django.db.models import Q

from gonghui.common import idcard, personname, pii
from gonghui.common.errors import DomainError
from gonghui.orgs.queries import scope_org, visible_to

from .models import Member

EDIT_ROLES = ("operator", "org_admin")
TRANSFER_APPROVE_ROLES = ("approver", "org_admin")
REVEAL_ROLE = "pii_viewer"


def can_edit_members(user) -> bool:
    """Enter, change, import, end memberships and request transfers in the subtree."""
    return scope_org(user) is not None and user.has_role(*EDIT_ROLES)


def can_reveal(user) -> bool:
    """See full ID and mobile numbers (after a reason and a fresh login) and export them unmasked."""
    return scope_org(user) is not None and user.has_role(REVEAL_ROLE)


def can_approve_transfer(user, member: Member) -> bool:
    """The member's current union or any union above it, by an approver there."""
    org = scope_org(user)
    return org is not None and user.has_role(*TRANSFER_APPROVE_ROLES) and member.org.path.startswith(org.path)


def member_by_number(user, number: str) -> Member:
    """The member with this member number inside `user`'s subtree, else a DomainError on `member_number`
    (the same answer for "no such number" and "outside the subtree"). For forms that take a member by number
    (hardship files, aid approvals)."""
    number = (number or "").strip().upper()
    member = visible_to(user, Member.objects.select_related("org")).filter(member_number=number).first() \
        if number else None
    if member is None:
        raise DomainError("本级及下级工会没有该会员证号的会员。", field="member_number")
    return member


def id_index_of(raw, *, doc_type: str = idcard.RESIDENT) -> str:
    """The blind index of a typed document number (normalised, 15 digits converted); DomainError if invalid."""
    return pii.blind_index(idcard.parse(raw, doc_type=doc_type).number, purpose="id_number")


def search(user, text: str):
    """Members in `user`'s subtree matching a name, a member number or an exact document number.
    A document number is looked up only through the blind index, never by a scan. Text shaped like
    an ID number is also tried as a member number: issued numbers are 15 digits, like old ID numbers."""
    qs = visible_to(user, Member.objects.select_related("org"))
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return qs
    normalised = idcard.normalize(text)
    if len(normalised) in (15, 18) and normalised[:15].isdigit():
        match = Q(member_number=normalised)
        for doc_type in (idcard.RESIDENT, idcard.HMT_RESIDENCE, idcard.FOREIGN_PERMANENT):
            try:
                match |= Q(id_index=id_index_of(normalised, doc_type=doc_type))
                break
            except DomainError:
                continue
        return qs.filter(match)
    try:
        name = personname.normalize_name(text)
    except DomainError:
        name = text
    return qs.filter(Q(name=name) | Q(member_number=text.upper()))
