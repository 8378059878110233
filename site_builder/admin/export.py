"""``badgesite bake``: the baked badge image of one assertion, from the site's content."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from site_builder.admin.awards import assertion_file
from site_builder.baking import OB2_SVG_NAMESPACE, OB3_SVG_NAMESPACE, bake_png, bake_svg
from site_builder.config import SiteConfig
from site_builder.errors import BadgesiteError
from site_builder.load import layout
from site_builder.serialise import ob2
from site_builder.urls import Urls
from site_builder.validate import load_site


def bake_assertion(config: SiteConfig, ref: str, output: Path | None = None, ob3: bool = False) -> Path:
    """Write the baked badge of one assertion: its OB 2.0 assertion, or (``ob3``) its signed credential."""
    uid = assertion_file(config, ref).stem
    site = load_site(config, datetime.now(config.zone), report=False)
    assertion = site.assertions[uid]
    if assertion.revoked:
        raise BadgesiteError(f"{uid} is revoked: a revoked badge is not baked")
    image = site.achievements[assertion.achievement].image
    if ob3:
        signed = layout.credential_file(config, uid)
        if not signed.is_file():
            raise BadgesiteError(f"{uid} has no signed Open Badges 3.0 credential (run `badgesite sign`)")
        text = signed.read_text(encoding="utf-8").strip()
        if image.media_type == "image/png":
            data = bake_png(image.data, "openbadgecredential", text)
        else:
            data = bake_svg(image.data, "credential", OB3_SVG_NAMESPACE, None, text)
    else:
        document = ob2.assertion(Urls(config.base_url), assertion)
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        if image.media_type == "image/png":
            data = bake_png(image.data, "openbadges", text)
        else:
            data = bake_svg(image.data, "assertion", OB2_SVG_NAMESPACE, document["id"], text)
    target = output or Path(f"{uid}{'-ob3' if ob3 else ''}.{image.extension}")
    target.write_bytes(data)
    return target
