"""CoNLL and CoNLL-U readers: sentences as rows, their line numbers, and DataError messages."""

import logging
import random
import re

import pytest

import seqkeras.data
from seqkeras.data import conll
from seqkeras.errors import DataError

CONLL2003 = """\
-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O
"""

CONLLU = """\
# newdoc id = d1
# sent_id = 1
# text = Vámonos al mar.
1-2\tVámonos\t_\t_\t_\t_\t_\t_\t_\t_
1\tVamos\tir\tVERB\tVMM01P0\t_\t0\troot\t_\t_
2\tnos\tnosotros\tPRON\tPP1CP00\t_\t1\tobj\t_\t_
3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_
3\ta\ta\tADP\tSPS00\t_\t5\tcase\t_\t_
3.1\tir\tir\tVERB\t_\t_\t_\t_\t1:conj\t_
4\tel\tel\tDET\tDA0MS0\t_\t5\tdet\t_\t_
5\tmar\tmar\tNOUN\tNCMS000\t_\t1\tobl\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\tFp\t_\t1\tpunct\t_\t_

# sent_id = 2
# text = Sí.
1\tSí\tsí\tINTJ\tI\t_\t0\troot\t_\tSpaceAfter=No
2\t.\t.\tPUNCT\tFp\t_\t1\tpunct\t_\t_
"""

FIELD_NAMES = "id, form, lemma, upos, xpos, feats, head, deprel, deps, misc"


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_conll2003_with_docstart_reads_chosen_columns(tmp_path, caplog):
    path = write(tmp_path / "train.txt", CONLL2003)
    with caplog.at_level(logging.INFO, logger="seqkeras.data"):
        records = seqkeras.data.read_conll(path, columns=[0, 3])
    assert list(records.columns) == [0, 3]
    assert records[0] == [
        ["EU", "rejects", "German", "call", "."],
        ["Peter", "Blackburn"],
        ["BRUSSELS", "1996-08-22"],
    ]
    assert records[3] == [["B-ORG", "O", "B-MISC", "O", "O"], ["B-PER", "I-PER"], ["B-LOC", "O"]]
    assert records.lines == [3, 9, 14]
    assert records.where(2) == f"{path}, line 14"
    # The blank lines after the two -DOCSTART- lines end no sentence.
    assert records.skipped_blank == 2
    assert (
        f"{path}: skipped 2 -DOCSTART- line(s), 2 blank line(s) that did not end a sentence."
        in caplog.text
    )


def test_conll_default_columns_are_all_fields_of_the_first_token_line(tmp_path):
    records = conll.read_conll(write(tmp_path / "train.txt", CONLL2003))
    assert list(records.columns) == [0, 1, 2, 3]
    assert records[1][1] == ["NNP", "NNP"]
    assert records[2][2] == ["B-NP", "I-NP"]


def test_plain_token_tab_tag_keeps_fields_literally(tmp_path):
    path = write(tmp_path / "tags.tsv", 'New York\tB-LOC\nis\tO\n\n\n"\tO\n#\tO\n')
    records = conll.read_conll(path)
    assert records[0] == [["New York", "is"], ['"', "#"]]
    assert records[1] == [["B-LOC", "O"], ["O", "O"]]
    assert records.lines == [1, 5]
    assert records.skipped_blank == 1


def test_space_separated_fields_split_on_runs_of_spaces(tmp_path):
    path = write(tmp_path / "chunks.txt", "  Confidence   NN B-NP \nin IN  B-PP\n")
    records = conll.read_conll(path, columns=[2, 0])
    assert list(records.columns) == [2, 0]
    assert records[0] == [["Confidence", "in"]]
    assert records[2] == [["B-NP", "B-PP"]]


def test_no_trailing_blank_line_and_crlf(tmp_path):
    path = write(tmp_path / "crlf.txt", "a\tX\r\nb\tY\r\n\r\nc\tZ")
    records = conll.read_conll(path, columns=[0, 1])
    assert records[0] == [["a", "b"], ["c"]]
    assert records[1] == [["X", "Y"], ["Z"]]
    assert records.lines == [1, 4]
    assert records.skipped_blank == 0


def test_sentence_start_lines_count_every_line(tmp_path):
    path = write(tmp_path / "gaps.txt", "\n\na O\n\n\n\nb O\nc O\n\n-DOCSTART- O\nd O\n")
    records = conll.read_conll(path)
    assert records[0] == [["a"], ["b", "c"], ["d"]]
    assert records.lines == [3, 7, 11]
    assert [records.where(i) for i in range(3)] == [f"{path}, line {n}" for n in (3, 7, 11)]
    assert records.skipped_blank == 4


def test_inconsistent_field_count_names_line_and_counts(tmp_path):
    path = write(tmp_path / "bad.txt", "EU NNP B-ORG\nrejects VBZ O\n\nGerman B-MISC\n")
    with pytest.raises(DataError) as info:
        conll.read_conll(path, columns=[0, 2])
    assert str(info.value) == (
        f"{path}, line 4: 2 field(s), expected 3 like the first token line (line 1): 'German B-MISC'."
    )


def test_a_trailing_tab_is_an_extra_field(tmp_path):
    path = write(tmp_path / "tab.tsv", "a\tO\nb\tO\t\n")
    with pytest.raises(DataError) as info:
        conll.read_conll(path)
    assert str(info.value) == (
        f"{path}, line 2: 3 field(s), expected 2 like the first token line (line 1): 'b\\tO\\t'."
    )


def test_column_the_lines_do_not_have(tmp_path):
    path = write(tmp_path / "two.tsv", "\na\tO\n")
    with pytest.raises(DataError) as info:
        conll.read_conll(path, columns=[0, 3])
    assert str(info.value) == (
        f"{path}, line 2: `columns` asks for field 3, but the token lines have 2 field(s), "
        "numbered 0 to 1."
    )


@pytest.mark.parametrize(
    "columns, detail",
    [
        ("0", ""),
        (0, ""),
        ([], ""),
        ([0, -1], " (-1 is not a non-negative integer)"),
        ([0, "1"], " ('1' is not a non-negative integer)"),
        ([True], " (True is not a non-negative integer)"),
        ([1, 1], " (1 is given twice)"),
    ],
)
def test_invalid_columns_argument(tmp_path, columns, detail):
    path = write(tmp_path / "ok.tsv", "a\tO\n")
    with pytest.raises(ValueError) as info:
        conll.read_conll(path, columns=columns)
    assert not isinstance(info.value, DataError)
    assert str(info.value) == (
        "Received an invalid value for `columns`: expected a list of 0-based field indices "
        f"such as [0, 3], got {columns!r}{detail}."
    )


@pytest.mark.parametrize("reader", [conll.read_conll, conll.read_conllu])
def test_empty_and_missing_files(tmp_path, reader):
    empty = write(tmp_path / "empty.txt", "\n \r\n\t\n")
    with pytest.raises(DataError, match=re.escape(f"{empty}: the file is empty.")):
        reader(empty)
    missing = tmp_path / "nope.txt"
    with pytest.raises(DataError, match=re.escape(f"{missing}: no such file.")):
        reader(missing)
    with pytest.raises(DataError, match=re.escape(f"{tmp_path}: is a directory")):
        reader(tmp_path)


def test_conll_file_without_sentences(tmp_path):
    path = write(tmp_path / "docs.txt", "-DOCSTART- -X- O O\n\n-DOCSTART- -X- O O\n")
    with pytest.raises(DataError) as info:
        conll.read_conll(path)
    assert str(info.value) == (
        f"{path}: no sentences; the file has only -DOCSTART- and blank lines, expected token lines."
    )


@pytest.mark.parametrize("reader", [conll.read_conll, conll.read_conllu])
def test_invalid_utf8_is_named_and_old_mac_line_endings_are_lines(tmp_path, reader):
    bad = write(tmp_path / "bad.txt", b"a\tO\n\nb\xe9\tO\n")
    with pytest.raises(DataError) as info:
        reader(bad)
    assert str(info.value).startswith(f"{bad}, line 3, column 2: not valid UTF-8 (byte 0xe9)")
    # A lone \r ends a line, as in every reader (files saved by old Mac tools).
    token = b"1\ta\t_\tX\t_\t_\t0\troot\t_\t_" if reader is conll.read_conllu else b"a\tO"
    mac = write(tmp_path / "mac.txt", token + b"\r" + token + b"\r\r" + token + b"\r")
    unix = write(tmp_path / "unix.txt", token + b"\n" + token + b"\n\n" + token + b"\n")
    assert reader(mac).lines == reader(unix).lines == [1, 4]


def test_conllu_skips_comments_multiword_tokens_and_empty_nodes(tmp_path, caplog):
    path = write(tmp_path / "es.conllu", CONLLU)
    with caplog.at_level(logging.INFO, logger="seqkeras.data"):
        records = seqkeras.data.read_conllu(path, fields=["form", "upos"])
    assert list(records.columns) == ["form", "upos"]
    assert records["form"] == [["Vamos", "nos", "a", "el", "mar", "."], ["Sí", "."]]
    assert records["upos"] == [["VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT"], ["INTJ", "PUNCT"]]
    # A sentence starts at its first token line, the multiword token `1-2`.
    assert records.lines == [4, 16]
    assert records.skipped_blank == 0
    assert (
        f"{path}: skipped 5 comment line(s), 2 multiword token line(s), 1 empty node line(s)."
        in caplog.text
    )


def test_conllu_fields_are_case_insensitive_and_lower_case(tmp_path):
    path = write(tmp_path / "es.conllu", CONLLU.replace("\n", "\r\n") + "\r\n\r\n")
    records = conll.read_conllu(path, fields=("FORM", "XPos", "misc", "id"))
    assert list(records.columns) == ["form", "xpos", "misc", "id"]
    assert records["form"][1] == ["Sí", "."]
    assert records["xpos"] == [
        ["VMM01P0", "PP1CP00", "SPS00", "DA0MS0", "NCMS000", "Fp"],
        ["I", "Fp"],
    ]
    assert records["misc"][1] == ["SpaceAfter=No", "_"]
    assert records["id"] == [["1", "2", "3", "4", "5", "6"], ["1", "2"]]
    assert records.skipped_blank == 1


def test_conllu_default_fields_are_form_and_upos(tmp_path):
    records = conll.read_conllu(write(tmp_path / "es.conllu", CONLLU))
    assert list(records.columns) == ["form", "upos"]


@pytest.mark.parametrize(
    "fields, detail",
    [
        (["form", "lemmas"], "; got ['form', 'lemmas'] ('lemmas' is not one of them)."),
        (["form", 3], "; got ['form', 3] (3 is not one of them)."),
        (["form", "FORM"], "; got ['form', 'FORM'] ('form' is given twice)."),
    ],
)
def test_unknown_conllu_field_lists_the_ten(tmp_path, fields, detail):
    path = write(tmp_path / "es.conllu", CONLLU)
    with pytest.raises(ValueError) as info:
        conll.read_conllu(path, fields=fields)
    assert not isinstance(info.value, DataError)
    assert str(info.value) == (
        f"Received an invalid value for `fields`: expected CoNLL-U field names from: {FIELD_NAMES}"
        + detail
    )


@pytest.mark.parametrize("fields", ["form", []])
def test_conllu_fields_must_be_a_non_empty_list(tmp_path, fields):
    path = write(tmp_path / "es.conllu", CONLLU)
    with pytest.raises(ValueError) as info:
        conll.read_conllu(path, fields=fields)
    assert str(info.value) == (
        "Received an invalid value for `fields`: expected a list of CoNLL-U field names from: "
        f"{FIELD_NAMES}; got {fields!r}."
    )


def test_conllu_line_without_ten_fields(tmp_path):
    text = "# sent_id = 1\n1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n2 dog dog NOUN NN _ 0 root _ _\n"
    path = write(tmp_path / "spaces.conllu", text)
    with pytest.raises(DataError) as info:
        conll.read_conllu(path)
    assert str(info.value) == (
        f"{path}, line 3: 1 tab-separated field(s), expected 10 (ID FORM LEMMA UPOS XPOS "
        "FEATS HEAD DEPREL DEPS MISC): '2 dog dog NOUN NN _ 0 root _ _'."
    )


def test_conllu_long_line_is_shortened_in_the_message(tmp_path):
    line = "1\t" + "x" * 200
    path = write(tmp_path / "long.conllu", line + "\n")
    with pytest.raises(DataError) as info:
        conll.read_conllu(path)
    assert str(info.value) == (
        f"{path}, line 1: 2 tab-separated field(s), expected 10 (ID FORM LEMMA UPOS XPOS "
        f"FEATS HEAD DEPREL DEPS MISC): '1\\t{'x' * 76}... (205 characters)."
    )


def test_conllu_invalid_id(tmp_path):
    path = write(tmp_path / "id.conllu", "one\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n")
    with pytest.raises(DataError) as info:
        conll.read_conllu(path)
    assert str(info.value) == (
        f"{path}, line 1: ID 'one'; expected a word index (1, 2, ...), a multiword token "
        "range (1-2) or an empty node (8.1)."
    )


def test_conllu_file_without_sentences(tmp_path):
    text = "# only comments\n\n1-2\tdu\t_\t_\t_\t_\t_\t_\t_\t_\n\n# and more\n"
    path = write(tmp_path / "none.conllu", text)
    with pytest.raises(DataError) as info:
        conll.read_conllu(path)
    assert str(info.value) == (
        f"{path}: no sentences; the file has no word lines (ID 1, 2, ...), only comments, "
        "blank lines, multiword tokens or empty nodes."
    )


def _read_or_data_error(tmp_path, data):
    """Read `data` with both readers; return which of them gave `Records`."""
    path = write(tmp_path / "fuzz.txt", data)
    read = []
    for reader in (conll.read_conll, conll.read_conllu):
        try:
            records = reader(path)
        except DataError:
            continue
        read.append(reader.__name__)
        assert records.lines and records.lines == sorted(set(records.lines))
        columns = list(records.columns.values())
        assert all(len(column) == len(records.lines) for column in columns)
        for sentences in zip(*columns):  # sentence i of every column
            assert sentences[0] and {len(s) for s in sentences} == {len(sentences[0])}
            assert not any("\n" in t or "\r" in t for s in sentences for t in s)
    return read


# Whole lines, valid and broken, that reach every branch of both readers when strung
# together, and pieces that break lines apart.
LINES = [
    b"",
    b"  \t",
    b"# sent_id = 1",
    b"-DOCSTART- -X- O",
    b"EU\tB-ORG",
    b"EU B-ORG",
    b"\xc3\xa9  O",
    b"1\tform" + b"\t_" * 8,
    b"1-2\tdu" + b"\t_" * 8,
    b"3.1\tir" + b"\t_" * 8,
    b"x\tform" + b"\t_" * 8,
    b"1\tform" + b"\t_" * 7,
]
PIECES = [b"\r", b"\t", b" ", b"\xff", b"\xef\xbb\xbf", b"\x00", b"\xe2\x80\xa8", b"#", b"1"]


def random_file(generator):
    # Mostly lines one format accepts, so that both readers also get files they read.
    pool = generator.choice([LINES, LINES[:5], LINES[:3] + LINES[7:10]])
    parts = []
    for _ in range(generator.randint(0, 12)):
        parts.append(generator.choice(LINES if generator.random() < 0.05 else pool))
        if generator.random() < 0.03:
            parts.append(generator.choice(PIECES))
        parts.append(b"\r\n" if generator.random() < 0.2 else b"\n")
    if parts and generator.random() < 0.3:
        parts.pop()  # no newline at the end
    return b"".join(parts)


def test_random_files_give_records_or_data_error(tmp_path):
    generator = random.Random(0)
    read = []
    for _ in range(400):
        read += _read_or_data_error(tmp_path, random_file(generator))
    # Both readers succeed on some files and fail on others.
    assert 40 < read.count("read_conll") < 360 and 40 < read.count("read_conllu") < 360


def test_arbitrary_bytes_give_records_or_data_error(tmp_path):
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=100, deadline=None)
    @hypothesis.given(
        strategies.one_of(
            strategies.binary(max_size=200),
            strategies.lists(
                strategies.sampled_from(LINES + PIECES + [b"\n", b"\r\n"]), max_size=40
            ).map(b"".join),
        )
    )
    def check(data):
        _read_or_data_error(tmp_path, data)

    check()
