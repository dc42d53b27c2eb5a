import os
import selectors
import signal
import subprocess
import sys
import textwrap

import pytest

from seqkeras.version import __version__


def run_cli(*args, timeout=600):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "seqkeras", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_no_command_prints_help():
    result = run_cli()
    assert result.returncode == 0
    assert "demo" in result.stdout and "usage: seqkeras" in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"seqkeras {__version__}"


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["datasets"], ["schema"], []])
def test_help_version_datasets_and_schema_answer_without_tensorflow(args):
    # As the `seqkeras` script runs them: argv[0] names the command.
    code = (
        "import sys\n"
        f"sys.argv = ['seqkeras', *{args!r}]\n"
        "from seqkeras.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "False False"


def test_a_command_that_imports_tensorflow_prints_none_of_its_start_up_lines(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    # A folder that is not a run: found to be so once TensorFlow has started.
    result = subprocess.run(
        [sys.executable, "-m", "seqkeras", "evaluate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 2
    # Only the message: no "absl::InitializeLog", oneDNN, cudart or cuInit lines.
    [line] = result.stderr.splitlines()
    assert line.startswith("seqkeras evaluate: error:") and "not a run folder" in line


def test_verbose_shows_tensorflows_own_lines_and_a_real_error_still_shows(tmp_path):
    code = (
        "import os, sys\n"
        "sys.argv = ['seqkeras']  # the package imports no TensorFlow\n"
        "from seqkeras.utils import native_startup\n"
        "with native_startup._filtered_stderr():\n"
        "    os.write(2, b'W0000 00:00:1.2 99 cudart_stub.cc:31] Could not find cuda drivers\\n')\n"
        "    os.write(2, b'ImportError: libcudnn.so.9: cannot open shared object file\\n')\n"
        "print('done')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "ImportError: libcudnn.so.9: cannot open shared object file"
    ]
    env = dict(os.environ, SEQKERAS_VERBOSE="1")
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    loud = subprocess.run(
        [sys.executable, "-m", "seqkeras", "evaluate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert loud.returncode == 2
    assert "seqkeras evaluate: error:" in loud.stderr
    assert len(loud.stderr.splitlines()) > 1  # TensorFlow's own lines, as it prints them


ONEDNN_NOTICE = (
    "E0000 00:00:1796281949.182467   16055 util.cc:131] oneDNN supports DT_BOOL only on "
    "platforms with AVX-512. Falling back to the default Eigen-based implementation if present."
)
SENTENCEPIECE_NOTICE = (
    "normalizer.cc(51) LOG(INFO) precompiled_charsmap is empty. use identity normalization."
)
LITERT_NOTICE = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
REAL_NATIVE_ERROR = "E0000 00:00:1796281949.5 16055 op_kernel.cc:1857] OP_REQUIRES failed"


def run_filtered(body: str, **options):
    """`body` inside `native_notices_filtered()`, in a fresh interpreter."""
    code = (
        "import os, sys\n"
        "sys.argv = ['seqkeras']  # the package imports no TensorFlow\n"
        "from seqkeras.utils.native_startup import native_notices_filtered\n"
        "with native_notices_filtered():\n" + textwrap.indent(textwrap.dedent(body), "    ")
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


def test_the_notices_tensorflow_prints_while_it_runs_are_dropped_and_errors_kept():
    process = run_filtered(
        f"""
        os.write(2, {ONEDNN_NOTICE!r}.encode() + b"\\n")
        os.write(2, {SENTENCEPIECE_NOTICE!r}.encode() + b"\\n")
        os.write(2, {LITERT_NOTICE!r}.encode() + b"\\n")
        os.write(2, {REAL_NATIVE_ERROR!r}.encode() + b"\\n")
        raise ValueError("a Python error")
        """
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    lines = stderr.decode().splitlines()
    assert lines[0] == REAL_NATIVE_ERROR and lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: a Python error"
    for notice in ("oneDNN", "precompiled_charsmap", "XNNPACK"):
        assert notice not in stderr.decode()


def test_what_a_crashing_command_wrote_last_still_shows():
    # The filter is a process of its own: it forwards what the command wrote
    # before dying (an abort skips every finally block of the command).
    process = run_filtered(
        f"""
        os.write(2, {ONEDNN_NOTICE!r}.encode() + b"\\n")
        os.write(2, b"F0000 00:00:1.2 99 check.cc:1] Check failed: a fatal error\\n")
        os.abort()
        """
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGABRT
    assert stderr.decode().splitlines() == [
        "F0000 00:00:1.2 99 check.cc:1] Check failed: a fatal error"
    ]


def test_a_progress_bar_is_forwarded_before_its_line_ends():
    process = run_filtered(
        """
        sys.stderr.write("\\r  1/3 [=>........]")
        sys.stderr.flush()
        sys.stdin.readline()  # until the test has seen the bar
        sys.stderr.write("\\r  3/3 [==========]\\n")
        """
    )
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while b"1/3 [=>........]" not in seen:
            assert selector.select(timeout=120), f"the bar was held back: {seen!r}"
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, f"the command ended first: {seen!r}"
            seen += chunk
    _, rest = process.communicate(b"go on\n", timeout=120)
    assert process.returncode == 0
    assert seen + rest == b"\r  1/3 [=>........]\r  3/3 [==========]\n"


def test_output_into_a_closed_pipe_is_not_an_error():
    result = subprocess.run(
        f"{sys.executable} -m seqkeras datasets | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("name") and "Traceback" not in result.stderr


def test_user_error_exits_2_with_a_message_and_no_traceback():
    result = run_cli("demo", "--epochs", "0")
    assert result.returncode == 2
    assert "`--epochs`: expected a positive integer, got 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_exits_2():
    result = run_cli("trian")
    assert result.returncode == 2
    assert "invalid choice: 'trian'" in result.stderr


def test_datasets_lists_the_built_in_catalogue():
    result = run_cli("datasets")
    assert result.returncode == 0, result.stderr[-2000:]
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert names == [
        "digits_rows",
        "digit_captions",
        "dates",
        "cmudict",
        "text",
        "word_boundaries",
        "sunspots",
        "co2",
    ]


@pytest.mark.slow
def test_demo_trains_every_topology():
    result = run_cli("demo", "--epochs", "3")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line.split() for line in result.stdout.splitlines()[1:] if line.strip()]
    assert [row[0] for row in rows] == ["many-to-one", "many-to-many", "seq2seq", "one-to-many"]
    for row in rows:
        before, after = float(row[-4]), float(row[-3])
        assert after < before, row


# Inputs that crashed with a traceback before issue #14's property tests
# (tests/pipeline/test_config_properties.py, tests/data/test_reader_properties.py).
HOSTILE_INPUTS = {
    "config": (
        "task: classify\nseed: " + "[" * 3000 + "]" * 3000 + "\n",
        None,
        "pipeline.yaml, line 2, column 57: invalid YAML: seed.0.0.0.0.0.(...): nested more than "
        "50 levels deep",
    ),
    "data": (
        "task: classify\ndata: {dataset: files, files: {train: rows.jsonl}, "
        "source: {column: a}, target: {column: b}}\n",
        '{"a": "x", "b": "y"}\n{"a": ' + "[" * 100000 + ', "b": "y"}\n',
        "rows.jsonl, line 2: cannot be read as JSON: its arrays or objects nest too deeply.",
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_INPUTS))
def test_a_config_or_data_error_exits_2_with_one_paragraph_and_no_traceback(tmp_path, kind):
    pipeline, rows, message = HOSTILE_INPUTS[kind]
    (tmp_path / "pipeline.yaml").write_text(pipeline)
    if rows is not None:
        (tmp_path / "rows.jsonl").write_text(rows)
    before = sorted(tmp_path.iterdir())
    result = subprocess.run(
        [sys.executable, "-m", "seqkeras", "run", "pipeline.yaml", "--output-dir", "runs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and message in result.stderr, result.stderr[-3000:]
    error_lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith("seqkeras run: error: ")
    assert sorted(tmp_path.iterdir()) == before  # no run folder, nothing else


@pytest.mark.parametrize("command", [["run", "pipelines/digits_rows.yaml"], ["evaluate", "x"]])
def test_an_empty_output_dir_exits_2_and_writes_nothing(command, tmp_path, capsys, monkeypatch):
    from seqkeras.cli import main

    monkeypatch.chdir(tmp_path)  # where an empty path would have put the run
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--output-dir", ""])
    assert exit_.value.code == 2
    assert "--output-dir: an empty path; name a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_recognised_as_python_and_tensorflow_report_it():
    import errno

    from seqkeras.cli import _disk_full

    assert (
        _disk_full(OSError(errno.ENOSPC, "No space left on device", "/runs/x.h5")) == ": /runs/x.h5"
    )
    # TensorFlow's file system: its own error class, saying so in the message.
    tensorflow_error = RuntimeError("/runs/export/variables; No space left on device")
    assert _disk_full(tensorflow_error) == ""
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as cause:
            raise ValueError("writing the export failed") from cause
    except ValueError as wrapped:
        assert _disk_full(wrapped) == ""
    assert _disk_full(OSError(errno.EACCES, "Permission denied")) is None
    assert _disk_full(ValueError("something else")) is None
