"""Run folders: their life cycle, lock, per-epoch backups and the `latest` pointer."""
