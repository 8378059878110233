"""Golden output: the minimal site's whole build, and the shape of an Open Badges 3.0 credential.

After an intended change, regenerate with:
    BADGESITE_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py
and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from site_builder.build import build
from site_builder.config import load_config
from site_builder.serialise import dump, ob3
from site_builder.urls import Urls
from site_builder.validate import load_site
from tests.support.fixtures import copy_minimal

GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("BADGESITE_REGEN_GOLDEN") == "1"
UID = "0" * 31 + "1"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def compare(actual: dict[str, bytes], golden: Path) -> None:
    if REGEN:
        shutil.rmtree(golden, ignore_errors=True)
        for name, data in actual.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_bytes(data)
    expected = files(golden)
    assert sorted(actual) == sorted(expected), "files differ (regenerate: see module docstring)"
    for name, data in actual.items():
        assert data.decode() == expected[name].decode(), f"{name} differs from tests/golden (see module docstring)"


def test_minimal_site_output_is_golden(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    build(load_config(site))
    compare(files(site / "output"), GOLDEN / "minimal-output")


def test_credential_shape_is_golden(tmp_path: Path) -> None:
    site = copy_minimal(tmp_path / "site")
    issuer = site / "content/issuers/acme.json"
    issuer.write_text(json.dumps(json.loads(issuer.read_text()) | {
        "did": "did:web:example.github.io:minimal:issuers:acme",
        "keys": [{"name": "key-1", "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}],
    }))
    path = site / f"content/assertions/{UID}.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"statusListIndex": "4242", "expires": "2099-06-30"}))
    config = load_config(site)
    loaded = load_site(config, datetime.now(config.zone))
    a = loaded.assertions[UID]
    achievement = loaded.achievements[a.achievement]
    credential = ob3.credential(Urls(config.base_url), a, achievement, loaded.issuers[achievement.issuer],
                                loaded.earners[a.earner])
    compare({"credential.json": dump(credential)}, GOLDEN / "credential")


@pytest.mark.skipif(REGEN, reason="regenerating")
def test_golden_folders_exist() -> None:
    assert (GOLDEN / "minimal-output" / "index.html").is_file()
    assert (GOLDEN / "credential" / "credential.json").is_file()
