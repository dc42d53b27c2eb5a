"""Hypothesis settings of the property tests: deterministic in CI, long and random locally.

The default profile, ``ci``, draws the same examples on every run
(`derandomize=True`) and keeps no example database, so a CI run cannot
flake on an example an earlier run happened to find. It has no deadline:
the tests assert their own time bound, in thread CPU time, which a busy
machine does not inflate. ``SEQKERAS_HYPOTHESIS=long`` selects ``long``: random
examples, 25 times as many, for a search before a release::

    SEQKERAS_HYPOTHESIS=long python -m pytest -p no:xdist tests/pipeline/test_config_properties.py
"""

import os

#: Examples per property test in CI; the long profile runs `LONG_FACTOR` times as many.
CI_EXAMPLES = 100
LONG_FACTOR = 25
PROFILE_VARIABLE = "SEQKERAS_HYPOTHESIS"

try:
    from hypothesis import HealthCheck
    from hypothesis import Phase
    from hypothesis import settings
except ImportError:  # the property tests skip themselves without hypothesis
    settings = None

if settings is not None:
    _common = dict(
        database=None,
        deadline=None,
        print_blob=True,
        # No explain phase: it traces every line, which slows a failing example
        # tenfold and would break the tests' own time bounds.
        phases=[p for p in Phase if p is not Phase.explain],
        # Timing-based, so it could fail a CI run on a loaded machine.
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("ci", derandomize=True, max_examples=CI_EXAMPLES, **_common)
    settings.register_profile(
        "long", derandomize=False, max_examples=CI_EXAMPLES * LONG_FACTOR, **_common
    )
    settings.load_profile(os.environ.get(PROFILE_VARIABLE, "ci"))
