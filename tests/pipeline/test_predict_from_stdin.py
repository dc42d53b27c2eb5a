"""`seqkeras predict RUN -`: a text export's inputs read from standard input (issue #14).

One input a line, whatever the line ending, an empty line included; the answers
are the export's own answers on the same strings, each line escaped as
`seqkeras predict` escapes its arguments' lines.
"""

import io
import sys

import pytest

from seqkeras.errors import ConfigError
from seqkeras.errors import DataError
from seqkeras.pipeline.commands.prediction import predict_run
from tests.helpers import run_folders
from tests.helpers import run_seqkeras

pytestmark = pytest.mark.slow  # every test reads the export of one smoke run

WORDS = ["good", "fine", "nice", "bad", "poor", "dull"]


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    """A finished smoke run of a tiny text classifier (its export takes strings)."""
    cwd = tmp_path_factory.mktemp("reviews")
    rows = [f"{WORDS[i % 6]} film {i}\t{'pos' if i % 6 < 3 else 'neg'}" for i in range(48)]
    (cwd / "reviews.tsv").write_text("text\tlabel\n" + "\n".join(rows) + "\n")
    (cwd / "reviews.yaml").write_text(
        "name: reviews\ntask: classify\n"
        "data: {dataset: files, files: {train: reviews.tsv}, batch_size: 8,\n"
        "       source: {column: text, tokens: word}, target: {column: label}}\n"
        "model: {units: 4, embedding_dim: 4}\n"
    )
    result = run_seqkeras("run", "reviews.yaml", "--smoke", "--output-dir", "runs", cwd=cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    (run_dir,) = run_folders(cwd / "runs" / "reviews")
    return run_dir


def escaped(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t")


def test_predict_dash_answers_each_line_of_standard_input(text_run, tmp_path):
    lines = ["good film", "", "bad\tpoor film", "na\u00efve \\ film", "dull"]
    stdin = "good film\r\n\nbad\tpoor film\rna\u00efve \\ film\ndull"  # no last newline
    result = run_seqkeras("predict", str(text_run), "-", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = predict_run(text_run, lines).outputs  # the export, on the same strings
    assert set(answers) <= {"pos", "neg"}
    assert result.stdout.splitlines() == [
        f"{escaped(line)}\t{answer}" for line, answer in zip(lines, answers)
    ]


def stdin_of(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_a_dash_among_other_inputs_is_refused(text_run):
    with pytest.raises(ConfigError, match=r"^inputs: '-' reads every input from standard input;"):
        predict_run(text_run, ["good film", "-"])


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf"], ids=["empty", "only-a-bom"])
def test_standard_input_without_a_line_is_refused(text_run, monkeypatch, data):
    stdin_of(monkeypatch, data)
    with pytest.raises(ConfigError, match=r"standard input, one a line, but it held none\.$"):
        predict_run(text_run, ["-"])


def test_standard_input_that_is_not_utf8_names_the_line(text_run, monkeypatch):
    stdin_of(monkeypatch, b"good film\nbad \xff film\n")
    with pytest.raises(DataError, match=r"^standard input, line 2: not valid UTF-8 \(byte 0xff\)"):
        predict_run(text_run, ["-"])


def test_an_argument_that_is_not_utf8_names_the_input_and_the_byte(text_run):
    # What Python makes of `seqkeras predict RUN $'bad \xff film'`: a lone surrogate.
    arguments = ["good film", b"bad \xff film".decode("utf-8", "surrogateescape")]
    with pytest.raises(DataError, match=r"^input 2: not valid UTF-8 \(byte 0xff\); inputs must"):
        predict_run(text_run, arguments)
