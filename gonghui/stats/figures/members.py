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

from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import Coalesce, Greatest, Least

from gonghui.common import codesets, idcard
from gonghui.members.models import Member, MemberEvent

from .. import rollups
from ..registry import Flow, Stock, figure

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


# --- the rollups: a member's timeline as changes to the member count of the unions it passed through -------------
#
# members_at() is, for one member m on day D with join ≤ D < end (the day its membership ended, if it did):
#   [m's union now] − Σ over its transfers e after D of ([e's receiving union] − [e's releasing union]).
# As changes by day that is: at the join, the union now less every later transfer undone; at each transfer
# between the join and the end, the transfer itself; at the end, everything taken off again. Transfers dated
# after the end are undone at the end as well, so the count drops to nothing there, as the definition says.

T = MemberEvent.Kind


def _counted() -> dict:
    return {f"members.in_{name}" if name else "members.in": Count("pk", filter=condition)
            for name, (_, condition) in BREAKDOWN.items()}


def _members(pks):
    return Member.objects.filter(rollups.subjects("pk", pks), join_date__isnull=False)


# Every part starts from the member (its primary key) and joins its events: a batch of members is read through
# the primary key and the events' member index, whatever the planner thinks of the events' other indexes.
def _transfers(pks):
    return _members(pks).filter(events__kind=T.TRANSFERRED, events__date__gt=F("join_date"))


_ENDED_ON = Coalesce(Greatest("status_date", "join_date"), "join_date")
_TRANSFER_COUNTS_ON = Case(  # the transfer itself, or the end of the membership if that came first
    When(status=Member.Status.ACTIVE, then=F("events__date")),
    default=Least("events__date", _ENDED_ON))

rollups.source("members", Member, [
    rollups.Part(_members, org="org_id", day="join_date", counters=_counted()),
    rollups.Part(lambda pks: _members(pks).exclude(status=Member.Status.ACTIVE), org="org_id", day=_ENDED_ON,
                 counters=_counted(), sign=-1),
    rollups.Part(_transfers, org="events__to_org_id", day="join_date", counters=_counted(), sign=-1),
    rollups.Part(_transfers, org="events__org_id", day="join_date", counters=_counted()),
    rollups.Part(_transfers, org="events__to_org_id", day=_TRANSFER_COUNTS_ON, counters=_counted()),
    rollups.Part(_transfers, org="events__org_id", day=_TRANSFER_COUNTS_ON, counters=_counted(), sign=-1),
    rollups.Part(lambda pks: Member.objects.filter(rollups.subjects("pk", pks),
                                                   events__kind__in=[T.JOINED, T.REJOINED]),
                 org="events__org_id", day="events__date",
                 counters={f"members.joined_{n}" if n else "members.joined": Count("pk", filter=c)
                           for n, (_, c) in BREAKDOWN.items()}),
    rollups.Part(lambda pks: Member.objects.filter(rollups.subjects("pk", pks),
                                                   events__kind__in=[T.LEFT, T.RETIRED, T.DECEASED]),
                 org="events__org_id", day="events__date",
                 counters={f"members.{k}": Count("pk", filter=Q(events__kind=k))
                           for k in (T.LEFT, T.RETIRED, T.DECEASED)}),
], watch={Member: "pk", MemberEvent: "member_id"})


_DEFINED_AT = "截至期末：入会日期不晚于期末、期末时会籍未终止，按期末时所在工会计入（期末后的转会已还原）"
for _name, (_part, _) in BREAKDOWN.items():
    _key = _name or "total"
    figure(f"members.{_key}", label=_of_which("期末会员数", _part), unit="人",
           definition=f"{_part or '全部'}会员人数，{_DEFINED_AT}。",
           tally=Stock(f"members.in_{_name}" if _name else "members.in"))(
        lambda org, start, end, k=_key: members_at(org, end)[k])
    figure(f"members.joined_{_name}" if _name else "members.joined", label=_of_which("期内新入会会员", _part),
           unit="人", definition=f"期内入会或重新入会的{_part or ''}会员人次，计入其入会时的工会。",
           tally=Flow(f"members.joined_{_name}" if _name else "members.joined"))(
        lambda org, start, end, k=_key: joined_in(org, start, end)[k])


@figure("members.transfers_in", label="期内转入会员", unit="人", additive=False,
        definition="期内批准的转会中，转入工会在本组织范围内、转出工会不在范围内的人次（范围内部的转会不计）。")
def transfers_in(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.TRANSFERRED, side="to_org").exclude(_within(org)).count()


@figure("members.transfers_out", label="期内转出会员", unit="人", additive=False,
        definition="期内批准的转会中，转出工会在本组织范围内、转入工会不在范围内的人次（范围内部的转会不计）。")
def transfers_out(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.TRANSFERRED).exclude(_within(org, "to_org")).count()


@figure("members.left", label="期内退会", unit="人", tally=Flow("members.left"),
        definition="期内会籍因退会终止的人数，计入当时所在工会。")
def left(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.LEFT).count()


@figure("members.retired", label="期内退休", unit="人", tally=Flow("members.retired"),
        definition="期内会籍因退休终止的人数，计入当时所在工会。")
def retired(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.RETIRED).count()


@figure("members.deceased", label="期内去世", unit="人", tally=Flow("members.deceased"),
        definition="期内会籍因去世终止的人数，计入当时所在工会。")
def deceased(org, start, end):
    return _events(org, start, end, MemberEvent.Kind.DECEASED).count()
