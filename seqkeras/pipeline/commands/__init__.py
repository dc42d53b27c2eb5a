"""The commands on a config or a finished run folder: run, evaluate and export again, predict."""
