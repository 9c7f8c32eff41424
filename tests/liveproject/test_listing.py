"""show_source prints code as inspect reads it from the installed files, and records it as code, not a verdict."""

import json

import pytest

from liveproject import evidence
from liveproject.listing import show_source, source_of
from liveproject.nbval_evidence import uncomputed_verdicts


class Flags:
    sync_capable = True
    async_capable = False

    def method(self):
        first = 1
        second = 2
        return first + second


def test_source_of_a_class_or_a_part_of_a_method_dedented():
    assert source_of(Flags).splitlines()[:3] == ["class Flags:", "    sync_capable = True", "    async_capable = False"]
    assert source_of(Flags.method, start="second =", end="return") == "second = 2\n"
    assert source_of(Flags.method, start="first =") == "first = 1\nsecond = 2\nreturn first + second\n"


def test_source_of_refuses_markers_it_cannot_find():
    with pytest.raises(ValueError, match="no line"):
        source_of(Flags.method, start="third =")
    with pytest.raises(ValueError, match="after"):
        source_of(Flags.method, start="second =", end="first =")  # end must come after start


def test_show_source_records_each_line_so_code_is_not_taken_for_a_typed_verdict(tmp_path, monkeypatch, capsys):
    record = tmp_path / "evidence.jsonl"
    monkeypatch.setenv(evidence.RECORD_ENV, str(record))
    show_source(Flags)
    printed = capsys.readouterr().out
    outputs = [{"output_type": "stream", "name": "stdout", "text": printed}]
    recorded = {json.loads(line)["line"] for line in record.read_text().splitlines()}
    assert "    sync_capable = True" in printed.splitlines()
    assert uncomputed_verdicts(outputs, recorded) == []
    assert uncomputed_verdicts(outputs, set()) == ["    sync_capable = True", "    async_capable = False"]
