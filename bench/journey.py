"""Benchmark: residents through the whole booking journey against bare insert transactions.

    python -m bench.journey [--residents 1000] [--db sqlite|postgresql|both]
                            [--threads N] [--profile]

For each database (SQLite in a temporary file; PostgreSQL in a throw-away database
created and dropped here, server from DIGICHEQUE_TEST_POSTGRES_URL or the local default),
migrated and made with storage.db.make_engine like the program's own, it seeds coaches
with one-to-one visit slots for six weeks (enough for every resident, Belgian holidays
skipped) and one cheque per resident, pins the clock at Tuesday 1 December 2026 09:00,
and then drives every resident through the journey by calling the real
`conversations.engine.Engine.process(Incoming(...))`:

  hello, the cheque code, postcode and street (together or one after the other), the
  phone ('1' for the SMS number, or typed on Telegram), a topic, a time (a number or a
  phrase such as "dinsdag namiddag"; when the engine answers with other times, '1'),
  and the confirmation.

Every answer's next state is checked; at the end the bench checks that every resident has
a booked visit, a taken seat and a used cheque, and exits non-zero otherwise.

  journey   each engine.process() timed alone (time.perf_counter around the call);
  baseline  as many bare one-row insert transactions as the journey had messages,
            through the same sessionmaker and engine (`with sessions.begin() as s:
            s.add(Inbound(...))`: pool checkout, BEGIN (IMMEDIATE on SQLite), INSERT,
            COMMIT), each timed alone.

Sequential (the default): one thread; after each resident's journey the same number of
bare inserts run, so drift and the database's growth hit both alike; messages per second
is messages / seconds spent inside the timed calls. With --threads N, N threads share the
residents; the journey runs first, then the baseline with as many inserts, each phase
timed on the wall clock. It prints messages/s, mean, p50, p99, the ratios journey /
baseline (goal in the issue: within 5x) and the cost per step of the journey.
--profile runs cProfile around the journey's process() calls (figures are then inflated)
and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.seed import BRUSSELS, START, add_cheques, add_coaches, analyze, throwaway_database
from conversations.engine import Engine as ConversationEngine
from conversations.engine import Outcome
from conversations.flows import State
from conversations.incoming import Incoming
from conversations.step import Rules
from conversations.understand import warm_up
from storage.clock import fixed_clock
from storage.db import make_sessionmaker
from storage.models import Booking, BookingStatus, Cheque, ChequeStatus, Inbound, Slot

GOAL = 5.0
WARM_UP_RESIDENTS = 5
SEATS_SPARE = 1.15   # slots for 15% more residents than take part
_ids = itertools.count()   # provider ids, unique over threads and runs (next() is atomic)

# What residents answer, cycled by resident number (SMS residents type numbers and words,
# Telegram residents tap buttons, which arrive as their labels).
TIMES = ("1", "dinsdag namiddag", "2", "morgen om 10u", "donderdag voormiddag", "3",
         "volgende week", "vrijdag 14u")
SMS_TOPICS = ("3", "itsme", "gsm", "1", "e-mail", "2")
TELEGRAM_TOPICS = ("Computer", "itsme", "Smartphone of tablet", "E-mail")
CONFIRMS = ("ja", "1", "ok", "Ja, boek het")


def rules() -> Rules:
    return Rules(tz=BRUSSELS, city_phone="03 778 30 00", postcodes=("9100", "9111", "9112"))


# ---------------------------------------------------------------------------- residents

@dataclass
class Timings:
    """Per-message seconds, by kind, and by journey step."""

    journey: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    steps: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def merge(self, other: Timings) -> None:
        self.journey += other.journey
        self.baseline += other.baseline
        for step, values in other.steps.items():
            self.steps[step] += values
        self.failures += other.failures


class JourneyFailed(Exception):
    pass


@dataclass
class Resident:
    number: int
    code: str
    engine: ConversationEngine
    timings: Timings
    timed: Callable[[Callable[[], Outcome]], tuple[Outcome, float]]

    @property
    def channel(self) -> str:
        return "telegram" if self.number % 3 == 2 else "sms"

    @property
    def address(self) -> str:
        return str(700_000_000 + self.number) if self.channel == "telegram" \
            else f"+32470{self.number:06d}"

    def say(self, step: str, text: str, *expected: State) -> State:
        msg = Incoming(channel=self.channel, address=self.address,
                       provider_id=f"j{next(_ids)}", text=text)
        outcome, seconds = self.timed(lambda: self.engine.process(msg))
        self.timings.journey.append(seconds)
        self.timings.steps[step].append(seconds)
        if outcome.duplicate or outcome.state not in expected:
            raise JourneyFailed(f"resident {self.number} ({self.channel}) said {text!r} at "
                                f"step {step}: got state {outcome.state}, expected "
                                f"{' or '.join(expected)}")
        return State(outcome.state)

    def book(self) -> int:
        """The whole journey; returns the number of messages it took."""
        n, sms = self.number, self.channel == "sms"
        start = len(self.timings.journey)
        self.say("hello", "hallo" if sms else "/start", State.ASK_CODE)
        code = self.code.lower().replace("-", " ") if n % 4 == 1 else self.code
        self.say("code", code, State.ASK_POSTCODE)
        if n % 2:
            self.say("postcode+street", "9100 Kerkstraat 12", State.ASK_PHONE, State.ASK_TOPIC)
        else:
            self.say("postcode", "9111", State.ASK_STREET)
            self.say("street", f"Stationsstraat {n % 200 + 1}", State.ASK_PHONE, State.ASK_TOPIC)
        if not sms:   # by SMS the number written from is the phone: not asked
            self.say("phone", "0470 12 34 56", State.ASK_TOPIC)
        topics = SMS_TOPICS if sms else TELEGRAM_TOPICS
        self.say("topic", topics[n % len(topics)], State.ASK_TIME)
        when = TIMES[n % len(TIMES)]
        state = self.say("time (number)" if when.isdigit() else "time (phrase)", when,
                         State.CONFIRM, State.ASK_TIME)
        for attempt in range(10):
            tries = 0
            while state == State.ASK_TIME and tries < 3:
                # '1' alone; after a lost race, spread out over the times offered
                pick = "1" if attempt == 0 else str((n + attempt + tries) % 3 + 1)
                state = self.say("time (pick one offered)", pick, State.CONFIRM,
                                 State.ASK_TIME)
                tries += 1
            # With --threads another resident may take the seat first: the engine then
            # offers other times (ASK_TIME) and the resident picks again.
            state = self.say("confirm", CONFIRMS[n % len(CONFIRMS)], State.MENU,
                             State.ASK_TIME)
            if state == State.MENU:
                break
        if state != State.MENU:
            raise JourneyFailed(f"resident {n} could not book after 10 tries")
        return len(self.timings.journey) - start


def bare_insert(sessions: sessionmaker[Session], now: datetime) -> Callable[[], None]:
    def insert() -> None:
        with sessions.begin() as session:
            session.add(Inbound(channel="bench", provider_id=f"b{next(_ids)}", received_at=now))
    return insert


def timer(profiler: cProfile.Profile | None) -> Callable[[Callable[[], Outcome]],
                                                          tuple[Outcome, float]]:
    def timed(call: Callable[[], Outcome]) -> tuple[Outcome, float]:
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        outcome = call()
        seconds = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        return outcome, seconds
    return timed


def time_baseline(insert: Callable[[], None], count: int, into: list[float]) -> None:
    for _ in range(count):
        start = time.perf_counter()
        insert()
        into.append(time.perf_counter() - start)


# ---------------------------------------------------------------------------- running

def run_residents(engine: ConversationEngine, sessions: sessionmaker[Session],
                  codes: list[str], numbers: list[int], interleave: bool,
                  profiler: cProfile.Profile | None) -> Timings:
    """Each resident's journey, then (interleaved) as many bare inserts; one thread."""
    timings = Timings()
    insert = bare_insert(sessions, START)
    timed = timer(profiler)
    for n in numbers:
        resident = Resident(n, codes[n], engine, timings, timed)
        try:
            messages = resident.book()
        except JourneyFailed as failed:
            timings.failures.append(str(failed))
            continue
        if interleave:
            time_baseline(insert, messages, timings.baseline)
    return timings


def sequential(engine: ConversationEngine, sessions: sessionmaker[Session], codes: list[str],
               residents: int, profiler: cProfile.Profile | None) -> tuple[Timings, float, float]:
    timings = run_residents(engine, sessions, codes, list(range(WARM_UP_RESIDENTS,
                                                                 WARM_UP_RESIDENTS + residents)),
                            True, profiler)
    return timings, sum(timings.journey), sum(timings.baseline)


def threaded(engine: ConversationEngine, sessions: sessionmaker[Session], codes: list[str],
             residents: int, threads: int) -> tuple[Timings, float, float]:
    """N threads share the residents; then N threads do as many bare inserts."""
    numbers = list(range(WARM_UP_RESIDENTS, WARM_UP_RESIDENTS + residents))
    parts = [Timings() for _ in range(threads)]

    def journeys(k: int) -> None:
        parts[k] = run_residents(engine, sessions, codes, numbers[k::threads], False, None)

    journey_wall = run_threads(journeys, threads)
    total = sum(len(p.journey) for p in parts)
    insert = bare_insert(sessions, START)

    def inserts(k: int) -> None:
        time_baseline(insert, total // threads + (k < total % threads), parts[k].baseline)

    baseline_wall = run_threads(inserts, threads)
    timings = Timings()
    for part in parts:
        timings.merge(part)
    return timings, journey_wall, baseline_wall


def run_threads(work: Callable[[int], None], threads: int) -> float:
    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def warm(engine: ConversationEngine, sessions: sessionmaker[Session], codes: list[str]) -> None:
    """Untimed: dateparser's languages, SQLAlchemy's statement caches, the pool."""
    warm_up()
    timings = run_residents(engine, sessions, codes, list(range(WARM_UP_RESIDENTS)), True,
                            None)
    if timings.failures:
        raise SystemExit(f"warm-up failed: {timings.failures[0]}")


def check(db: Engine, expected: int) -> list[str]:
    """Every resident has a booked visit, a taken seat and a used cheque."""
    with db.connect() as conn:
        booked = conn.execute(select(func.count()).select_from(Booking)
                              .where(Booking.status == BookingStatus.BOOKED)).scalar_one()
        seats = conn.execute(select(func.coalesce(func.sum(Slot.booked), 0))).scalar_one()
        used = conn.execute(select(func.count()).select_from(Cheque)
                            .where(Cheque.status == ChequeStatus.USED)).scalar_one()
        residents = conn.execute(select(func.count(func.distinct(Booking.resident_id))))\
            .scalar_one()
    problems = []
    for what, value in (("booked visits", booked), ("seats taken", seats),
                        ("used cheques", used), ("residents with a visit", residents)):
        if value != expected:
            problems.append(f"{what}: {value}, expected {expected}")
    return problems


# ---------------------------------------------------------------------------- report

def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(label: str, values: list[float], seconds: float) -> str:
    return (f"  {label:<9} {len(values):6d} msgs {len(values) / seconds:8.0f} msg/s   "
            f"mean {ms(statistics.fmean(values))}   p50 {ms(quantile(values, 0.5))}   "
            f"p99 {ms(quantile(values, 0.99))}   max {ms(max(values))}   "
            f"over 100 ms: {sum(v > 0.1 for v in values)}")


def report(label: str, timings: Timings, journey_s: float, baseline_s: float,
           threads: int) -> tuple[float, float]:
    j, b = timings.journey, timings.baseline
    how = "time inside the calls" if threads == 1 else f"wall clock, {threads} threads"
    print(f"{label}: {len(j)} messages ({how})")
    print(line("journey", j, journey_s))
    print(line("baseline", b, baseline_s))
    p50 = quantile(j, 0.5) / quantile(b, 0.5)
    mean = statistics.fmean(j) / statistics.fmean(b)
    p99 = quantile(j, 0.99) / quantile(b, 0.99)
    verdict = "within" if max(p50, mean) <= GOAL else "ABOVE"
    print(f"  ratio     p50 {p50:.2f}x   mean {mean:.2f}x   p99 {p99:.2f}x   "
          f"({verdict} the {GOAL:.0f}x goal)")
    print("  by step (journey):")
    total = sum(j)
    for step, values in sorted(timings.steps.items(), key=lambda kv: -sum(kv[1])):
        print(f"    {step:<26} {len(values):6d}   mean {ms(statistics.fmean(values))}   "
              f"p50 {ms(quantile(values, 0.5))}   p99 {ms(quantile(values, 0.99))}   "
              f"{100 * sum(values) / total:5.1f}% of the time")
    return p50, mean


def print_profile(profiler: cProfile.Profile) -> None:
    for order, count in (("tottime", 25), ("cumulative", 40)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(count)
        text = out.getvalue()
        print(text[text.find("   ncalls"):] if "   ncalls" in text else text)


def bench(kind: str, residents: int, threads: int, profile: bool) -> bool:
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    with throwaway_database(kind) as db:
        sessions = make_sessionmaker(db)
        total = residents + WARM_UP_RESIDENTS
        coaches, slots = add_coaches(sessions, int(total * SEATS_SPARE))
        codes = add_cheques(sessions, total)
        analyze(db)
        engine = ConversationEngine(sessions, rules(), fixed_clock(START))
        print(f"{label}: {residents} residents (+{WARM_UP_RESIDENTS} warm-up), {coaches} coaches, "
              f"{slots} one-to-one slots over six weeks, {len(codes)} cheques")
        warm(engine, sessions, codes)
        profiler = cProfile.Profile() if profile else None
        if threads == 1:
            timings, journey_s, baseline_s = sequential(engine, sessions, codes, residents,
                                                        profiler)
        else:
            timings, journey_s, baseline_s = threaded(engine, sessions, codes, residents,
                                                      threads)
        problems = [f"{len(timings.failures)} journeys failed, first: {timings.failures[0]}"] \
            if timings.failures else []
        problems += check(db, total)
        if timings.journey and timings.baseline:
            report(label, timings, journey_s, baseline_s, threads)
        if profiler is not None:
            print_profile(profiler)
    for problem in problems:
        print(f"{label}: FAILED: {problem}", file=sys.stderr)
    return not problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.journey",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--threads", type=int, default=1,
                        help="residents handled by N threads at once (default 1)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the journey (sequential only) and print the top")
    args = parser.parse_args(argv)
    if args.profile and args.threads != 1:
        parser.error("--profile runs with one thread")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    ok = True
    for kind in kinds:
        ok = bench(kind, args.residents, args.threads, args.profile) and ok
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
