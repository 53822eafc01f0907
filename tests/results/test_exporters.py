"""Every export format, read back by a real consumer: Python's csv and json, openpyxl, PSPP
for SPSS files, and an independent Triple-S reader (triple-s-survey) for Triple-S; the same
three Russian interviews (tests/results/data/opros-ru.yaml) in each."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import triple_s
from openpyxl import load_workbook
from sqlalchemy import Engine

from dialer.campaigns import campaign_by_code, campaign_questionnaire
from results.codebook import build_codebook
from results.errors import ResultsError
from results.export import ExportResult, export_campaign
from results.exporters import ExportJob
from results.exporters.sav import VALUE_LABEL_BYTES, SavExporter
from results.labels import label_language, load_labels
from results.records import InterviewRecord, Selection, iter_records, snapshot
from results.text import ELLIPSIS
from tests.dialer.callflow import Centre
from tests.results.scenario import LONG_PROVIDER, opros_centre


@pytest.fixture
def opros(committed: tuple[Engine, str]) -> Centre:
    return opros_centre(committed[0])


def _export(centre: Centre, name: str, folder: Path, **options: Any) -> ExportResult:
    return export_campaign(centre.engine, centre.campaign_code, name,
                           folder / f"opros.{name}", **options)


def test_csv_has_a_column_per_variable_and_a_codebook(opros: Centre, tmp_path: Path) -> None:
    result = _export(opros, "csv", tmp_path)
    assert [path.name for path in result.files] == ["opros.csv", "opros.codebook.csv"]
    with (tmp_path / "opros.csv").open(encoding="utf-8", newline="") as handle:
        a, b, refused = csv.DictReader(handle)
    assert (a["interview_id"], a["questionnaire_version"], a["language"], a["agent"]) == \
        ("1", "2", "ru", "RU1")
    assert (a["aapor"], a["aapor_final"], a["attempts"]) == ("1.1", "1", "1")
    assert len(a["trace_digest"]) == 64 and int(a["trace_seq"]) > 0
    assert (a["contact_customer_number"], a["contact_city"]) == ("C-0001", "Брюссель")
    assert (a["consent"], a["provider"], a["satisfaction"]) == ("1", "1", "4")
    assert (a["channels_1"], a["channels_2"], a["channels_3"], a["channels_3_text"]) == \
        ("1", "0", "1", "Письмом")
    assert (a["nps"], a["bill"], a["bill_special"], a["since"]) == \
        ("10", "19.99", "", "2019-05-01")
    assert (a["city_check"], a["city_check_value"]) == ("2", "Гент")
    # Special answers as their codes: inline where no real answer takes the code.
    assert (b["provider"], b["provider_3_text"], b["satisfaction"]) == ("3", "Мегафон", "99")
    assert (b["channels_1"], b["channels_special"], b["nps"]) == ("", "98", "98")
    assert (b["bill"], b["bill_special"], b["comment"], b["comment_special"]) == \
        ("", "99", "", "99")
    assert (refused["aapor"], refused["consent"], refused["provider"]) == ("2.111", "2", "")
    with (tmp_path / "opros.codebook.csv").open(encoding="utf-8", newline="") as handle:
        book = list(csv.DictReader(handle))
    provider = [row for row in book if row["variable"] == "provider"]
    assert provider[0]["label"] == "Каким оператором связи Вы пользуетесь чаще всего?"
    assert provider[0]["measure"] == "nominal"
    assert {row["value"]: (row["value_label"], row["missing"]) for row in provider[1:]} == {
        "1": (LONG_PROVIDER, ""), "2": ("Другой оператор", ""), "3": ("Другое", ""),
        "98": ("не знаю", "missing")}


def test_contact_fields_stay_out_unless_allowed(opros: Centre, tmp_path: Path) -> None:
    from tests.results.scenario import allow_export

    allow_export(opros, [])
    _export(opros, "csv", tmp_path)
    header = (tmp_path / "opros.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "contact_" not in header and "city_check_value" not in header
    assert "Брюссель" not in (tmp_path / "opros.csv").read_text(encoding="utf-8")


def test_json_lines_carry_answers_outcome_and_digest(opros: Centre, tmp_path: Path) -> None:
    _export(opros, "jsonl", tmp_path)
    a, b, refused = (json.loads(line) for line in
                     (tmp_path / "opros.jsonl").read_text(encoding="utf-8").splitlines())
    assert a["answers"]["channels"] == [1, {"code": 3, "specify": "Письмом"}]
    assert a["answers"]["bill"] == "19.99" and a["answers"]["city_check"] == \
        {"corrected": "Гент"}
    assert b["answers"]["nps"] == {"special": "dont_know", "code": 98}
    assert a["outcome"] == {"aapor": "1.1", "label": "Complete", "final": True,
                            "questionnaire": "complete"}
    assert refused["outcome"]["aapor"] == "2.111" and refused["answers"] == {"consent": False}
    assert a["questionnaire"] == {"slug": "opros-ru", "version": 2} and a["agent"] == "RU1"
    assert len(a["trace"]["hash"]) == 64 and a["contact"]["city"] == "Брюссель"


def test_xlsx_has_typed_cells_and_a_codebook_sheet(opros: Centre, tmp_path: Path) -> None:
    _export(opros, "xlsx", tmp_path)
    workbook = load_workbook(tmp_path / "opros.xlsx", read_only=True)
    data, book = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 4 and header[0] == "interview_id"
    assert first["provider"] == 1 and first["bill"] == pytest.approx(19.99)
    assert first["channels_3_text"] == "Письмом" and first["since"].year == 2019
    assert any(row[0] == "provider" and row[4] == "98" for row in book.iter_rows(values_only=True))


def _pspp(pspp: str, folder: Path, sav: Path) -> dict[str, list[list[str]]]:
    """PSPP's tables for the file (dictionary, value labels, data), as CSV rows by title."""
    syntax = folder / "read.sps"
    syntax.write_text(f"GET FILE='{sav}'.\nDISPLAY DICTIONARY.\nLIST.\n", encoding="utf-8")
    output = folder / "pspp.csv"
    subprocess.run([pspp, str(syntax), "-o", str(output)], check=True, capture_output=True,
                   timeout=120)
    tables: dict[str, list[list[str]]] = {}
    title = None
    for row in csv.reader(output.read_text(encoding="utf-8").splitlines()):
        if row and row[0].startswith("Footnote: "):
            continue
        if row and row[0].startswith("Table: "):
            title = row[0][len("Table: "):]
            tables[title] = []
        elif row and title is not None:
            tables[title].append(row)
        else:
            title = None
    return tables


def test_spss_file_reads_back_in_pspp(opros: Centre, tmp_path: Path, pspp: str) -> None:
    result = _export(opros, "sav", tmp_path)
    tables = _pspp(pspp, tmp_path, tmp_path / "opros.sav")
    header, *variables = tables["Variables"]
    column = {name: index for index, name in enumerate(header)}
    by_name = {row[0]: row for row in variables}
    provider = by_name["provider"]
    assert provider[column["Label"]] == "Каким оператором связи Вы пользуетесь чаще всего?"
    assert provider[column["Measurement Level"]] == "Nominal"
    assert provider[column["Missing Values"]] == "98"
    assert by_name["satisfaction"][column["Measurement Level"]] == "Ordinal"
    assert by_name["satisfaction"][column["Missing Values"]] == "99"
    assert by_name["nps"][column["Measurement Level"]] == "Scale"
    assert by_name["nps"][column["Missing Values"]] == "98; 99"
    assert by_name["bill"][column["Missing Values"]] == ""       # codes in bill_special
    assert by_name["since"][column["Print Format"]].startswith("DATE")
    # Value labels, the long Cyrillic one shortened on purpose: whole letters, an ellipsis.
    labels: dict[tuple[str, str], str] = {}
    current = ""
    for row in tables["Value Labels"][1:]:
        current = row[0] or current
        labels[(current, row[1].split("[")[0])] = row[2]
    provider_label = by_name["provider"][column["Label"]]
    shortened = labels[(provider_label, "1")]
    assert shortened.endswith(ELLIPSIS) and LONG_PROVIDER.startswith(shortened[:-1])
    assert len(shortened.encode("utf-8")) <= VALUE_LABEL_BYTES
    assert labels[(provider_label, "98")] == "не знаю"
    assert any("provider = 1" in warning for warning in result.warnings)
    # The data as PSPP lists it.
    names, a, b, refused = tables["Data List"]
    first, second = dict(zip(names, a, strict=True)), dict(zip(names, b, strict=True))
    assert (first["provider"], first["channels_3_text"], float(first["bill"])) == \
        ("1", "Письмом", 19.99)
    assert first["city_check_value"] == "Гент" and first["aapor"] == "1.1"
    assert (second["satisfaction"], second["nps"], second["bill_special"]) == \
        ("99", "98", "99")
    assert dict(zip(names, refused, strict=True))["aapor"] == "2.111"


def _peak_sav_memory(centre: Centre, folder: Path, interviews: int) -> int:
    """Peak Python memory (bytes, tracemalloc) of a ``.sav`` export of ``interviews``
    interviews: the scenario's records given again and again, as a long campaign would."""
    with snapshot(centre.engine) as session:
        campaign = campaign_by_code(session, centre.campaign_code)
        questionnaire = campaign_questionnaire(campaign)
        labels = load_labels(questionnaire, label_language(campaign, questionnaire, None))
        codebook = build_codebook(labels, [])
        scenario = list(iter_records(session, campaign, Selection.FINAL))

        def records() -> Iterator[InterviewRecord]:
            for number in range(interviews):
                yield scenario[number % len(scenario)]

        job = ExportJob(campaign, codebook, labels, records, interviews)
        tracemalloc.start()
        try:
            SavExporter().write(job, folder / f"many-{interviews}.sav")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_spss_export_memory_stays_flat(opros: Centre, tmp_path: Path, pspp: str) -> None:
    few, many = (_peak_sav_memory(opros, tmp_path, count) for count in (500, 10_000))
    # Holding the interviews would cost at least 8 bytes per cell: 9,500 more rows of some
    # 30 cells are more than 2 MB. Streaming, the peak does not depend on the count.
    assert many - few < 256 * 1024, (few, many)
    listed = _pspp(pspp, tmp_path, tmp_path / "many-10000.sav")["Data List"]
    assert len(listed) == 1 + 10_000


def test_triple_s_follows_the_standard_and_reads_back(opros: Centre, tmp_path: Path) -> None:
    _export(opros, "sss", tmp_path)
    root = ET.parse(tmp_path / "opros.sss").getroot()
    assert root.tag == "sss" and root.get("version") == "2.0"
    assert [child.tag for child in root] == ["date", "time", "origin", "user", "survey"]
    record = root.find("survey/record")
    assert record is not None and record.get("href") == "opros.asc"
    variables = {v.findtext("name"): v for v in record.iter("variable")}
    assert variables["interview_id"].get("use") == "serial"
    assert variables["channels"].get("type") == "multiple"
    assert [value.get("code") for value in variables["channels"].iter("value")] == \
        ["1", "2", "3"]
    assert variables["provider"].get("type") == "single"
    assert variables["bill"].get("type") == "quantity"
    bill_range = variables["bill"].find("values/range")
    assert bill_range is not None and bill_range.attrib == {"from": "19.99", "to": "19.99"}
    assert variables["since"].get("type") == "date"
    assert variables["comment"].findtext("size") == str(len("Ничего".encode()))
    positions = [(int(p.get("start", 0)), int(p.get("finish", 0)))
                 for p in record.iter("position")]
    assert positions[0][0] == 1 and all(
        start == previous[1] + 1 for previous, (start, _end) in pairwise(positions))
    lines = (tmp_path / "opros.asc").read_bytes().split(b"\r\n")[:-1]
    assert len(lines) == 3 and {len(line) for line in lines} == {positions[-1][1]}
    datamap = triple_s.read_datamap(str(tmp_path / "opros.sss"))
    datamap.load_data(str(tmp_path / "opros.asc"))
    frame = datamap.to_pandas()
    assert list(frame["provider"][:2]) == [1, 3]
    assert list(frame["comment"][:1]) == ["Ничего"]
    assert list(frame["channels"][0]) == [1, 3]
    assert float(frame["bill"][0]) == pytest.approx(19.99)


def test_unknown_format_and_language_are_refused(opros: Centre, tmp_path: Path) -> None:
    with pytest.raises(ResultsError) as unknown:
        _export(opros, "pdf", tmp_path)
    with pytest.raises(ResultsError) as language:
        _export(opros, "csv", tmp_path, language="fr")
    with pytest.raises(ResultsError) as folder:
        export_campaign(opros.engine, opros.campaign_code, "csv", tmp_path / "no" / "x.csv")
    assert (unknown.value.code, language.value.code, folder.value.code) == \
        ("unknown_format", "label_language", "export_output")
    assert "csv, jsonl, sav, sss, xlsx" in unknown.value.message
    assert [path for path in tmp_path.iterdir() if ".sqlite3" not in path.name] == []


def test_a_long_option_variable_label_keeps_its_option() -> None:
    from results.codebook import Kind, Measure, Variable
    from results.exporters.base import ExportJob
    from results.exporters.sav import VARIABLE_LABEL_BYTES, SavExporter

    question = "Что из перечисленного следует улучшить в первую очередь? " * 4
    tail = ": Стоимость тарифов"
    variable = Variable("q_1", question + tail, Kind.NUMBER, Measure.NOMINAL,
                        lambda record: None, tail=tail)
    job = ExportJob(None, None, None, lambda: iter(()), 0)  # type: ignore[arg-type]
    label = SavExporter._variable_label(job, variable)
    assert label.endswith("…" + tail) and question.startswith(label[:-len(tail) - 1])
    assert len(label.encode("utf-8")) <= VARIABLE_LABEL_BYTES
    assert job.warnings and "q_1" in job.warnings[0]


def test_readstat_refusals_and_write_failures_are_raised(tmp_path: Path) -> None:
    from results.exporters.readstat import Measure, SavWriter, Type

    with (tmp_path / "bad.sav").open("wb") as handle, SavWriter(handle) as sav:
        sav.add_variable("1st", Type.DOUBLE, 0, label="", measure=Measure.SCALE)
        with pytest.raises(ResultsError) as refused:
            sav.begin(1)
    assert refused.value.code == "sav_write" and "ReadStat" in refused.value.message

    class FullDisk(io.RawIOBase):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    with SavWriter(FullDisk()) as sav:  # type: ignore[arg-type]
        sav.add_variable("q1", Type.DOUBLE, 0, label="", measure=Measure.SCALE)
        sav.begin(1)
        with pytest.raises(OSError, match="No space left"):  # ReadStat writes at the 1st row
            sav.row([1.0])
