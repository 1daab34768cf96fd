"""Counters for GET /metrics, in the Prometheus text format, written by hand.

The format is small and stable; a dependency for three counters is not worth it. The
counters are per process (each `digicheque run` exports its own, as Prometheus
expects); the database-wide figures (backlog, conversations per state) are gauges that
the server reads from the database at scrape time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass
class Family:
    """One metric: a name, its help line, its type, and samples by label set."""

    name: str
    help: str
    kind: str  # "counter" | "gauge"
    samples: dict[Labels, float] = field(default_factory=dict)

    def render(self) -> str:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]
        lines += [f"{self.name}{_labels(k)} {_number(v)}" for k, v in sorted(self.samples.items())]
        return "\n".join(lines) + "\n"


class Counter:
    """A monotonically increasing count per label set; safe from any thread."""

    def __init__(self, name: str, help: str) -> None:
        self.family = Family(name, help, "counter")
        self._lock = threading.Lock()

    def inc(self, amount: float = 1, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        with self._lock:
            self.family.samples[key] = self.family.samples.get(key, 0) + amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self.family.samples.get(tuple(sorted(labels.items())), 0)

    def render(self) -> str:
        with self._lock:
            return self.family.render()


def gauge(name: str, help: str, values: Mapping[Labels, float] | float) -> Family:
    """A gauge family from a single value or from label sets to values."""
    samples: dict[Labels, float] = (
        {(): float(values)} if isinstance(values, (int, float)) else dict(values))
    return Family(name, help, "gauge", samples)


class Metrics:
    """The process's counters, shared by the webhook, the poller and the sender."""

    def __init__(self) -> None:
        self.messages_in = Counter(
            "digicheque_messages_in_total",
            "Messages received from residents and handed to the engine, by channel.")
        self.duplicates_in = Counter(
            "digicheque_duplicates_in_total",
            "Redelivered messages recognised by their provider id, by channel.")
        self.messages_out = Counter(
            "digicheque_messages_out_total", "Messages the provider accepted, by channel.")
        self.send_errors = Counter(
            "digicheque_send_errors_total", "Failed send attempts, by channel and kind.")
        self.messages_failed = Counter(
            "digicheque_messages_failed_total", "Messages given up on, by channel.")
        self.messages_given_up = Counter(
            "digicheque_messages_given_up_total",
            "Messages given up because the provider kept failing (5xx, timeouts, no "
            "connection) for [sender] give_up_after, by channel; also in messages_failed.")
        self.sent_after_timeout = Counter(
            "digicheque_sent_after_timeout_total",
            "Messages sent after an earlier attempt got no answer in time, by channel: the "
            "provider may have delivered both, so the resident may have it twice.")
        # Input that could not be handled (G6): acknowledged, never a 5xx, and counted.
        self.webhook_rejected = Counter(
            "digicheque_webhook_rejected_total",
            "Webhook requests whose update was not handled, by channel and reason: bad_secret "
            "(403), too_large (413), unreadable (acknowledged), database_unavailable (503).")
        self.updates_skipped = Counter(
            "digicheque_updates_skipped_total",
            "Updates given up as poison, by webhook or polling, by channel and reason: "
            "unreadable (not an update we can read) or failed (handling it failed for a "
            "reason of its own; logged at ERROR with its id).")
        self.database_retries = Counter(
            "digicheque_database_retries_total",
            "Updates tried again after a transient database error (long polling), by channel.")
        self.job_failures = Counter(
            "digicheque_job_failures_total", "Periodic job runs that failed, by job.")
        self.delivery_reports = Counter(
            "digicheque_delivery_reports_total",
            "Provider delivery reports (Twilio status callbacks), by channel and the status "
            "recorded; 'ignored' for a repeated, out-of-order or unknown one.")

    def counters(self) -> list[Counter]:
        return [self.messages_in, self.duplicates_in, self.messages_out, self.send_errors,
                self.messages_failed, self.messages_given_up, self.sent_after_timeout,
                self.webhook_rejected, self.updates_skipped,
                self.database_retries, self.job_failures, self.delivery_reports]


def render(counters: Iterable[Counter], gauges: Iterable[Family]) -> str:
    """The whole exposition, counters first."""
    return "".join([c.render() for c in counters] + [g.render() for g in gauges])


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
