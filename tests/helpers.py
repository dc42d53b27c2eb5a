"""Helpers shared by tests."""

import os
import subprocess
import sys
import textwrap


def run_python(code: str, *, cwd=None, env_extra=None, timeout=300):
    """Run `code` in a fresh Python interpreter; return the completed process.

    Used for save/load checks that must not share state with the test process.
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if env_extra:
        env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
