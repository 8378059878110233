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


def _imports(tree: ast.Module) -> set[str]:
    """site_builder modules a module imports (at any depth of its body)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("site_builder"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("site_builder"))
    return found


# module (or package prefix) -> what it must never import
FORBIDDEN = {
    "model.py": ["site_builder."],  # the model imports nothing of ours but errors
    "urls.py": ["site_builder.load", "site_builder.validate", "site_builder.render", "site_builder.plan",
                "site_builder.serialise", "site_builder.build", "site_builder.admin", "site_builder.commands"],
    "errors.py": ["site_builder."],
    "config.py": ["site_builder.load", "site_builder.model", "site_builder.render", "site_builder.build",
                  "site_builder.admin", "site_builder.commands", "site_builder.validate"],
    "serialise/": ["site_builder.render", "site_builder.plan", "site_builder.commands", "site_builder.load",
                   "site_builder.build", "site_builder.admin"],
    "render/": ["site_builder.crypto", "site_builder.validate", "site_builder.load", "site_builder.plan",
                "site_builder.admin", "site_builder.build", "site_builder.commands"],
    "plan/": ["site_builder.load", "site_builder.validate", "site_builder.crypto", "site_builder.admin",
              "site_builder.commands", "site_builder.write"],
    "write/": ["site_builder.plan.routes", "site_builder.render", "site_builder.load", "site_builder.admin"],
    "verify/": ["site_builder.config", "site_builder.load", "site_builder.build", "site_builder.admin",
                "site_builder.render", "site_builder.plan", "site_builder.validate"],
    "load/": ["site_builder.validate", "site_builder.render", "site_builder.plan", "site_builder.build",
              "site_builder.admin", "site_builder.commands", "site_builder.serialise"],
    "validate/": ["site_builder.render", "site_builder.plan", "site_builder.build", "site_builder.admin",
                  "site_builder.commands"],
    "crypto/": ["site_builder.load", "site_builder.validate", "site_builder.render", "site_builder.plan",
                "site_builder.build", "site_builder.admin", "site_builder.commands"],
    "linkeddata/": ["site_builder.load", "site_builder.validate", "site_builder.render", "site_builder.plan",
                    "site_builder.build", "site_builder.admin", "site_builder.commands"],
    "admin/": ["site_builder.commands", "site_builder.build", "site_builder.serve"],
    "baking.py": ["site_builder.load", "site_builder.config", "site_builder.admin", "site_builder.build"],
}
ALLOWED = {"model.py": {"site_builder.errors"}}


def _violations(name: str, imported: set[str]) -> list[str]:
    bad = []
    for owner, prefixes in FORBIDDEN.items():
        if name == owner or (owner.endswith("/") and name.startswith(owner)):
            for module in sorted(imported - ALLOWED.get(owner, set())):
                if any(module == p.rstrip(".") or module.startswith(p if p.endswith(".") else p + ".")
                       or module == p for p in prefixes):
                    bad.append(module)
    return bad


def test_imports_only_run_downward() -> None:
    problems = {name: found for name, tree in _modules().items() if (found := _violations(name, _imports(tree)))}
    assert problems == {}


def test_commands_never_import_each_other() -> None:
    problems = {name: sorted(m for m in _imports(tree) if m.startswith("site_builder.commands.") and
                             m.rsplit(".", 1)[-1] in {"site", "admin", "badge"})
                for name, tree in _modules().items() if name.startswith("commands/")}
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_import_check_finds_an_upward_import() -> None:
    tree = ast.parse("from site_builder.render.pages import home_page\nimport site_builder.load.content\n")
    assert _violations("serialise/ob2.py", _imports(tree)) == ["site_builder.load.content",
                                                               "site_builder.render.pages",
                                                               "site_builder.render.pages.home_page"]


def test_only_admin_writes_under_content() -> None:
    """Writing calls (write_text/write_bytes/unlink/open for writing) outside admin/, write/, caches and keys."""
    writers = {"write_text", "write_bytes", "unlink", "rmtree", "rename", "mkdir", "touch"}
    os_writers = {"replace", "remove", "rename", "unlink", "makedirs", "rmdir"}
    allowed = ("admin/", "write/", "write.py", "caches.py", "crypto/keys.py", "build.py", "serve.py")
    found = {}
    for name, tree in _modules().items():
        if name.startswith(allowed):
            continue
        calls = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and (n.func.attr in writers or n.func.attr in os_writers and isinstance(n.func.value, ast.Name)
                      and n.func.value.id in ("os", "shutil"))]
        if calls:
            found[name] = calls
    assert found == {}
