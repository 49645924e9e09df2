"""Sending the queued notices by e-mail through the configured SMTP server.

Each notice goes to the addresses the settings give for its roles. A failure is recorded with
the error's kind and the server's reply code, and the notice is tried again on the next run
until `notice_max_attempts`; then it is marked failed and stays in the outbox for a person to
see. No attempt is made when no server is configured.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from service.notices.outbox import Notice, Outbox
from service.settings import Settings


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int
    retrying: int
    failed: int
    skipped: int


def recipients_of(notice: Notice, settings: Settings) -> list[str]:
    """The addresses of every role the notice is for, each once."""
    addresses = (a for role in notice.roles for a in settings.notice_recipients.get(role, ()))
    return list(dict.fromkeys(addresses))


def message_of(notice: Notice, settings: Settings, to: list[str]) -> EmailMessage:
    """The e-mail of one notice."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = notice.subject
    message["Message-ID"] = f"<{notice.key.replace(':', '.')}@jejak>"
    message.set_content(notice.body)
    return message


def _connection(settings: Settings) -> smtplib.SMTP:
    assert settings.smtp_host
    smtp = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    )
    if settings.smtp_starttls:
        smtp.starttls()
    if settings.smtp_user:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        smtp.login(settings.smtp_user, password)
    return smtp


def _error_text(error: BaseException) -> str:
    # Never the message text of the server's reply: it may echo an address.
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ + (f" {code}" if code is not None else "")


def send_waiting(outbox: Outbox, settings: Settings) -> SendReport:
    """Send every waiting notice once; record each result."""
    if not settings.smtp_host:
        return SendReport(0, 0, 0, len(outbox.waiting()))
    sent = retrying = failed = skipped = 0
    waiting = outbox.waiting()
    if not waiting:
        return SendReport(0, 0, 0, 0)
    try:
        smtp = _connection(settings)
    except (OSError, smtplib.SMTPException) as error:
        for notice in waiting:
            give_up = notice.attempts + 1 >= settings.notice_max_attempts
            outbox.attempt_failed(notice.key, _error_text(error), give_up=give_up)
            failed += give_up
            retrying += not give_up
        return SendReport(0, retrying, failed, 0)
    with smtp:
        for notice in waiting:
            to = recipients_of(notice, settings)
            if not to:
                skipped += 1  # no address for its roles yet: it waits for one
                continue
            try:
                smtp.send_message(message_of(notice, settings, to))
            except (OSError, smtplib.SMTPException) as error:
                give_up = notice.attempts + 1 >= settings.notice_max_attempts
                outbox.attempt_failed(notice.key, _error_text(error), give_up=give_up)
                failed += give_up
                retrying += not give_up
            else:
                outbox.sent(notice.key)
                sent += 1
    return SendReport(sent, retrying, failed, skipped)
