"""The closed set of send outcomes (G6; STYLE.md, the courier lesson).

A channel adapter turns every provider failure into exactly one of these four errors and
decides nothing else; the sender alone decides what happens next: wait, retry with
backoff, stop writing to the resident, or give up. Adding a channel never adds a branch
to the sender.
"""

from __future__ import annotations

from enum import StrEnum


class SendOutcome(StrEnum):
    THROTTLED = "throttled"            # slow down, then send the same message again
    TEMPORARY = "temporary"            # 5xx, timeout, connection failed: retry with backoff
                                       # (Unanswered: a timeout after the request went out)
    RECIPIENT_GONE = "recipient_gone"  # blocked the bot / opted out: never write again
    PERMANENT = "permanent"            # the provider refuses this message: retrying won't help


class ThrottleScope(StrEnum):
    CHAT = "chat"        # only this recipient must wait
    CHANNEL = "channel"  # every message of the channel must wait


class SendError(Exception):
    """A message was not delivered; `outcome` says which of the four cases it is.

    `reason` is a short text for the outbox row's last_error and the logs: it must not
    carry the recipient's address or any secret.
    """

    outcome: SendOutcome

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Throttled(SendError):
    """The provider asked us to wait `retry_after` seconds (Telegram 429, Twilio 429)."""

    outcome = SendOutcome.THROTTLED

    def __init__(self, reason: str, retry_after: float,
                 scope: ThrottleScope = ThrottleScope.CHAT) -> None:
        super().__init__(reason)
        self.retry_after = max(0.0, float(retry_after))
        self.scope = scope


class Temporary(SendError):
    """A failure that may pass: server error, timeout, network down."""

    outcome = SendOutcome.TEMPORARY


class Unanswered(Temporary):
    """The request went out but no answer came in time (a read timeout).

    Still TEMPORARY, but the provider may have delivered the message all the same: the
    sender counts a later successful send of it as possibly a second copy. Only for
    a request that was sent; a connection that could not be made is a plain Temporary.
    """


class RecipientGone(SendError):
    """The resident can no longer be reached: Telegram 403 blocked, Twilio 21610."""

    outcome = SendOutcome.RECIPIENT_GONE


class Permanent(SendError):
    """The provider rejects this message itself (400 bad request, invalid number...)."""

    outcome = SendOutcome.PERMANENT
