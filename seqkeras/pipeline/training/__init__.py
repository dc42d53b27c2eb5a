"""Training a run: optimizer and callbacks, distribution, worker launch, scheduled sampling."""
