"""The URL walker's samples of the accounts app (gonghui/common/tests/walking.py says how they are used): the
accounts in the back office, read and added by the account administrators within their subtree, and the
account's own pages (password, two-factor, sign-out)."""

from gonghui.accounts.models import User
from gonghui.common.tests.walking import ACCOUNT_ADMINS, admin_model, open_

OUTSIDE_USER = "芜湖外部干部"  # the full name of outsider_k21, a K21 cadre
INSIDE_USER = "瑶海内部干部"  # the full name of insider_t111
OUTSIDE_MARKERS = ["outsider_k21"]

SAMPLES = {
    "accounts:two_factor": open_("auth: the second factor of the account itself"),
    "accounts:logout": open_("auth: ends the session of the account itself"),
    "password_change": open_("auth: the account's own password (our view in place of the admin's)"),
    **admin_model("accounts_user", "user", roles=ACCOUNT_ADMINS, add_roles=ACCOUNT_ADMINS,
                  hides=["outsider_k21", OUTSIDE_USER], shows=INSIDE_USER,
                  extra_queries=[lambda w: "?q=outsider", lambda w: "?q=外部干部"]),
}


def build(world) -> None:
    """Names the world's two cadres (world.user of K21, world.inside.user of T111) with distinctive texts."""
    for user, name in ((world.user, OUTSIDE_USER), (world.inside.user, INSIDE_USER)):
        User.objects.filter(pk=user.pk).update(full_name=name)
        user.refresh_from_db()
