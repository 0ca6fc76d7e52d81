from gonghui.members.models import Member


def test_join_member_stores_masked_and_encrypted(member_factory):
    member = member_factory(mobile="13812345678")
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert member.id_masked == "340102********1232"[:6] + "********" + member.id_masked[-4:]
    assert member.mobile_masked == "138****5678"
    assert "13812345678" not in member.mobile_enc
    assert len(member.member_number) == 15
