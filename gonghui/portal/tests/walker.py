"""The URL walker's samples of the worker portal (gonghui/common/tests/walking.py says how they are used): the
back-office pages for online applications, join links and member cards, and the worker pages (/w/), the
service hall's included, which answer 404 to every cadre; sign-in, the poster link and the card check are
public."""

from gonghui.accounts import sms
from gonghui.common.tests.walking import ALL, MEMBER_EDITORS, WORKER_PAGES, admin_model, closed, obj, open_
from gonghui.members.actions import join_member
from gonghui.members.tests.conftest import make_facts, make_id
from gonghui.members.tests.walker import INSIDE_MEMBER, OUTSIDE_MEMBER
from gonghui.orgs.tests.walker import OUTSIDE_GRASSROOTS
from gonghui.portal import actions
from gonghui.portal.tests.conftest import raw_facts, sign_up

OUTSIDE_APPLICANT = "芜湖外区申请人"  # an online application to G2111
INSIDE_APPLICANT = "瑶海内部申请人"
OUTSIDE_BINDER = "芜湖外区绑定人"  # a member of G2111 without a mobile, whose binding waits for the union
INSIDE_BINDER = "瑶海内部绑定人"

SAMPLES = {
    **admin_model("portal_joinapplication", "application", roles=ALL, hides=[OUTSIDE_APPLICANT],
                  shows=INSIDE_APPLICANT, extra_queries=[lambda w: "?q=外区申请"]),
    "admin:portal_joinapplication_accept": obj(lambda w: {"object_id": w.application.pk}),
    "admin:portal_joinapplication_return_to_worker": obj(lambda w: {"object_id": w.application.pk}),
    **admin_model("portal_joinlink", "join_link", roles=ALL, add_roles=MEMBER_EDITORS, hides=[OUTSIDE_GRASSROOTS],
                  shows="合肥瑶海机械有限公司工会"),
    **{f"admin:portal_joinlink_{name}": obj(lambda w: {"object_id": w.join_link.pk})
       for name in ("poster_png", "poster_pdf", "rotate", "revoke")},
    **admin_model("portal_membercard", "card", roles=ALL, hides=[OUTSIDE_MEMBER], shows=INSIDE_MEMBER),
    "admin:portal_membercard_revoke": obj(lambda w: {"object_id": w.card.pk}),
    # Bindings the union confirms, scoped by the member's union.
    **admin_model("portal_bindingrequest", "binding", roles=ALL, hides=[OUTSIDE_BINDER], shows=INSIDE_BINDER),
    "admin:portal_bindingrequest_confirm": obj(lambda w: {"object_id": w.binding.pk}),
    "admin:portal_bindingrequest_reject": obj(lambda w: {"object_id": w.binding.pk}),
    # The worker pages.
    "portal:home": closed(WORKER_PAGES),
    "portal:bind": closed(WORKER_PAGES),
    "portal:find_union": closed(WORKER_PAGES),
    "portal:card": closed(WORKER_PAGES),
    "portal:profile": closed(WORKER_PAGES),
    "portal:apply": closed(WORKER_PAGES, lambda w: {"org_id": w.grassroots.pk},
                           inside=lambda w: {"org_id": w.inside.org.pk}),
    "portal:application": closed(WORKER_PAGES, lambda w: {"pk": w.application.pk},
                                 inside=lambda w: {"pk": w.inside.application.pk}),
    "portal:withdraw": closed(WORKER_PAGES, lambda w: {"pk": w.application.pk},
                              inside=lambda w: {"pk": w.inside.application.pk}),
    # The service hall's worker pages, with the hall's applications (gonghui/hall/tests/walker.py).
    "portal:hall": closed(WORKER_PAGES),
    "portal:hall_apply": closed(WORKER_PAGES, lambda w: {"code": "hardship_aid"},
                                inside=lambda w: {"code": "legal_aid"}),
    "portal:hall_application": closed(WORKER_PAGES, lambda w: {"pk": w.hall_app.pk},
                                      inside=lambda w: {"pk": w.inside.hall_app.pk}),
    "portal:sign_in": open_("auth: the worker sign-in page"),
    "portal:send_code": open_("auth: sends a sign-in code to the number typed, rate-limited"),
    "portal:sign_out": open_("auth: ends the session of the account itself"),
    "portal:scan": open_("public: a poster's signed join link; a forged or old one answers 404, names no data"),
    "card_verify": open_("public: a card's signed token; shows only valid/revoked/expired, masked name, union"),
}


def build(world) -> None:
    """An online application of a worker to each side (G2111, G1111), each side's join link and a card of each
    side's member, and a binding waiting for each side's union (a member without a mobile)."""
    tree = world.tree
    for side, org, number, name, seq, binder in (
            (world, "G2111", "13966660001", OUTSIDE_APPLICANT, 517, OUTSIDE_BINDER),
            (world.inside, "G1111", "13966660002", INSIDE_APPLICANT, 518, INSIDE_BINDER)):
        worker = sign_up(sms.outbox, number)
        region = tree[org].region_code
        side.application = actions.submit_application(
            worker=worker, org=tree[org], channel="search",
            raw=raw_facts(name=name, id_number=make_id(region, "19900909", seq), mobile=""))
        side.join_link = actions.join_link(tree[org], by=side.user)
        side.card = actions.current_card(side.member)
        binder_id = make_id(region, "19900909", seq + 2)
        join_member(org=tree[org], by=side.user, facts=make_facts(name=binder, id_number=binder_id))
        side.binding = actions.bind_member(worker=worker, name=binder, id_number=binder_id)
