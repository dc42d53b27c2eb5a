"""benchmarks/gpu_check.py stays ready to run: its --dry-run passes on this CPU."""

import pathlib

import pytest

from tests import helpers

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_gpu_check_dry_run_passes_and_says_what_it_skipped():
    done = helpers.run_python(
        f"import runpy, sys; sys.argv = ['gpu_check', '--dry-run']; "
        f"runpy.run_path({str(ROOT / 'benchmarks' / 'gpu_check.py')!r}, run_name='__main__')",
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = done.stdout
    assert "| lstm | masked | skipped: cuDNN needs a GPU (dry run) |" in report
    assert "| gru | bidirectional | skipped: cuDNN needs a GPU (dry run) |" in report
    assert "| seqkeras.layers.LSTM (auto) |" in report and "| keras.layers.GRU |" in report
    assert "| auto |" in report and "| reference |" in report and "failed" not in report
    assert "- trained on: xla; GPUs in the loading process: 0" in report
    assert "- `Cudnn*` ops in the graph: none" in report
    assert report.rstrip().endswith("All checks passed.")
