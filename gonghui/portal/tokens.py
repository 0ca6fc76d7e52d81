"""Signed tokens of the portal (django.core.signing, keyed by SECRET_KEY): the join link printed on a
union's poster, and the short-lived token in a member card's QR code."""

import datetime

from django.core import signing

from .models import JoinLink, MemberCard

JOIN_SALT = "gonghui.portal.join"
CARD_SALT = "gonghui.portal.card"
CARD_TOKEN_TTL = datetime.timedelta(minutes=5)  # the card page refreshes its QR code every minute


def join_token(link: JoinLink) -> str:
    return signing.dumps({"o": link.org_id, "v": link.version}, salt=JOIN_SALT, compress=True)


def join_link_for(token: str) -> JoinLink | None:
    """The union's link when the token is genuine, of the link's current version and not revoked."""
    try:
        data = signing.loads(token, salt=JOIN_SALT)
        link = JoinLink.objects.select_related("org").get(org_id=data["o"])
    except (signing.BadSignature, JoinLink.DoesNotExist, KeyError, TypeError):
        return None
    if link.revoked or link.version != data.get("v"):
        return None
    return link


def card_token(card: MemberCard) -> str:
    return signing.TimestampSigner(salt=CARD_SALT).sign_object({"c": card.pk}, compress=True)


class CardTokenExpired(Exception):
    def __init__(self, card: MemberCard | None):
        self.card = card


def card_for(token: str) -> MemberCard | None:
    """The card of a genuine, unexpired token; None for a forged one; CardTokenExpired for an old one."""
    signer = signing.TimestampSigner(salt=CARD_SALT)
    try:
        data = signer.unsign_object(token, max_age=CARD_TOKEN_TTL)
    except signing.SignatureExpired:
        try:
            data = signer.unsign_object(token)  # genuine but old: say so, and which card
        except signing.BadSignature:
            return None
        raise CardTokenExpired(
            MemberCard.objects.filter(pk=data.get("c")).select_related("member__org").first()) from None
    except signing.BadSignature:
        return None
    return MemberCard.objects.filter(pk=data.get("c")).select_related("member__org", "org").first()
