"""When scheduled jobs are due (pure)."""

import datetime as dt

import pytest

from paperboard.schedule import ScheduleError, parse

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_intervals():
    every = parse("every 300")
    assert every.due(None, at("2026-12-01 10:00"))
    assert not every.due(at("2026-12-01 09:56"), at("2026-12-01 10:00"))
    assert every.due(at("2026-12-01 09:55"), at("2026-12-01 10:00"))


def test_times_of_day_run_once_per_time():
    daily = parse("02:00, 14:00")
    assert daily.due(at("2026-11-30 14:05"), at("2026-12-01 02:01"))
    assert not daily.due(at("2026-12-01 02:01"), at("2026-12-01 13:59"))
    assert daily.due(at("2026-12-01 02:01"), at("2026-12-01 14:00"))
    assert daily.due(at("2026-11-25 02:00"), at("2026-12-01 01:00"))  # a worker down for days catches up once
    assert daily.next_after(at("2026-12-01 02:01"), None) == at("2026-12-01 14:00")


def test_a_new_install_does_not_send_a_timed_job_long_after_its_time():
    daily = parse("07:00")
    assert daily.due(None, at("2026-12-01 07:30"))
    assert not daily.due(None, at("2026-12-01 09:00"))


def test_weekdays():
    weekly = parse("mon 07:30")
    assert weekly.latest(at("2026-12-03 12:00")) == at("2026-11-30 07:30")  # 30 Nov 2026 is a Monday
    assert weekly.due(at("2026-11-23 07:30"), at("2026-11-30 07:31"))
    assert not weekly.due(at("2026-11-30 07:31"), at("2026-12-06 23:59"))
    assert weekly.next_after(at("2026-12-01 00:00"), None) == at("2026-12-07 07:30")


@pytest.mark.parametrize("text", ["25:00", "7", "every 1", "sometimes", "mon", "mon 7:61"])
def test_bad_schedules_say_what_is_expected(text):
    with pytest.raises(ScheduleError):
        parse(text)


def test_off():
    assert not parse("off").enabled and not parse("").enabled


def test_a_jobs_error_is_shown_without_the_credentials_of_the_urls_in_it():
    from paperboard.worker import without_credentials

    said = ("harvest failed: GET https://alice:s3cret@mirror.example/oai?verb=ListRecords refused; "
            "retried smtp://bob@mail.example:587 and postgresql+psycopg://pb:pw@db/pb")
    shown = without_credentials(said)
    assert "s3cret" not in shown and "alice" not in shown and "bob@" not in shown and "pw@" not in shown
    assert "https://mirror.example/oai?verb=ListRecords" in shown and "postgresql+psycopg://db/pb" in shown
    assert without_credentials(None) is None and without_credentials("no url here") == "no url here"
