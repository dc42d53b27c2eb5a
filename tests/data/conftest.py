"""Data tests use the session-wide `datasets_dir` and `built` fixtures of tests/conftest.py."""
