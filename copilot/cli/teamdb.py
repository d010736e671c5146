"""`copilot teamdb`: set up the team store on PostgreSQL, its users, and this computer's password.

    copilot teamdb init  --db postgresql://postgres@db.example.com/copilot     create or migrate
    copilot teamdb user  --db ... --agent ann | --lead lee [--password-stdin]  a login for an agent or a lead
    copilot teamdb login --db postgresql://ann@db.example.com/copilot [--password-stdin]   keep the password

`init` creates the schema (or brings it up to date) and the two roles; it refuses a store written
by a newer version. Passwords go to the OS keyring, never to settings or the command line's output.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("teamdb", help="set up the PostgreSQL team store, its users and your password",
                                   description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("init", "create the team store's schema and roles, or migrate them (run as the owner)"),
                       ("user", "create a login for an agent (writes and reads only their own) or a lead (reads all)"),
                       ("login", "check a user's password and keep it in the OS keyring")):
        sub = actions.add_parser(name, help=text, description=text)
        add_store_options(sub)
        if name == "user":
            who = sub.add_mutually_exclusive_group(required=True)
            who.add_argument("--agent", metavar="NAME", help="the agent's name exactly as the app logs it")
            who.add_argument("--lead", metavar="NAME", help="a team lead's login name")
        if name != "init":
            sub.add_argument("--password-stdin", action="store_true",
                             help="read the password from the first line of standard input")
        sub.add_argument("--json", action="store_true", help="print the outcome as JSON")
        sub.set_defaults(func=handle)


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, metavar="URL",
                        help="the team store: postgresql://USER@HOST[:PORT]/DATABASE "
                             "(password: keyring, PGPASSWORD or ~/.pgpass)")
    parser.add_argument("--sslmode", metavar="MODE",
                        help="TLS: disable, allow, prefer (default), require, verify-ca or verify-full")


def store_config(args: argparse.Namespace, command: str):
    """The parsed --db/--sslmode, or None after printing what is wrong."""
    from copilot.teamstore.config import StoreConfig
    from copilot.teamstore.errors import TeamStoreError

    try:
        return StoreConfig.parse(args.db, args.sslmode)
    except TeamStoreError as exc:
        print(f"copilot {command}: {exc}", file=sys.stderr)
        return None


def _password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(prompt)


def handle(args: argparse.Namespace) -> int:
    from copilot.teamstore.config import connect, resolve_password
    from copilot.teamstore.errors import TeamStoreError, operation_error

    config = store_config(args, "teamdb")
    if config is None:
        return 2
    outcome: dict = {"store": config.display, "action": args.action}
    if args.action == "user":
        name = (args.agent or args.lead or "").strip()
        password = _password(args, f"Password for the new user {name}: ")
        if not name or not password:
            print("copilot teamdb user: a user needs a name and a password", file=sys.stderr)
            return 2
    try:
        if args.action == "login":
            password = _password(args, f"Password for {config.user} on {config.target}: ")
            connect(config, password).close()  # a wrong password is refused here, never saved
            from copilot.secrets import set_team_store_password

            saved = set_team_store_password(config.account, password)
            outcome["summary"] = f"The team store accepted {config.user}'s password. {saved}"
        else:
            conn = connect(config, resolve_password(config))
            try:
                outcome |= _init(conn, config) if args.action == "init" else _user(conn, name, args.agent, password)
            except Exception as exc:
                raise operation_error(exc, f"running teamdb {args.action}") from None
            finally:
                conn.close()
    except TeamStoreError as exc:
        print(f"copilot teamdb {args.action}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outcome, indent=2) if args.json else outcome["summary"])
    return 0


def _init(conn, config) -> dict:
    from copilot.teamstore.schema import init_store

    before, now = init_store(conn, config.target)
    if before == now:
        summary = f"The team store at {config.target} is up to date (schema v{now})."
    elif before is None:
        summary = (f"Created the team store at {config.target} (schema v{now}) "
                   "and the roles copilot_agent and copilot_lead.")
    else:
        summary = f"Migrated the team store at {config.target} from schema v{before} to v{now}."
    return {"schema_before": before, "schema": now, "summary": summary}


def _user(conn, name: str, agent: str | None, password: str) -> dict:
    from psycopg import sql

    from copilot.teamstore.schema import AGENT_ROLE, LEAD_ROLE

    group = AGENT_ROLE if agent else LEAD_ROLE
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        verb = "ALTER" if cur.fetchone() else "CREATE"
        cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
        cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))
    kind = "agent" if agent else "lead"
    return {"user": name, "role": group,
            "summary": f"{'Updated' if verb == 'ALTER' else 'Created'} the {kind} login {name!r} ({group})."}
