"""User text for HTML: Markdown narratives through a sanitiser; plain text stays plain."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Any

import markdown
import nh3
from markupsafe import Markup

_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "abbr", "sup", "sub",
    "dl", "dt", "dd", "del", "kbd",
}


_MARKDOWN = markdown.Markdown(extensions=["sane_lists", "tables", "abbr"], output_format="html")


@lru_cache(maxsize=4096)  # criteria narratives repeat on every assertion page of an achievement
def render_markdown(text: str) -> Markup:
    """Markdown -> HTML -> allow-listed HTML. Raw HTML in the source is sanitised too."""
    if not text:
        return Markup("")
    html = _MARKDOWN.reset().convert(text)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above


def script_json(document: dict[str, Any]) -> Markup:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # noqa: S704


def format_credits(value: Decimal | None, singular: str, plural: str) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return f"{text} {singular if value == 1 else plural}"
