"""What a failure means for the message in hand: wait and try again, or give it up.

The webhook, the long poller and the periodic jobs meet the same question: an update (or
a sweep) failed; is the database away for a while (try again later: the message is
fine), or does this one fail for a reason of its own (trying again fails again and holds
up everything behind it)? And each must log the failure without personal data.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


def transient(exc: BaseException) -> bool:
    """A database error that says nothing about the message: the connection dropped or
    was refused, the server restarts, a lock or deadlock timed out, SQLite is busy.

    SQLAlchemy maps these driver errors to OperationalError and InterfaceError, and marks
    any error that cost the connection. DataError (a value that does not fit), integrity
    and programming errors come back every time for the same message: not transient.
    """
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def describe(exc: BaseException) -> str:
    """The exception's class (and the driver's, for a database error), for a log line.

    Never the message: a driver's message carries the statement's parameters (a street, a
    phone number, a message text), and our own exceptions may quote what residents wrote.
    """
    name = exc.__class__.__name__
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if orig is not None and orig.__class__.__name__ != name:
        return f"{name} ({orig.__class__.__name__})"
    return name
