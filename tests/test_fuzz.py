"""Property-based fuzzing of the real CLI: "nothing lost, nothing leaked, no traceback".

Each family in ``tests/fuzz/`` feeds mutated input through ``site_builder.cli.main`` (in-process)
and asserts, for every case: no exception escapes and the exit code is 0, 1 or 2 (70 is an
internal error); a failure names the file, setting or URL concerned; a failure leaves the site
tree (all but .cache/ and .git/) byte-identical; output/ never holds a recipient email or
private key material; ``verify`` never reaches the network.

Families (one module each): content (JSON mutated at random pointers, raw byte corruption; check and
build must agree), config (site.toml keys and values, path-like folders; nothing written outside the
site), roster (``issue --csv`` and ``issue --to``; a failed issue writes nothing, a successful one
stores no plaintext email, neutralises formulas in the mail-merge list and leaves a site that
checks), images (PNG and SVG badge images; a served SVG holds nothing that runs or fetches), verify
(random files and mapped URLs; a real signed badge and the documents it leads to, mutated; a
credential with any string changed never verifies).

Budgets (Hypothesis settings profiles, in ``tests/fuzz/harness.py``):

- ``ci`` (the default, in the normal suite): few examples per test, ``derandomize=True`` so every
  run tries the same cases; the whole file takes well under a minute.
      .venv/bin/python -m pytest tests/test_fuzz.py
- ``long`` (on demand): random, 4000 examples per test (``BADGESITE_FUZZ_EXAMPLES=N`` to change),
  no deadline.
      BADGESITE_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py --hypothesis-show-statistics
  or ``bash tools/fuzz.sh``, which runs it and prints cases run per family and failures.

A bug the fuzzer finds becomes a plain regression test in ``tests/test_fuzz_regressions.py``; the
few reported bugs in code outside this suite's reach are strict xfails there, and the generators
step around them (each place says so) so that a long run goes on to find others.
"""

from __future__ import annotations

from tests.fuzz.config import test_config_bytes, test_config_values
from tests.fuzz.content import test_content_byte_corruption, test_content_json_mutations
from tests.fuzz.harness import template
from tests.fuzz.images import test_png_badge, test_svg_badge
from tests.fuzz.roster import test_issue_one, test_issue_roster
from tests.fuzz.verify import (
    signed_output,
    test_verify_files,
    test_verify_mutated_badges,
    test_verify_tampered_credential,
    test_verify_urls,
)

__all__ = ["signed_output", "template", "test_config_bytes", "test_config_values", "test_content_byte_corruption",
           "test_content_json_mutations", "test_issue_one", "test_issue_roster", "test_png_badge", "test_svg_badge",
           "test_verify_files", "test_verify_mutated_badges", "test_verify_tampered_credential", "test_verify_urls"]
