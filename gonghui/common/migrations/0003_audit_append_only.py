"""On PostgreSQL a trigger refuses UPDATE and DELETE on the audit table (append-only, R-AUD-2)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION common_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除 (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER common_auditentry_append_only
    BEFORE UPDATE OR DELETE ON common_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION common_auditentry_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS common_auditentry_append_only ON common_auditentry;
DROP FUNCTION IF EXISTS common_auditentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # no placeholders: the "%" is PL/pgSQL's


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("common", "0002_load_regions")]
    operations = [migrations.RunPython(forward, backward)]
