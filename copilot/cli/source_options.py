"""`--source simulator|chatwoot|matrix` and how to reach it, shared by `copilot run` and `copilot selftest`.

The secret never goes on the command line (it would sit in the shell history and the process
list): it comes from an environment variable named with --password-env / --token-env, or else from
the OS keyring where Copilot ▸ Chat source… saved it.
"""
from __future__ import annotations

import argparse
import os
import sys

from copilot.sources.config import SOURCE_KINDS, SourceConfig


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("chat source (default: the one in your settings, else the simulator)")
    group.add_argument("--source", choices=SOURCE_KINDS, help="where the chats come from")
    group.add_argument("--url", "--homeserver", dest="source_url", metavar="URL",
                       help="the Chatwoot install or the Matrix homeserver, e.g. https://chat.example.com")
    group.add_argument("--user", dest="source_user", metavar="NAME", help="Matrix: the agent's user (@dana:example.com or dana)")
    group.add_argument("--password-env", metavar="VAR", help="Matrix: read the password from this environment variable")
    group.add_argument("--token-env", metavar="VAR",
                       help="read an access token from this environment variable (Chatwoot; Matrix instead of a password)")
    group.add_argument("--space", dest="source_space", metavar="ROOM", help="Matrix: only rooms in this space (!id or #alias)")


def source_from_args(args: argparse.Namespace, command: str) -> tuple[SourceConfig | None, str | None]:
    """(config, secret) asked for on the command line; (None, None) when --source was not given.
    Bad input prints one line and exits 2."""
    if not getattr(args, "source", None):
        return None, None
    try:
        secret = None
        for flag, var in (("--password-env", args.password_env), ("--token-env", args.token_env)):
            if var:
                secret = os.environ.get(var)
                if not secret:
                    raise ValueError(f"{flag} {var}: that environment variable is not set or empty")
        login = "token" if args.token_env or args.source == "chatwoot" else "password"
        config = SourceConfig(kind=args.source, url=args.source_url or "", user=args.source_user or "", login=login,
                              space=args.source_space or "").validated()
        if config.kind != "simulator" and secret is None:
            from copilot import secrets

            secret = secrets.get_source_secret(config.secret_account)
            if not secret:
                what = "--token-env VAR" if login == "token" else "--password-env VAR"
                raise ValueError(f"no {'token' if login == 'token' else 'password'} for {config.url}: "
                                 f"give {what}, or save it in Copilot ▸ Chat source…")
        return config, secret
    except ValueError as exc:
        print(f"copilot {command}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
