"""Hypothesis settings for the fuzz tests.

The ``ci`` profile is the default (``make test``): derandomized, so CI runs the same examples
every time and a failure replays on any machine, and without the example database, so nothing is
written outside the repository. ``HYPOTHESIS_PROFILE=thorough`` explores more, randomly, to hunt
locally; a failure it finds becomes an ``@example`` in the test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,  # shared 2-core CI machine: timings vary, correctness does not
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    database=None,
    deadline=None,
    max_examples=2_000,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
