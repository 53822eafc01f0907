"""The agent console through HTTP, on both databases: a Turkish respondent interviewed by an
agent whose interface is Russian, from the ready button to the end of the call, with a refused
answer explained, a step back and a don't-know; the agent's own figures; appointments in the
respondent's time; and the scan of everything the agent received for full phone numbers."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import time_machine
from flask import Flask
from sqlalchemy import select

from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.models import AnswerKind, AnswerRecord, Attempt, Campaign, Contact, utc_now
from tests.dialer import callflow
from tests.dialer.test_sealed_payloads import NumberScanner
from tests.web.centre import TURKISH_NUMBERS, WebCentre, sign_in
from tests.web.console_flow import (
    TURKISH_ANSWERS,
    Workstation,
    answered,
    current_call,
    give,
    question_of,
)

PHONE_FIELD = re.compile(r"<(input|textarea|select)\b[^>]*>", re.I)


def _new_contact(centre: WebCentre, number: str) -> int:
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaigns["mine"])
        assert campaign is not None
        contact = add_contact(session, campaign, number, "tr", fields={
            **callflow.CUSTOMER, "first_name": "Ayşe"})
        contact.due_at = utc_now() - dt.timedelta(minutes=5)
        session.flush()
        return contact.id


def test_a_russian_interface_agent_interviews_a_turkish_respondent(
        web_app: Flask, web_centre: WebCentre) -> None:
    contact_id = _new_contact(web_centre, TURKISH_NUMBERS[2])
    with time_machine.travel(utc_now(), tick=True) as traveller:
        station = Workstation(sign_in(web_app, web_centre, "agent"))
        console = station.get("/agent/")
        assert "Консоль" in console.text, "the interface speaks the agent's language"
        assert station.post("/agent/ready").status_code == 302
        call = current_call(station)
        page = answered(station, call, traveller)
        assert "Собеседник на линии" in page.text
        station.post(f"{call}/begin")
        page = station.get(call)
        assert 'lang="tr"' in page.text and "Ayşe" in html.unescape(page.text), \
            "the intro is read in Turkish, with the respondent's name piped in"
        stepped_back = refused = False
        while (question := question_of(page)) is not None:
            if question == "monthly_bill" and not refused:
                refused = True
                page = give(station, call, question, "5000")
                assert page.status_code == 422
                assert "Не принято" in page.text, "the agent is told, in Russian"
                assert "1.000" in html.unescape(page.text), "the reason, in Turkish"
                continue
            if question == "contacted_support" and not stepped_back:
                stepped_back = True
                station.post(f"{call}/back")
                page = station.get(call)
                assert question_of(page) == "improvements"
                continue
            response = give(station, call, question, TURKISH_ANSWERS[question])
            assert response.status_code == 302, response.text[:600]
            page = station.get(call)
        assert "Son sorum buydu" in page.text and "Завершение" in page.text, \
            "the closing is read out, under a Russian heading"
        assert 'name="decided" type="hidden" value="complete"' in page.text
        ended = station.post(f"{call}/end", {"decided": "complete", "pause": "x"})
        assert ended.status_code == 302
        console = station.get("/agent/")
        assert console.status_code == 200
    with transaction(web_centre.engine) as session:
        attempt = session.scalars(select(Attempt).where(
            Attempt.contact_id == contact_id)).one()
        assert attempt.disposition == "1.1"
        kinds = [record.kind for record in session.scalars(select(AnswerRecord).where(
            AnswerRecord.attempt_id == attempt.id))]
        assert AnswerKind.WITHDRAWN in kinds
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.state.value == "done"
    figures = re.search(r"<th>Сегодня</th><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td>",
                        console.text)
    assert figures is not None and figures.group(3) == "1", "one complete today"
    _scan(web_centre, station)


def _scan(centre: WebCentre, station: Workstation) -> None:
    """No response the agent received holds a full number, in any written form; the masked
    number was shown, so the scan did read the case pages; no form has a field for one."""
    with transaction(centre.engine) as session:
        contacts = list(session.execute(select(Contact.phone_e164, Contact.masked_number)))
    scanner = NumberScanner(number for number, _masked in contacts)
    leaks = [leak for where, text in station.texts() for leak in scanner.scan(where, text)]
    assert leaks == []
    shown = "\n".join(html.unescape(text) for _where, text in station.texts())
    assert any(masked in shown for _number, masked in contacts)
    assert scanner.scan("planted", f"<p>{contacts[0][0]}</p>"), "the scanner finds numbers"
    for where, text in station.texts():
        for tag in PHONE_FIELD.finditer(text):
            field = tag.group(0).lower()
            assert 'type="tel"' not in field and not re.search(
                r'name="[^"]*(phone|e164|tel|dial|number)', field), f"{where}: {field}"


def test_an_appointment_outside_calling_hours_is_refused_with_the_nearest_time(
        web_app: Flask, web_centre: WebCentre) -> None:
    _new_contact(web_centre, TURKISH_NUMBERS[3])
    with time_machine.travel(utc_now(), tick=True) as traveller:
        station = Workstation(sign_in(web_app, web_centre, "other_agent"))
        station.post("/agent/ready")
        call = current_call(station)
        answered(station, call, traveller)
        with transaction(web_centre.engine) as session:
            campaign = session.get(Campaign, web_centre.campaigns["mine"])
            assert campaign is not None
            for window in campaign.windows:
                window.start, window.end = dt.time(9), dt.time(21)
        web_app.extensions["survey_engine"].desk.roster_ttl = dt.timedelta(0)
        tomorrow = (utc_now() + dt.timedelta(days=1)).astimezone(
            ZoneInfo("Europe/Brussels")).date()
        refused = station.post(f"{call}/end", {
            "outcome": "appointment", "appointment_date": f"{tomorrow:%Y-%m-%d}",
            "appointment_time": "06:30", "promise": "y", "next_call": "x"})
        assert refused.status_code == 422
        assert "09:00" in refused.text, "the nearest time: when the window opens"
        made = station.post(f"{call}/end", {
            "outcome": "appointment", "appointment_date": f"{tomorrow:%Y-%m-%d}",
            "appointment_time": "18:30", "promise": "y", "pause": "x"})
        assert made.status_code == 302
        with transaction(web_centre.engine) as session:
            campaign = session.get(Campaign, web_centre.campaigns["mine"])
            assert campaign is not None
            for window in campaign.windows:
                window.start, window.end = dt.time(0), dt.time(23, 59, 59)
    _scan(web_centre, station)
