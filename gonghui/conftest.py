"""Shared test fixtures: a five-level tree with siblings at every level, and cadres placed in it."""

import datetime
import logging

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.actions import create_cadre
from gonghui.common.actors import system_actor
from gonghui.common.audit import _ID_RE, _PHONE_RE, mask_text
from gonghui.orgs.actions import create_org
from gonghui.orgs.models import Org

PASSWORD = "Gonghui#2026test"

# code: (parent code, kind, name, region)
TREE = {
    "P": (None, Org.Kind.FEDERATION, "安徽省总工会", "340000"),
    "C1": ("P", Org.Kind.FEDERATION, "合肥市总工会", "340100"),
    "C2": ("P", Org.Kind.FEDERATION, "芜湖市总工会", "340200"),
    "I1": ("P", Org.Kind.INDUSTRIAL, "安徽省能源化学工会", "340000"),
    "K11": ("C1", Org.Kind.FEDERATION, "瑶海区总工会", "340102"),
    "K12": ("C1", Org.Kind.FEDERATION, "庐阳区总工会", "340103"),
    "K21": ("C2", Org.Kind.FEDERATION, "镜湖区总工会", "340202"),
    "T111": ("K11", Org.Kind.FEDERATION, "明光路街道总工会", "340102"),
    "T121": ("K12", Org.Kind.FEDERATION, "三孝口街道总工会", "340103"),
    "T211": ("K21", Org.Kind.FEDERATION, "范罗山街道总工会", "340202"),
    "G1111": ("T111", Org.Kind.GRASSROOTS, "合肥瑶海机械有限公司工会", "340102"),
    "G1112": ("T111", Org.Kind.JOINT, "明光路商圈联合工会", "340102"),
    "G1211": ("T121", Org.Kind.GRASSROOTS, "合肥庐阳食品有限公司工会", "340103"),
    "G2111": ("T211", Org.Kind.GRASSROOTS, "芜湖镜湖纺织有限公司工会", "340202"),
}


def build_tree() -> dict[str, Org]:
    orgs: dict[str, Org] = {}
    for code, (parent, kind, name, region) in TREE.items():
        orgs[code] = create_org(
            by=system_actor(), parent=orgs.get(parent), code=code, name=name, kind=kind, region_code=region,
            founded_on=datetime.date(2020, 1, 1),
        )
    return orgs


@pytest.fixture
def tree(db) -> dict[str, Org]:
    return build_tree()


def make_cadre(org: Org, *roles: str, username: str | None = None):
    """A cadre of `org` with `roles` and a confirmed TOTP device."""
    user = create_cadre(username=username or f"u_{org.code}_{'_'.join(roles) or 'viewer'}", password=PASSWORD,
                        org=org, roles=set(roles), must_change_password=False, by=system_actor())
    TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    return user


def login(client, user):
    """Log `client` in as `user`, two-factor verified."""
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def cadre_client(client):
    """cadre_client(org, *roles) -> a test client logged in (with 2FA) as a new cadre of org."""
    def make(org: Org, *roles: str):
        user = make_cadre(org, *roles)
        login(client, user)
        client.user = user
        return client
    return make


# No ID number or phone in the logs (R-PI-9) -------------------------------------

_LOG_FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def pii_in_log_lines(lines, *, context: int = 60) -> list[str]:
    """Where lines show an 18-character ID number or a mobile number (the patterns audit entries are
    masked by): the logger name and the text around each match, masked, so a report repeats no number."""
    found = []
    for line in lines:
        for match in (*_ID_RE.finditer(line), *_PHONE_RE.finditer(line)):
            start, end = max(match.start() - context, 0), match.end() + context
            head = line.split(" ", 1)[0] + " … " if start else ""
            found.append(head + mask_text(line[start:end]) + (" …" if end < len(line) else ""))
    return list(dict.fromkeys(found))


class PiiLogGuard(logging.Handler):
    """Collects every log record a test's code emits, whatever its level: on the root logger (lowered
    to DEBUG meanwhile, as LOG_LEVEL=DEBUG would) and on each logger that does not propagate.
    Loggers keep their configured levels: `django` stays at INFO, as in every deployment (Django's
    DEBUG records, such as template lookups dumping a page's whole context, are never emitted)."""

    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self._attached: list[logging.Logger] = []
        self._levels: list[tuple[logging.Logger, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def start(self) -> "PiiLogGuard":
        root = logging.getLogger()
        others = [lg for lg in logging.Logger.manager.loggerDict.values()
                  if isinstance(lg, logging.Logger) and not lg.propagate]
        self._attached = [root, *others]
        for logger in self._attached:
            logger.addHandler(self)
        self._levels.append((root, root.level))
        root.setLevel(logging.DEBUG)
        return self

    def stop(self) -> None:
        for logger in self._attached:
            logger.removeHandler(self)
        for logger, level in self._levels:
            logger.setLevel(level)

    def lines(self) -> list[str]:
        out = []
        for record in self.records:
            try:
                out.append(_LOG_FORMAT.format(record))
            except Exception:  # a record that does not format still counts, by its raw parts
                out.append(f"{record.name} {record.msg} {record.args}")
        return out

    def problems(self) -> list[str]:
        return pii_in_log_lines(self.lines())

    def check(self) -> None:
        if problems := self.problems():
            pytest.fail("日志中出现了身份证号或手机号（R-PI-9）；已打码的日志行：\n" + "\n".join(problems),
                        pytrace=False)


@pytest.fixture(autouse=True)
def pii_log_guard():
    """Fails a test whose code logged an ID number or a mobile number (at any level)."""
    guard = PiiLogGuard().start()
    try:
        yield guard
    finally:
        guard.stop()
    guard.check()


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Text messages go to `gonghui.accounts.sms.outbox` (emptied for each test), as Django does for email."""
    from gonghui.accounts import sms

    settings.SMS_BACKEND = "gonghui.accounts.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox
