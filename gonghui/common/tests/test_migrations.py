"""Every model change has its migration (a forgotten one fails here, not on a production deploy)."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_without_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail("Model changes without a migration:\n" + out.getvalue())
