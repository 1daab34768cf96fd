"""Building the conversation engine and the sender's retries from the settings (the one
place they meet)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, parse_clock, parse_clock_range
from bot.sender import RetryPolicy
from conversations.engine import Delivery, Engine
from conversations.step import Rules
from storage.clock import Clock


def rules_from(settings: Settings) -> Rules:
    city, booking, conv = settings.city, settings.booking, settings.conversation
    return Rules(
        tz=settings.tz, city_phone=city.phone, city_name=city.name,
        postcodes=tuple(city.postcodes), languages=tuple(city.languages),
        default_language=city.default_language, country=city.country,
        places=tuple((name.lower(), code) for name, code in city.places.items()),
        visit_length=booking.visit_length, min_notice=booking.min_notice,
        max_ahead=booking.max_ahead, change_deadline=booking.change_deadline,
        choices_offered=booking.choices_offered, idle_after=conv.idle_after,
        forget_after=conv.forget_after, code_attempts=conv.code_attempts,
        code_window=conv.code_window, code_lockout=conv.code_lockout,
        reminder_offsets=tuple(settings.reminders.offsets),
        quiet_hours=parse_clock_range(settings.reminders.quiet_hours),
        staff_group=settings.staff.group_chat_id,
        followup_at=parse_clock(settings.reminders.followup_at),
        followup_wait=settings.reminders.followup_wait,
    )


def conversation_engine(settings: Settings, sessions: sessionmaker[Session], clock: Clock,
                        delivery: Delivery | None = None,
                        console_form: str = "sms") -> Engine:
    return Engine(sessions, rules_from(settings), clock, delivery, console_form)


def retry_policy(settings: Settings) -> RetryPolicy:
    """[sender]: how long the outbox sender keeps trying through a provider outage."""
    return RetryPolicy(max_wait=settings.sender.max_backoff.total_seconds(),
                       give_up_after=settings.sender.give_up_after)
