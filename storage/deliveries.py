"""What the provider reports after accepting a message (Twilio status callbacks).

Twilio posts queued -> sent -> delivered (or undelivered / failed) for each message, may
repeat a callback and does not promise their order. A status is recorded only when it
moves the message forward, by one conditional UPDATE, so a late "sent" never overwrites
"delivered" and a repeated callback changes nothing, also when two arrive at once.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, or_, update
from sqlalchemy.orm import Session

from storage.models import Outbox

# The reports the figures count: it arrived, or it did not (broadcast status, stats).
DELIVERED = "delivered"
UNDELIVERED = ("undelivered", "failed")

# How far along each status is; a status only replaces one of a lower rank.
RANK = {"accepted": 0, "scheduled": 0, "queued": 1, "sending": 1, "sent": 2,
        "delivered": 3, "undelivered": 3, "failed": 3, "read": 4}


def record_delivery(session: Session, channel: str, provider_message_id: str, status: str,
                    error_code: str | None = None) -> bool:
    """Record `status` for the message the provider knows by this id; True if it moved
    forward, False for an unknown status or message, a repeat, or one out of order."""
    rank = RANK.get(status)
    if rank is None or not provider_message_id:
        return False
    behind = [name for name, r in RANK.items() if r < rank]
    result = session.execute(
        update(Outbox)
        .where(Outbox.channel == channel, Outbox.provider_message_id == provider_message_id,
               or_(Outbox.delivery_status.is_(None), Outbox.delivery_status.in_(behind)))
        .values(delivery_status=status, delivery_error=(error_code or None) and error_code[:12])
        .execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount) > 0
