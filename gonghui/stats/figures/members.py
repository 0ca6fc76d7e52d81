"""Member figures (members.*) for the statistics registry: over an org's subtree and a period [start, end].

- ``members.total`` and its breakdown (women, migrant workers, the eight groups, new-employment-form
  workers) count the members **as of `end`**: joined on or before `end` and still a member then
  (active now, or their membership ended after `end`), in the union they belonged to on `end`. The
  record holds only the current union, so transfers approved after `end` are undone: each one that
  brought a member into the subtree is taken off, each one that took a member out is added back.
  The breakdown uses the facts as recorded now (a corrected gender or worker group counts back in
  time too), and a member who rejoined after `end` is not counted for earlier periods (the record
  keeps the latest join date only).
- ``members.joined*``: members who joined or rejoined in the period, counted in the union they
  joined (the timeline's join event), with the same breakdown.
- ``members.transfers_in`` / ``transfers_out``: approved transfers in the period whose receiving /
  releasing union is in the subtree and whose other side is not (moves inside the subtree cancel out).
- ``members.left`` / ``retired`` / ``deceased``: memberships ended in the period, in the union of the
  time.
"""

from django.db.models import Count, Q

from gonghui.common import codesets, idcard
from gonghui.members.models import Member, MemberEvent

from ..registry import figure

# breakdown name → (label part, condition on a member, as a Q over `Member` fields)
BREAKDOWN = {
    "": ("", Q()),
    "women": ("女性", Q(gender=idcard.FEMALE)),
    "migrant_workers": ("农民工", Q(is_migrant_worker=True)),
    "eight_groups": ("八大群体", Q(worker_group__in=sorted(codesets.EIGHT_GROUPS))),
    "new_employment": ("新就业形态劳动者", Q(worker_group__in=sorted(codesets.NEW_EMPLOYMENT))),
}


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` with every field looked up through `prefix` (e.g. "member__")."""
    out = q.copy()
    out.children = [(prefix + child[0], child[1]) if isinstance(child, tuple) else _prefixed(child, prefix)
                    for child in q.children]
    return out


def _counts(queryset, prefix: str = "") -> dict[str, int]:
    """{breakdown: count} over `queryset`, in one query; `prefix` leads from its rows to the member."""
    return queryset.aggregate(**{
        name or "total": Count("pk", filter=_prefixed(condition, prefix)) for name, (_, condition) in BREAKDOWN.items()
    })


def _within(org, field: str = "org") -> Q:
    return Q(**{f"{field}__path__startswith": org.path})


def _member_on(end, prefix: str = "") -> Q:
    """A member on `end`: joined by then, and active now or ended after it."""
    return _prefixed(Q(join_date__lte=end) & (Q(status=Member.Status.ACTIVE) | Q(status_date__gt=end)), prefix)


def members_at(org, end) -> dict[str, int]:
    """{breakdown: members in org's subtree on `end`}; see the module docstring."""
    now = _counts(Member.objects.filter(_within(org), _member_on(end)))
    later = MemberEvent.objects.filter(_member_on(end, "member__"), kind=MemberEvent.Kind.TRANSFERRED, date__gt=end)
    came = _counts(later.filter(_within(org, "to_org")).exclude(_within(org)), "member__")
    went = _counts(later.filter(_within(org)).exclude(_within(org, "to_org")), "member__")
    return {key: now[key] - came[key] + went[key] for key in now}


def _events(org, start, end, *kinds, side: str = "org"):
    return MemberEvent.objects.filter(_within(org, side), kind__in=kinds, date__range=(start, end))


def joined_in(org, start, end) -> dict[str, int]:
    return _counts(_events(org, start, end, MemberEvent.Kind.JOINED, MemberEvent.Kind.REJOINED), "member__")


def _of_which(label: str, part: str) -> str:
    return f"{label}：其中{part}" if part else label


for _name, (_part, _) in BREAKDOWN.items():
    _key = _name or "total"
    figure(f"members.{_key}", label=_of_which("期末会员数", _part), unit="人")(
        lambda org, start, end, k=_key: members_at(org, end)[k])
    figure(f"members.joined_{_name}" if _name else "members.joined", label=_of_which("期内新入会会员", _part),
           unit="人")(lambda org, start, end, k=_key: joined_in(org, start, end)[k])


@figure("members.transfers_in", label="期内转入会员", unit="人")
def transfers_in(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.TRANSFERRED, side="to_org").exclude(_within(org)).count()


@figure("members.transfers_out", label="期内转出会员", unit="人")
def transfers_out(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.TRANSFERRED).exclude(_within(org, "to_org")).count()


@figure("members.left", label="期内退会", unit="人")
def left(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.LEFT).count()


@figure("members.retired", label="期内退休", unit="人")
def retired(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.RETIRED).count()


@figure("members.deceased", label="期内去世", unit="人")
def deceased(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.DECEASED).count()
