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

# Tables whose rows are never changed once written. Apps with such tables (e.g. published draws) add them here.
APPEND_ONLY_TABLES = ["common_auditevent"]
DML = "SELECT, INSERT, UPDATE, DELETE"


def app_role_grant(role: str, password: str | None = None, append_only=APPEND_ONLY_TABLES) -> list[str]:
    """Apply the grants; returns the statements run (without the password)."""
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
        for table in append_only:
            if table in existing:
                statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), ident))
        done = []
        for stmt in statements:
            cur.execute(stmt)
            done.append(stmt.as_string(cur.connection))
        if password:
            cur.execute(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD %s").format(ident), [password])
    return done


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
            done = app_role_grant(role, password)
            audit_record(
                "db.app_role_grant",
                object_type="postgres.role",
                object_id=role,
                object_repr=role,
                extra={"statements": len(done), "append_only": APPEND_ONLY_TABLES},
            )
        self.stdout.write(f"数据库角色 {role}：已执行 {len(done)} 条授权语句（无 TRUNCATE；审计表只可追加）。")
