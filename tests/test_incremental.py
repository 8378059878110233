"""Invalidation is derived from what outputs declare: random single edits, incremental vs cold.

After each edit (a field of a content file, a theme template or asset, an image, a config key,
an added or removed file) the incremental build must be byte-identical to a cold build of the
same input, and it must not rewrite an output whose bytes did not change unless that output
declares reading what was edited. ``BADGESITE_PROPERTY_EXAMPLES`` sets how many edits run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.cli import main
from site_builder.config import load_config
from site_builder.plan.routes import declared
from site_builder.validate import load_site
from tests.support.fixtures import copy_minimal
from tests.support.signed import signed_minimal

EXAMPLES = int(os.environ.get("BADGESITE_PROPERTY_EXAMPLES", "25"))
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=24).map(lambda s: s.strip() or "x")


@dataclass(frozen=True)
class Edit:
    """One change to a site: what it touches (for the declared-dependents check) and how to apply it."""

    what: str  # "object kind/key", "config KEY", "template NAME", "asset NAME", "image PATH", "files"
    action: tuple

    def apply(self, site: Path) -> None:
        kind, *args = self.action
        if kind == "field":
            rel, key, value = args
            path = site / rel
            data = json.loads(path.read_text())
            target = data
            *parents, last = key.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
            path.write_text(json.dumps(data, indent=2))
        elif kind == "config":
            key, value = args
            lines = [line for line in (site / "site.toml").read_text().splitlines() if not line.startswith(f"{key} ")]
            (site / "site.toml").write_text("\n".join([*lines, f"{key} = {json.dumps(value)}"]) + "\n")
        elif kind == "theme":
            sub, name, text = args
            source = Path(__file__).resolve().parent.parent / "site_builder/themes/default" / sub / name
            target = site / "themes/custom" / sub / name
            target.parent.mkdir(parents=True, exist_ok=True)
            base = source.read_text()
            target.write_text(base.replace("</footer>", f"<p>{text}</p></footer>") if sub == "templates"
                              else base + f"\n/* {text} */\n")
        elif kind == "image":
            path = site / "badges" / args[0]
            path.write_text(path.read_text().replace("</svg>", f'<circle cx="1" cy="1" r="{args[1]}"/></svg>'))
        elif kind == "issue":
            assert main(["-q", "issue", "--site", str(site), "tester", "--to", f"{args[0]}@example.org",
                         "--name", args[0].title()]) == 0
        elif kind == "unpublish":
            uids = sorted(p.stem for p in (site / "content/assertions").glob("*.json"))
            if uids:
                assert main(["-q", "unpublish", "--yes", "--site", str(site), uids[args[0] % len(uids)]]) == 0
        elif kind == "earner":
            (site / "content/earners" / f"{args[0]}.json").write_text(json.dumps({"name": args[0].title()}))


UID = "00000000000000000000000000000001"


def edits() -> st.SearchStrategy[Edit]:
    field = st.one_of(
        st.tuples(st.just("content/issuers/acme.json"), st.sampled_from(["name", "description", "url"])),
        st.tuples(st.just("content/achievements/tester.json"),
                  st.sampled_from(["name", "description", "criteria.narrative"])),
        st.tuples(st.just("content/earners/ada-lovelace.json"), st.sampled_from(["name", "bio"])),
        st.tuples(st.just(f"content/assertions/{UID}.json"), st.sampled_from(["narrative"])),
    )

    def field_edit(target: tuple[str, str], text: str) -> Edit:
        rel, key = target
        value = f"https://{text.replace(' ', '')}.example.org/" if key == "url" else text
        kind = rel.split("/")[1]
        return Edit(f"object {kind}/{Path(rel).stem}", ("field", rel, key, value))

    return st.one_of(
        st.builds(field_edit, field, WORDS),
        st.builds(lambda k, v: Edit(f"config {k}", ("config", k, v)),
                  st.sampled_from(["title", "description", "credit_unit"]), WORDS),
        st.builds(lambda v: Edit("config timezone", ("config", "timezone", v)),
                  st.sampled_from(["UTC", "Europe/Paris", "Pacific/Kiritimati"])),
        st.builds(lambda v: Edit("config validator_url", ("config", "validator_url", v)),
                  st.sampled_from(["https://validator.example.org/?u={url}", "https://v.example.net/{url}"])),
        st.builds(lambda n, t: Edit(f"template {n}", ("theme", "templates", n, t)),
                  st.sampled_from(["base.html", "assertion.html", "earner.html", "_macros.html", "index.html"]),
                  WORDS),
        st.builds(lambda t: Edit("asset style.css", ("theme", "assets", "style.css", t)), WORDS),
        st.builds(lambda r: Edit("image tester.svg", ("image", "tester.svg", r)), st.integers(1, 9)),
        st.builds(lambda w: Edit("files", ("issue", w.replace(" ", ""))), WORDS),
        st.builds(lambda n: Edit("files", ("unpublish", n)), st.integers(0, 1)),
        st.builds(lambda w: Edit("files", ("earner", "zz-" + "".join(c for c in w if c.isalpha())[:8] or "zz")),
                  WORDS),
    )


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signed site with a theme folder, two more awards and a built output/ (at the tests' fixed time)."""
    from tests.conftest import FIXED_EPOCH

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        return _base(tmp_path_factory)


def _base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = signed_minimal(tmp_path_factory.mktemp("base") / "site")
    (site / "site.toml").write_text((site / "site.toml").read_text() + 'theme = "custom"\n')
    (site / "themes/custom").mkdir(parents=True)
    for name in ("grace", "alan"):
        assert main(["-q", "issue", "--site", str(site), "tester", "--to", f"{name}@example.org",
                     "--name", name.title()]) == 0
    assert main(["-q", "build", "--site", str(site)]) == 0
    return site


def dependents(site: Path, edit: Edit) -> set[str]:
    """Outputs whose declared inputs include what ``edit`` touched."""
    from site_builder.build import make_context
    from site_builder.config import build_time

    config = load_config(site)
    ctx = make_context(config, load_site(config, build_time(config), report=False))
    kind, _, name = edit.what.partition(" ")
    found = set()
    for d in declared(ctx):
        if (kind == "object" and tuple(name.split("/")) in d.reads.objects + d.reads.lists
                or kind == "config" and (name in d.reads.config or name in ("timezone", "base_url") and d.reads.objects)
                or kind == "template" and d.reads.template
                or kind == "files"):
            found.add(d.path)
    return found


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(edit=edits())
def test_incremental_build_equals_cold_build(edit: Edit, base: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("edit")
    site = work / "site"
    shutil.copytree(base, site, symlinks=True)
    before_bytes, before_inodes = tree(site / "output"), inodes(site / "output")
    edit.apply(site)
    assert main(["-q", "sign", "--site", str(site)]) == 0  # signing is issue-time: part of an edit
    assert main(["-q", "build", "--site", str(site)]) == 0, edit
    cold = work / "cold"
    shutil.copytree(site, cold, symlinks=True, ignore=shutil.ignore_patterns("output", ".cache"))
    assert main(["-q", "build", "--site", str(cold)]) == 0
    after = tree(site / "output")
    assert after == tree(cold / "output"), edit
    rewritten = {p for p, ino in inodes(site / "output").items() if before_inodes.get(p) != ino}
    unchanged_but_rewritten = {p for p in rewritten if p in before_bytes and before_bytes[p] == after[p]}
    assert unchanged_but_rewritten <= dependents(site, edit), (edit, unchanged_but_rewritten - dependents(site, edit))


def test_an_undeclared_read_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above has teeth: a route that forgets the earner makes the incremental build stale."""
    from site_builder.plan import routes
    from site_builder.plan.outputs import Declared, Reads

    original = routes.assertion_outputs

    def forgetful(ctx, x):  # type: ignore[no-untyped-def]
        for d in original(ctx, x):
            if d.kind == "assertion.html":
                objects = tuple(o for o in d.reads.objects if o[0] != "earners")
                d = Declared(d.kind, d.path, Reads(d.reads.template, objects, d.reads.config, d.reads.clock,
                                                   d.reads.values), d.make)
            yield d

    monkeypatch.setattr(routes, "PRIMARY", tuple((k, forgetful if f is original else f) for k, f in routes.PRIMARY))
    site = copy_minimal(tmp_path / "site")  # unsigned: no credential carries the name into the page's inputs
    assert main(["-q", "build", "--site", str(site)]) == 0
    Edit("object earners/ada-lovelace", ("field", "content/earners/ada-lovelace.json", "name", "Ada Byron")).apply(site)
    assert main(["-q", "build", "--site", str(site)]) == 0
    page = (site / f"output/assertions/{UID}.html").read_text()
    assert "Ada Byron" not in page  # stale: exactly what the property test would catch against a cold build


@settings(max_examples=max(3, EXAMPLES // 3), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(edits(), min_size=2, max_size=5))
def test_a_warm_process_plans_only_what_changes_reach_and_stays_right(
        sequence: list[Edit], base: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """As `serve` does: one BuildCache across edits; after each, the output equals a cold build's."""
    from site_builder.build import build
    from site_builder.caches import BuildCache

    work = tmp_path_factory.mktemp("warm")
    site = work / "site"
    shutil.copytree(base, site, symlinks=True)
    cache = BuildCache()
    build(load_config(site), cache=cache)
    for n, edit in enumerate(sequence):
        edit.apply(site)
        assert main(["-q", "sign", "--site", str(site)]) == 0
        build(load_config(site), cache=cache)
        cold = work / f"cold-{n}"
        shutil.copytree(site, cold, symlinks=True, ignore=shutil.ignore_patterns("output", ".cache"))
        assert main(["-q", "build", "--site", str(cold)]) == 0
        assert tree(site / "output") == tree(cold / "output"), (n, edit)
