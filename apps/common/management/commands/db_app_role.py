"""Create or update the PostgreSQL role the application runs as (production; docs/operations.md).

Migrations run as the database owner; web, worker and beat connect as this role, which gets DML only:
SELECT/INSERT/UPDATE/DELETE on the tables (now and, through default privileges, on tables later migrations
create), no DDL, no TRUNCATE anywhere, and no UPDATE/DELETE on the append-only tables (the audit chain).
Not being the owner it also cannot disable the append-only trigger (SECURITY.md AUD-04). Idempotent.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.common.audit import audit_record

# Tables whose rows are never changed once written. Besides this list, every table with a trigger calling a
# function named ``*_append_only`` (the convention of the append-only migrations, e.g. the draw tables) counts.
APPEND_ONLY_TABLES = ["common_auditevent"]
APPEND_ONLY_TRIGGER_TABLES = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND n.nspname = 'public' AND p.proname LIKE '%append_only'
"""
DML = "SELECT, INSERT, UPDATE, DELETE"


def app_role_grant(
    role: str, password: str | None = None, append_only=APPEND_ONLY_TABLES
) -> tuple[list[str], list[str]]:
    """Apply the grants. Returns the statements run (the password is a parameter, never listed) and the
    append-only tables found."""
    from psycopg2 import sql

    ident = sql.Identifier(role)
    statements: list = []
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cur.fetchone() is None:
            statements.append(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(ident))
        statements += [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(connection.settings_dict["NAME"]), ident
            ),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL("GRANT " + DML + " ON ALL TABLES IN SCHEMA public TO {}").format(ident),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT " + DML + " ON TABLES TO {}").format(ident),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(ident),
            sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(ident),
        ]
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        existing = {row[0] for row in cur.fetchall()}
        cur.execute(APPEND_ONLY_TRIGGER_TABLES)
        guarded = sorted((set(append_only) | {row[0] for row in cur.fetchall()}) & existing)
        for table in guarded:
            statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), ident))
        done = []
        for stmt in statements:
            cur.execute(stmt)
            done.append(stmt.as_string(cur.connection))
        if password:
            cur.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD %s").format(ident), [password])
    return done, guarded


class Command(BaseCommand):
    help = "创建/更新应用使用的 PostgreSQL 角色：只授予增删改查，不授予 TRUNCATE，审计表只可追加。需以数据库属主运行。"

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用数据库角色名，如 haining_app")
        parser.add_argument(
            "--password-env",
            default="APP_DB_PASSWORD",
            help="从该环境变量读取角色密码（默认 APP_DB_PASSWORD；为空则不修改密码）",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("db_app_role 仅适用于 PostgreSQL（当前数据库不是 PostgreSQL）")
        role = options["role"]
        if role == connection.settings_dict.get("USER"):
            raise CommandError("应用角色不能与当前（属主）角色相同")
        password = os.environ.get(options["password_env"]) or None
        with transaction.atomic():
            done, guarded = app_role_grant(role, password)
            audit_record(
                "db.app_role_grant",
                object_type="postgres.role",
                object_id=role,
                object_repr=role,
                extra={
                    "statements": len(done),
                    "append_only": [
                        d.split(" ON ")[1].split(" FROM ")[0] for d in done if d.startswith("REVOKE UPDATE")
                    ],
                },
            )
        self.stdout.write(
            f"数据库角色 {role}：已执行 {len(done)} 条授权语句（无 TRUNCATE；只可追加的表：{'、'.join(guarded) or '无'}）。"
        )
