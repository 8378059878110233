"""The ``badgesite`` command. Library errors become a clean message and an exit code."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from site_builder import __version__
from site_builder.errors import BadgesiteError

log = logging.getLogger("site_builder")


def _site_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                   help="the site folder, where site.toml is (default: the current folder)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="badgesite", description="Open Badges static sites.")
    top.add_argument("--version", action="version", version=f"badgesite {__version__}")
    top.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    top.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new", help="scaffold a new site that builds at once")
    p.add_argument("directory", type=Path)
    p.add_argument("--base-url", required=True, help="e.g. https://user.github.io/my-site/")
    p.add_argument("--title", default="", help="site title (default: from the folder name)")

    for name, text in (("build", "build the site into output/"), ("check", "run every content check, write nothing")):
        p = sub.add_parser(name, help=text)
        _site_arg(p)
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")
        if name == "build":
            p.add_argument("--base-url", help="build a preview for another address (forks, local testing)")

    p = sub.add_parser("serve", help="preview with live reload; rebuilds on change")
    _site_arg(p)
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")

    p = sub.add_parser("issue", help="award an achievement to one earner or a CSV roster")
    _site_arg(p)
    p.add_argument("achievement", help="achievement slug or path of its file")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--to", metavar="EMAIL", help="the earner's email (stored only hashed)")
    who.add_argument("--csv", type=Path, metavar="ROSTER", help="CSV with name,email[,evidence,narrative]")
    p.add_argument("--name", help="the earner's display name (with --to)")
    p.add_argument("--evidence", metavar="URL", help="evidence URL (with --to)")
    p.add_argument("--narrative", metavar="TEXT", help="Markdown narrative of this award (with --to)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="issue date (default: today)")
    p.add_argument("--expires", metavar="YYYY-MM-DD", help="expiry date")

    p = sub.add_parser("revoke", help="revoke an assertion (final)")
    _site_arg(p)
    p.add_argument("assertion", help="assertion id, file or URL")
    p.add_argument("--reason", required=True)
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("reissue", help="issue a corrected copy of an assertion and revoke the old one")
    _site_arg(p)
    p.add_argument("assertion")
    p.add_argument("--name", help="corrected earner display name")
    p.add_argument("--reason", default="Reissued with corrections")

    p = sub.add_parser("unpublish", help="remove an assertion from the site entirely (takedown)")
    _site_arg(p)
    p.add_argument("assertion")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("list", help="find assertions by earner, achievement, issuer or status")
    _site_arg(p)
    p.add_argument("--earner", metavar="SLUG")
    p.add_argument("--achievement", metavar="SLUG")
    p.add_argument("--issuer", metavar="SLUG")
    p.add_argument("--status", choices=("valid", "expired", "revoked"))
    p.add_argument("--json", action="store_true", help="print JSON rows")

    p = sub.add_parser("sign", help="sign every Open Badges 3.0 credential and status list that is unsigned or stale")
    _site_arg(p)

    p = sub.add_parser("keys", help="signing keys of an issuer (Open Badges 3.0)")
    keys = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    for name, text in (("new", "make the issuer's first key and its did:web"),
                       ("rotate", "add a newer key; old ones stay published so old credentials verify")):
        k = keys.add_parser(name, help=text)
        _site_arg(k)
        k.add_argument("issuer", help="issuer slug")
        if name == "new":
            k.add_argument("--public-demo-key", action="store_true",
                           help="a key meant to be committed (demo sites only: anyone can sign with it)")

    p = sub.add_parser("bake", help="write a baked PNG/SVG badge image of an assertion")
    _site_arg(p)
    p.add_argument("assertion")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: <id>.<png|svg>)")
    p.add_argument("--ob3", action="store_true", help="bake the signed Open Badges 3.0 credential instead")

    p = sub.add_parser("verify", help="verify any Open Badge (2.0 or 3.0): a URL, a JSON/JWS file or a baked image")
    p.add_argument("source", help="badge or assertion page URL, JSON or JWS file, baked PNG/SVG, or an assertion "
                   "id or content file of the site")
    p.add_argument("--recipient", metavar="EMAIL", help="check that the badge was awarded to this email")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--site", type=Path, metavar="DIR", action="append", default=[],
                   help="serve this site's base_url from its built output folder (verify before deploying; "
                   "repeatable; the first is the site whose assertion ids are looked up)")
    p.add_argument("--map", action="append", default=[], metavar="PREFIX=DIR",
                   help="serve URLs under PREFIX from the files of DIR instead of fetching them (repeatable; "
                   "also for local addresses, which are never fetched)")
    p.add_argument("--now", metavar="ISO", help="verify as of this time (default: the current time)")
    _global_options_anywhere(sub)
    return top


def _global_options_anywhere(sub: argparse._SubParsersAction) -> None:
    """`badgesite build -q` works like `badgesite -q build` (and --debug likewise), at any depth."""
    for command in set(sub.choices.values()):
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _global_options_anywhere(action)


# command -> "module:function" under site_builder.commands, imported when the command runs
# (a no-change `badgesite build` then loads none of the issue-time or verification code).
HANDLERS: dict[str, str] = {
    "new": "site:new", "build": "site:build", "check": "site:check", "serve": "site:serve",
    "issue": "admin:issue", "revoke": "admin:revoke", "reissue": "admin:reissue", "unpublish": "admin:unpublish",
    "sign": "admin:sign", "keys": "admin:keys", "list": "admin:list_assertions", "bake": "badge:bake",
    "verify": "badge:verify",
}


def handler(command: str) -> Callable[[argparse.Namespace], int]:
    module, _, name = HANDLERS[command].partition(":")
    return getattr(importlib.import_module(f"site_builder.commands.{module}"), name)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    level = logging.DEBUG if args.debug else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s" if args.debug else "%(message)s",
                        stream=sys.stderr, force=True)
    try:
        return handler(args.command)(args)
    except BadgesiteError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `badgesite verify --json ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line, the traceback with --debug
        if args.debug:
            raise
        print(f"error: badgesite failed unexpectedly ({type(exc).__name__}: {exc}); run it again with --debug "
              "and report the traceback", file=sys.stderr)
        return 70
