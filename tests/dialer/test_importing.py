"""Bulk contact import: formats, encodings, header checks, row rejections, all or nothing.

Every test imports into a database of its own (``committed``), on SQLite and PostgreSQL,
because :func:`import_contacts` commits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from dialer.contacts import add_contact, add_do_not_call
from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.errors import DialerError, ImportRefused, NotFound
from dialer.importing import ImportReport, import_contacts, work_size
from dialer.models import Campaign, Contact, ContactPhase, ContactState, DispatchGroup
from dialer.quotas import close_full_quota
from tests.dialer import factories

HEADER = ["phone", "language", "first_name", "customer_number", "customer_since", "email"]


def good_rows(count: int = 3) -> list[list[str]]:
    """Valid customer-satisfaction rows: Belgian, Dutch and French mobiles in turn."""
    numbers = ["+32470{:06d}", "+316120{:05d}", "+33600{:06d}"]
    languages = ["nl", "fr", "en"]
    return [[numbers[i % 3].format(i), languages[i % 3], f"Name{i}", f"LT{i:07d}",
             "2020-01-02", f"p{i}@example.com" if i % 2 else ""] for i in range(count)]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER,
              encoding: str = "utf-8", delimiter: str = ",") -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def new_campaign(engine: Engine, **options: Any) -> str:
    with transaction(engine) as session:
        return factories.campaign(session, **options).code


def stored(engine: Engine) -> list[Contact]:
    with transaction(engine) as session:
        return list(session.scalars(select(Contact).order_by(Contact.import_line)).all())


def counts(engine: Engine) -> tuple[int, int]:
    with transaction(engine) as session:
        return (session.scalar(select(func.count()).select_from(Contact)) or 0,
                session.scalar(select(func.count()).select_from(DispatchGroup)) or 0)


def groups(engine: Engine) -> set[tuple[str, str, str]]:
    with transaction(engine) as session:
        return {(g.language, g.time_zone, g.country)
                for g in session.scalars(select(DispatchGroup))}


def refused(engine: Engine, code: str, path: Path, **options: Any) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_contacts(engine, code, path, **options)
    assert caught.value.code != "", caught.value
    return caught.value


def reasons(report: ImportReport) -> dict[int, str]:
    return {rejection.line: rejection.reason for rejection in report.first_rejections}


# --- files that import -------------------------------------------------------------------------


def test_good_csv_imports_every_row(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "contacts.csv", good_rows(7))
    before = dt.datetime.now(dt.UTC)

    report = import_contacts(engine, code, path, batch_size=2)

    assert (report.rows, report.imported, report.rejected, report.set_aside) == (7, 7, 0, 0)
    assert report.first_rejections == [] and report.reject_report is None
    assert report.seconds_reading > 0 and report.seconds_storing > 0
    contacts = stored(engine)
    assert [c.import_line for c in contacts] == [2, 3, 4, 5, 6, 7, 8]
    first = contacts[0]
    with transaction(engine) as session:
        first = session.get_one(Contact, first.id)
        assert (first.phone_e164, first.language, first.time_zone, first.group.country) == (
            "+32470000000", "nl", "Europe/Brussels", "BE")
    assert first.fields == {"first_name": "Name0", "customer_number": "LT0000000",
                            "customer_since": "2020-01-02", "email": ""}
    assert contacts[1].fields["email"] == "p1@example.com"
    assert (first.state, first.phase, first.attempts) == (ContactState.WAITING,
                                                          int(ContactPhase.FRESH), 0)
    assert before - dt.timedelta(seconds=1) <= first.due_at <= dt.datetime.now(dt.UTC)
    assert groups(engine) == {("nl", "Europe/Brussels", "BE"), ("fr", "Europe/Amsterdam", "NL"),
                              ("en", "Europe/Paris", "FR")}


def test_optional_field_without_column_is_not_stored(committed: tuple[Engine, str],
                                                     tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", [row[:5] for row in good_rows(2)], header=HEADER[:5])
    assert import_contacts(engine, code, path).imported == 2
    assert "email" not in stored(engine)[0].fields


def test_semicolon_cp1252_with_accents(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    names = ["Hélène Dupré", "François Gaëtan", "Anaïs Müller", "Çelë Hoxha", "Zoë Œuvre"]
    rows = [[row[0], row[1], name, *row[3:]] for row, name in zip(good_rows(5), names,
                                                                  strict=True)]
    path = write_csv(tmp_path / "accents.csv", rows, encoding="cp1252", delimiter=";")

    report = import_contacts(engine, code, path)

    assert report.imported == 5, report.first_rejections
    assert [c.fields["first_name"] for c in stored(engine)] == names


def test_cp1254_turkish_names(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    names = ["Ayşe Yılmaz", "Çağrı Öztürk", "Gülşen Doğan", "İsmail Şahin"]
    rows = [[row[0], "tr", name, *row[3:]] for row, name in zip(good_rows(4), names,
                                                                strict=True)]
    path = write_csv(tmp_path / "turkish.csv", rows, encoding="cp1254")
    assert import_contacts(engine, code, path).imported == 4
    assert [c.fields["first_name"] for c in stored(engine)] == names


def test_utf8_with_bom(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = [[*good_rows(1)[0][:2], "Jürgen", *good_rows(1)[0][3:]]]
    path = write_csv(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    assert import_contacts(engine, code, path).imported == 1
    assert stored(engine)[0].fields["first_name"] == "Jürgen"


def test_utf16_tab_separated_text(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = [[row[0], row[1], "Ελένη", *row[3:]] for row in good_rows(3)]
    path = write_csv(tmp_path / "unicode.txt", rows, encoding="utf-16", delimiter="\t")
    assert import_contacts(engine, code, path).imported == 3
    assert {c.fields["first_name"] for c in stored(engine)} == {"Ελένη"}


VERIFICATION = ["phone", "language", "time_zone", "full_name", "birth_date", "street_address",
                "postcode", "city", "email"]


def test_cp1251_russian_names_and_verification_fields(committed: tuple[Engine, str],
                                                      tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine, questionnaire="customer-file-verification.yaml",
                        languages=("ru", "fr"), countries=("BE", "RU"))
    rows = [
        ["+7 916 123-45-67", "RU", "Europe/Moscow", "Иван Петрович Сидоров", "1970-03-04",
         "ул. Ленина, 5", "1000", "Москва", ""],
        ["0470 12 34 56", "ru", "", "Мария Ивановна Кузнецова", "1985-12-31",
         "Rue Neuve 1", "1050", "Брюссель", "Maria@Example.COM"],
    ]
    path = write_csv(tmp_path / "russian.csv", rows, header=VERIFICATION, encoding="cp1251",
                     delimiter=";")

    report = import_contacts(engine, code, path)

    assert report.imported == 2, report.first_rejections
    moscow, brussels = stored(engine)
    assert moscow.fields == {"full_name": "Иван Петрович Сидоров", "birth_date": "1970-03-04",
                             "street_address": "ул. Ленина, 5", "postcode": "1000",
                             "city": "Москва", "email": "", "phone": "+79161234567"}
    assert brussels.fields["phone"] == brussels.phone_e164 == "+32470123456"
    assert brussels.fields["email"] == "Maria@example.com"
    assert groups(engine) == {("ru", "Europe/Moscow", "RU"), ("ru", "Europe/Brussels", "BE")}


def test_xlsx_with_numeric_phones_and_dates(committed: tuple[Engine, str],
                                            tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine, questionnaire="customer-file-verification.yaml",
                        languages=("fr", "nl"), countries=("BE",))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([name.upper() for name in VERIFICATION])
    sheet.append([32470123456, "fr", None, "Jean Dupont", dt.date(1970, 3, 4), "Rue Neuve 1",
                  1000, "Bruxelles", None])
    sheet.append([470123457.0, "nl", "Europe/Brussels", "Jan Peeters", "1980-01-02",
                  "Meir 2", "2000", "Antwerpen", "jan@example.com"])
    sheet.append([None] * len(VERIFICATION))  # blank rows are skipped
    sheet.append(["+32 470 12 34 58", "fr", None, "Anne Martin", dt.datetime(1990, 5, 6),
                  "Place 3", 4000.0, "Liège", None])
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)

    report = import_contacts(engine, code, path)

    assert (report.rows, report.imported) == (3, 3), report.first_rejections
    contacts = stored(engine)
    assert [(c.import_line, c.phone_e164) for c in contacts] == [
        (2, "+32470123456"), (3, "+32470123457"), (5, "+32470123458")]
    assert contacts[0].fields["birth_date"] == "1970-03-04"
    assert contacts[0].fields["postcode"] == "1000"
    assert contacts[2].fields["postcode"] == "4000"
    assert contacts[2].fields["birth_date"] == "1990-05-06"


def test_xlsx_rejections_use_row_numbers(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(good_rows(1)[0])
    sheet.append(["12", "nl", "A", "LT0000001", dt.datetime(2020, 1, 2, 15, 30), ""])
    sheet.append(["+32470000009", "nl", "A", "LT0000002", dt.datetime(2020, 1, 2, 15, 30), ""])
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    report = import_contacts(engine, code, path)
    assert reasons(report) == {3: "invalid_number", 4: "date"}
    assert counts(engine) == (0, 0)


# --- whole-file refusals -----------------------------------------------------------------------


def test_encoding_error_later_in_the_file_names_the_line(committed: tuple[Engine, str],
                                                         tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = good_rows(1) * 6000  # more than the 256 KiB sample; duplicates never get checked
    path = write_csv(tmp_path / "mixed.csv", rows)
    with path.open("ab") as out:
        out.write("+32470999999,fr,Hélène,LT0000001,2020-01-02,\r\n".encode("cp1252"))
    assert path.stat().st_size > 256 * 1024

    error = refused(engine, code, path)

    assert error.code == "encoding"
    assert "line 6002" in error.message
    assert counts(engine) == (0, 0)
    # The refusal rolled back the staging tables too: the next import starts afresh.
    assert import_contacts(engine, code, write_csv(tmp_path / "ok.csv", good_rows(2))).imported == 2


def test_binary_file_is_not_text(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 8)
    assert refused(engine, code, path).code == "encoding"


@pytest.mark.parametrize(("header", "missing"), [
    (["phone", "first_name", "customer_number", "customer_since"], "language"),
    (["language", "first_name", "customer_number", "customer_since"], "phone"),
    (["phone", "language", "customer_number", "customer_since", "email"], "first_name"),
])
def test_missing_columns(committed: tuple[Engine, str], tmp_path: Path, header: list[str],
                         missing: str) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", [["x"] * len(header)], header=header)
    error = refused(engine, code, path)
    assert error.code == "missing_column"
    assert f"missing column(s) {missing}" in error.message
    assert f"found: {', '.join(header)}" in error.message


def test_unknown_column_suggests_a_name(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    header = ["Phone", "LANGUAGE", "first_nme", "customer_number", "customer_since"]
    path = write_csv(tmp_path / "c.csv", [["x"] * 5], header=header)
    error = refused(engine, code, path)
    assert error.code == "unknown_column"
    assert "'first_nme' (did you mean 'first_name'?)" in error.message


def test_repeated_column(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", [good_rows(1)[0] + ["x"]], header=[*HEADER, "Phone"])
    assert refused(engine, code, path).code == "duplicate_column"


@pytest.mark.parametrize(("name", "content", "code"), [
    ("empty.csv", b"", "empty_file"),
    ("blank.csv", b"\r\n  \r\n", "empty_file"),
    ("header-only.csv", b"phone,language,first_name,customer_number,customer_since\r\n",
     "empty_file"),
    ("contacts.pdf", b"%PDF-1.4", "unknown_format"),
    ("broken.xlsx", b"not a zip", "unknown_format"),
])
def test_unusable_files(committed: tuple[Engine, str], tmp_path: Path, name: str,
                        content: bytes, code: str) -> None:
    engine, _url = committed
    campaign = new_campaign(engine)
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(engine, campaign, path).code == code


def test_missing_file_unknown_and_finished_campaign(committed: tuple[Engine, str],
                                                    tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    assert refused(engine, code, tmp_path / "nowhere.csv").code == "file_not_found"
    path = write_csv(tmp_path / "c.csv", good_rows(1))
    with pytest.raises(NotFound):
        import_contacts(engine, "NOPE", path)
    with transaction(engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
        campaign.finish()
    assert refused(engine, code, path).code == "campaign_finished"
    assert counts(engine) == (0, 0)


# --- row rejections ----------------------------------------------------------------------------


def test_rejections_store_nothing_and_are_reported_by_line(committed: tuple[Engine, str],
                                                           tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine, countries=("BE", "NL", "FR", "RU"))
    with transaction(engine) as session:
        add_do_not_call(session, "+32 470 00 00 99")
    ok = good_rows(1)[0]
    rows = [
        ok,                                                                  # 2
        ["+32 470 00 00 99", "nl", "A", "LT0000001", "2020-01-02", ""],      # 3 do not call
        ["12345", "nl", "A", "LT0000001", "2020-01-02", ""],                 # 4 invalid
        ["+32 902 12 345", "nl", "A", "LT0000001", "2020-01-02", ""],        # 5 premium
        ["+33 810 12 34 56", "fr", "A", "LT0000001", "2020-01-02", ""],      # 6 shared cost
        ["+49 30 123456", "en", "A", "LT0000001", "2020-01-02", ""],         # 7 country
        ["+32 470 00 00 00", "fr", "B", "LT0000002", "2020-01-02", ""],      # 8 duplicate of 2
        ["+32470000001", "", "A", "LT0000001", "2020-01-02", ""],            # 9 no language
        ["+32470000002", "de", "A", "LT0000001", "2020-01-02", ""],          # 10 language
        ["+79161234567", "ru", "A", "LT0000001", "2020-01-02", ""],          # 11 zones
        ["+32470000003", "nl", "", "LT0000001", "2020-01-02", ""],           # 12 missing
        ["+32470000004", "nl", "A", "LT01", "2020-01-02", ""],               # 13 pattern
        ["+32470000005", "nl", "A", "LT0000001", "02/01/2020", ""],          # 14 date
        ["+32470000006", "nl", "A", "LT0000001", "2020-01-02", "nobody"],    # 15 email
        ["+32470000007", "nl", "A"],                                         # 16 bad row
        ["+32470000000", "en", "C", "LT0000003", "2020-01-02", ""],          # 17 duplicate
        ["+32 470 00 00 99", "nl", "A", "LT0000001", "2020-01-02", ""],      # 18 repeats 3
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    report_path = tmp_path / "out" / "rejected.csv"

    report = import_contacts(engine, code, path, reject_report=report_path, batch_size=3)

    assert (report.rows, report.imported, report.rejected) == (17, 0, 16)
    assert report.seconds_reading > 0 and report.seconds_storing > 0
    assert reasons(report) == {
        3: "do_not_call", 4: "invalid_number", 5: "premium_rate", 6: "shared_cost",
        7: "country", 8: "duplicate", 9: "missing_language", 10: "unknown_language",
        11: "ambiguous_time_zone", 12: "missing_field", 13: "pattern", 14: "date",
        15: "email", 16: "bad_row", 17: "duplicate", 18: "duplicate"}
    messages = {r.line: r.message for r in report.first_rejections}
    assert "line 2" in messages[8] and "line 2" in messages[17]
    assert messages[12].startswith("first_name:")
    assert counts(engine) == (0, 0)
    assert report.reject_report == report_path
    with report_path.open(encoding="utf-8", newline="") as written:
        lines = list(csv.reader(written))
    assert lines[0] == ["line", "reason", "message"]
    assert [(int(line), reason) for line, reason, _ in lines[1:]] == sorted(
        reasons(report).items())


def test_ambiguous_zone_is_accepted_with_a_time_zone(committed: tuple[Engine, str],
                                                     tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine, countries=("RU", "BE"))
    row = ["+79161234567", "ru", "Ivan", "LT0000001", "2020-01-02", ""]
    without = write_csv(tmp_path / "without.csv", [row])
    assert reasons(import_contacts(engine, code, without)) == {2: "ambiguous_time_zone"}

    header = [*HEADER, "time_zone"]
    wrong = write_csv(tmp_path / "wrong.csv", [[*row, "Europe/Moskva"]], header=header)
    assert reasons(import_contacts(engine, code, wrong)) == {2: "unknown_time_zone"}

    given = write_csv(tmp_path / "given.csv", [[*row, "europe/moscow"],
                                               ["+32470000001", "nl", "Jan", "LT0000002",
                                                "2020-01-02", "", ""]], header=header)
    assert import_contacts(engine, code, given).imported == 2
    assert groups(engine) == {("ru", "Europe/Moscow", "RU"), ("nl", "Europe/Brussels", "BE")}


def test_a_given_time_zone_must_be_one_of_the_numbers(committed: tuple[Engine, str],
                                                     tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine, countries=("BE", "US", "RU"))
    header = [*HEADER, "time_zone"]
    fields = ["A", "LT0000001", "2020-01-02", ""]
    tokyo = write_csv(tmp_path / "tokyo.csv", [["+32470000001", "nl", *fields, "Asia/Tokyo"]],
                      header=header)
    report = import_contacts(engine, code, tokyo)
    assert reasons(report) == {2: "time_zone_mismatch"}
    assert "Asia/Tokyo" in report.first_rejections[0].message
    assert "Europe/Brussels" in report.first_rejections[0].message

    # South Dakota (+1 605) spans two zones, Russian mobiles many: one of theirs is accepted.
    several = write_csv(tmp_path / "several.csv", [
        ["+1 605 555 1234", "en", *fields, "America/Denver"],
        ["+7 916 123 45 67", "ru", *fields, "Asia/Novosibirsk"],
        ["+32470000001", "nl", *fields, "europe/brussels"],
        ["+32470000002", "fr", *fields, ""],
    ], header=header)
    assert import_contacts(engine, code, several).imported == 4
    assert groups(engine) == {("en", "America/Denver", "US"), ("ru", "Asia/Novosibirsk", "RU"),
                              ("nl", "Europe/Brussels", "BE"), ("fr", "Europe/Brussels", "BE")}


@pytest.mark.parametrize(("phone", "language", "zone"), [
    ("+32470000001", "NL", ""),
    ("+32470000001", "nl", "Asia/Tokyo"),
    ("+32470000001", "nl", "Mars/Olympus"),
    ("+32470000001", "de", ""),
    ("+32470000001", " ", ""),
    ("+16055551234", "en", ""),
    ("+16055551234", "en", "America/North_Dakota/Center"),
    ("+79161234567", "ru", "Europe/Brussels"),
])
def test_the_importer_and_add_contact_agree(committed: tuple[Engine, str], tmp_path: Path,
                                            phone: str, language: str, zone: str) -> None:
    """A line of a file and :func:`add_contact` accept and refuse the same contacts, for the
    same reason, and put them in the same zone."""
    engine, _url = committed
    imported, added = (new_campaign(engine, countries=("BE", "US", "RU")) for _ in range(2))
    path = write_csv(tmp_path / "one.csv", [[phone, language, "A", "LT0000001", "2020-01-02",
                                             "", zone]], header=[*HEADER, "time_zone"])
    report = import_contacts(engine, imported, path)
    with transaction(engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == added)).one()
        try:
            contact = add_contact(session, campaign, phone, language, zone or None)
        except DialerError as error:
            assert reasons(report) == {2: error.code}
            return
        assert report.imported == 1, report.first_rejections
        expected = (contact.language, contact.time_zone, contact.group.country)
    assert groups(engine) == {expected}, "both campaigns have one group, the same"


def test_importing_the_same_file_twice(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", good_rows(4))
    assert import_contacts(engine, code, path).imported == 4

    again = import_contacts(engine, code, path)

    assert (again.imported, again.rejected) == (0, 4)
    assert set(reasons(again).values()) == {"already_in_campaign"}
    assert counts(engine) == (4, 3)


def test_concurrent_imports_of_one_file_store_it_once(committed: tuple[Engine, str],
                                                      tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", good_rows(300))
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: import_contacts(engine, code, path), range(2)))
    assert sorted((r.imported, r.rejected) for r in reports) == [(0, 300), (300, 0)]
    assert counts(engine) == (300, 3)


def test_existing_contacts_and_groups_are_reused(committed: tuple[Engine, str],
                                                 tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    with transaction(engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
        add_contact(session, campaign, "+32470999999", "nl")
    path = write_csv(tmp_path / "c.csv", good_rows(3))
    assert import_contacts(engine, code, path).imported == 3
    assert counts(engine) == (4, 3)


def test_columns_without_heading_must_stay_empty(committed: tuple[Engine, str],
                                                 tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = [[*row, "", ""] for row in good_rows(3)]
    rows[1][-1] = "stray"
    rows[2] = rows[2][:-2]
    path = write_csv(tmp_path / "c.csv", rows, header=[*HEADER, "", ""], delimiter=";")
    report = import_contacts(engine, code, path)
    assert reasons(report) == {3: "bad_row", 4: "bad_row"}
    assert "no heading" in report.first_rejections[0].message


def test_old_mac_line_endings_and_pipes(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = tmp_path / "c.txt"
    lines = ["|".join(HEADER), *("|".join(row) for row in good_rows(3))]
    path.write_bytes(("\r".join(lines) + "\r").encode("utf-8"))
    assert import_contacts(engine, code, path).imported == 3


def test_multiline_records_keep_physical_line_numbers(committed: tuple[Engine, str],
                                                      tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = good_rows(3)
    rows[0][2] = "Anne\r\nMarie"
    rows[2][0] = "0"
    path = write_csv(tmp_path / "c.csv", rows)
    assert reasons(import_contacts(engine, code, path)) == {5: "invalid_number"}


def test_many_rejections_keep_the_first_hundred(committed: tuple[Engine, str],
                                                tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    rows = [[f"+32470{i:06d}", "xx", "A", "LT0000001", "2020-01-02", ""] for i in range(250)]
    report = import_contacts(engine, code, write_csv(tmp_path / "c.csv", rows), batch_size=40)
    assert report.rejected == 250
    assert [r.line for r in report.first_rejections] == list(range(2, 102))


# --- progress ----------------------------------------------------------------------------------


def test_progress_adds_up_to_the_work_size(committed: tuple[Engine, str],
                                           tmp_path: Path) -> None:
    engine, _url = committed
    code = new_campaign(engine)
    path = write_csv(tmp_path / "c.csv", good_rows(3000), encoding="utf-8-sig")
    steps: list[int] = []
    import_contacts(engine, code, path, progress=steps.append)
    assert sum(steps) == work_size(path) == path.stat().st_size
    assert len(steps) > 1

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in good_rows(5):
        sheet.append(row)
    book = tmp_path / "c.xlsx"
    workbook.save(book)
    steps.clear()
    import_contacts(engine, code, book, progress=steps.append)
    assert sum(steps) == work_size(book) == 6


def test_dispatch_goes_on_while_a_file_is_being_read(committed: tuple[Engine, str],
                                                     tmp_path: Path) -> None:
    """Staging writes temporary tables only: a claim made while the import reads its file
    neither waits for the import nor sees its contacts."""
    engine, _url = committed
    with transaction(engine) as session:
        campaign = factories.campaign(session)
        code = campaign.code
        add_contact(session, campaign, "+32479999999", "nl")
        agent_id = factories.agent(session, factories.site(session), ["nl"]).id
    path = write_csv(tmp_path / "panel.csv", good_rows(50))
    reading, may_finish = threading.Event(), threading.Event()

    def progress(_amount: int) -> None:
        reading.set()
        assert may_finish.wait(timeout=60)

    with ThreadPoolExecutor(max_workers=1) as pool:
        importing = pool.submit(import_contacts, engine, code, path, progress=progress)
        assert reading.wait(timeout=60)
        started = time.monotonic()
        claim = Dispatcher(engine, roster_ttl=dt.timedelta(0)).next_call(agent_id)
        waited = time.monotonic() - started
        may_finish.set()
        report = importing.result(timeout=120)

    assert claim is not None and claim.masked_number.endswith("99")
    assert waited < 5, f"the claim waited {waited:.1f} s for the import"
    assert (report.imported, report.rejected) == (50, 0)
    assert counts(engine)[0] == 51


# --- closed quotas -----------------------------------------------------------------------------


def test_contacts_of_a_closed_quota_are_imported_set_aside(committed: tuple[Engine, str],
                                                           tmp_path: Path) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        campaign = factories.regional_panel(session, tmp_path)
        assert close_full_quota(session, campaign, "brussels") == 0
    regions = ["BXL", "GNT", "BXL", "ANT", "bxl"]
    path = write_csv(tmp_path / "panel.csv",
                     [[f"+3247000000{n}", "nl", region] for n, region in enumerate(regions)],
                     header=["phone", "language", "region"])

    report = import_contacts(engine, "RP-1", path)

    assert (report.imported, report.set_aside, report.rejected) == (5, 2, 0)
    assert [(c.fields["region"], c.state) for c in stored(engine)] == [
        ("BXL", ContactState.QUOTA_FULL), ("GNT", ContactState.WAITING),
        ("BXL", ContactState.QUOTA_FULL), ("ANT", ContactState.WAITING),
        ("bxl", ContactState.WAITING)]
