"""The validation stage, run alike by ``build``, ``check``, ``serve`` and the issue-time commands.

``load_site`` reads content and checks the whole graph, raising one ContentError with every
problem; ``validate`` adds the signed-content check (committed Open Badges 3.0 files match
their source and their proofs verify). Neither writes anything: the proof cache they fill is
an object the caller saves, or not (``check``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from site_builder.caches import LoadCache, ProofCache
from site_builder.config import SiteConfig
from site_builder.errors import ContentError
from site_builder.load.content import read_site
from site_builder.model import Signed, Site
from site_builder.validate.graph import check_graph
from site_builder.validate.signed import check_signed

log = logging.getLogger(__name__)


def load_site(config: SiteConfig, now: datetime, cache: LoadCache | None = None, *,
              strict: bool = False, report: bool = True) -> Site:
    """Read all content and check it as a whole; raise ContentError listing every problem.

    ``strict``: warnings count as errors (``--strict``); ``report``: log the warnings (the
    issue-time commands load a site several times and leave warnings to check and build).
    """
    loaded = read_site(config, now, cache)
    errors, warnings = check_graph(config, loaded, cache.text if cache is not None else None)
    diagnostics = [*loaded.diagnostics, *errors]
    if strict:
        diagnostics += warnings
    if diagnostics:
        raise ContentError(diagnostics)
    shown = tuple(str(w) for w in warnings)
    for text in shown if report else ():
        log.warning("warning: %s", text)
    return loaded.site.with_warnings(shown)


def validate(config: SiteConfig, site: Site, proofs: ProofCache, *, preview: bool = False,
             memo: dict[str, tuple[str, bytes]] | None = None) -> Signed:
    """The signed-content check of a loaded site; ContentError when anything committed is stale or wrong."""
    return check_signed(config, site, preview, proofs, memo)
