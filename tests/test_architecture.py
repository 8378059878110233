"""The layout holds: one owner of URLs and output paths, and imports that only run downward."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"
# Folders of output/ (and so of site URLs); only urls.py may put them into a path.
OUTPUT_FOLDER = re.compile(r"(?<![\w/.-])(assertions|achievements|issuers|earners|credentials|status|assets)/"
                           r"(?!<)")
SITE_URL_NAMES = {"base_url"}


def _modules() -> dict[str, ast.Module]:
    return {p.relative_to(PACKAGE).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _is_site_url(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in SITE_URL_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in SITE_URL_NAMES)


def _hand_built(tree: ast.Module) -> list[str]:
    """Places that build a site path or URL by hand: folder literals, base_url + ..., f"{base_url}..."."""
    found = []
    seen_in_fstrings: set[int] = set()
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    nodes = sorted(ast.walk(tree), key=lambda n: not isinstance(n, ast.JoinedStr))  # f-strings first
    for node in nodes:
        if isinstance(node, ast.JoinedStr):
            first = node.values[0] if node.values else None
            if isinstance(first, ast.FormattedValue) and _is_site_url(first.value) and len(node.values) > 1:
                found.append(f"line {node.lineno}: f-string starting with the base URL")
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if OUTPUT_FOLDER.search(literal) and "content/" not in literal and " " not in literal:
                found.append(f"line {node.lineno}: f-string with an output folder: {literal!r}")
            seen_in_fstrings.update(id(v) for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                and id(node) not in seen_in_fstrings:
            if OUTPUT_FOLDER.search(node.value) and "content/" not in node.value and " " not in node.value:
                found.append(f"line {node.lineno}: literal output path {node.value!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_site_url(node.left):
            found.append(f"line {node.lineno}: base URL + ...")
    return found


def test_only_urls_builds_site_urls_and_output_paths() -> None:
    offenders = {}
    for name, tree in _modules().items():
        if name == "urls.py" or name.startswith("verify/"):  # the verifier reads others' URLs, never ours
            continue
        if found := _hand_built(tree):
            offenders[name] = found
    assert offenders == {}


def test_the_check_finds_hand_built_urls() -> None:
    bad = ast.parse('def f(config, uid):\n    a = config.base_url + "x"\n    b = f"{base_url}assertions/{uid}.json"\n'
                    '    return "assertions/" + uid\n')
    assert len(_hand_built(bad)) == 4, _hand_built(bad)
