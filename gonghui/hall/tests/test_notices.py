"""Issue 12, point 3 (one notify()): the hall tells the applicant through `notify()` after commit, in words
that read naturally whether or not the item's name already ends in 申请."""

import pytest
from django.db import transaction

from gonghui.conftest import make_cadre
from gonghui.hall import actions
from gonghui.notifications.models import Notification

from .test_actions import file

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(django_user_model):
    return django_user_model.objects.create(username="w_applicant")


def test_applicant_notice_names_the_item_once_as_an_application(tree, applicant, django_capture_on_commit_callbacks):
    """Issue 12, point 3: 困难职工帮扶申请 is not called “申请申请”; 技能培训报名 is called an application."""
    hardship = file(tree, applicant)
    training = file(tree, applicant, "skills_training", raw={"name": "李四", "mobile": "13812345678", "course": "电工"})
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(hardship, "accept", by=make_cadre(tree["G1111"], "operator"))
        actions.transition(training, "accept", by=make_cadre(tree["K11"], "operator"))
    texts = list(Notification.objects.filter(user=applicant).order_by("id").values_list("text", "link"))
    assert texts == [
        (f"您的“困难职工帮扶申请”（{hardship.number}）已受理。", f"/w/hall/{hardship.pk}/"),
        (f"您的“技能培训报名”申请（{training.number}）已受理。", f"/w/hall/{training.pk}/"),
    ]


def test_refused_transition_notifies_nobody(tree, applicant, django_capture_on_commit_callbacks):
    """Issue 12, point 3: a transition that fails (here: a cadre without the step's role) rolls back, and the
    applicant is told nothing."""
    app = file(tree, applicant)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(actions.DomainError), transaction.atomic():
            actions.transition(app, "accept", by=make_cadre(tree["G1111"], "approver"))
    assert callbacks == [] and not Notification.objects.exists()
