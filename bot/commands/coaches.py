"""`digicheque coaches`: add, list and remove the digital coaches who make the home visits."""

from __future__ import annotations

import re

import click
from sqlalchemy import select

from bot.app import App, pass_app
from bot.commands.common import booking_line, columns, get_coach
from conversations.phone import read_phone
from storage.models import Coach
from storage.slots import booked_visits, coach_by_name


# ---------------------------------------------------------------------------- options

def normalise_phone(text: str, country: str) -> str:
    """A phone number in E.164 form ('+32470123456'); click.BadParameter if not valid."""
    number = read_phone(text, country)
    if number is None:
        raise click.BadParameter(
            f"{text!r} is not a valid phone number for {country}; write it like "
            "0470 12 34 56 or +32 470 12 34 56", param_hint="'--phone'")
    return number


def parse_postcodes(text: str) -> list[str]:
    """'9100, 9111' -> ['9100', '9111']; click.BadParameter names a bad one."""
    codes: list[str] = []
    for code in re.split(r"[,;\s]+", text.strip()):
        if not code:
            continue
        if not re.fullmatch(r"\d{4}", code):
            raise click.BadParameter(f"{code!r} is not a Belgian postcode (4 digits, e.g. 9100)",
                                     param_hint="'--postcodes'")
        if code not in codes:
            codes.append(code)
    return codes


# ---------------------------------------------------------------------------- commands

@click.group()
def coaches() -> None:
    """Add, list and remove the coaches who make the home visits."""


@coaches.command("add")
@click.argument("name")
@click.option("--phone", metavar="NUMBER",
              help="The coach's phone number, e.g. 0470 12 34 56 (stored as +32470123456).")
@click.option("--postcodes", metavar="LIST",
              help="Postcodes the coach visits, comma-separated, e.g. 9100,9111. "
                   "Default: all postcodes.")
@pass_app
def add_command(app: App, name: str, phone: str | None, postcodes: str | None) -> None:
    """Add a coach called NAME (a removed coach with that name is made active again)."""
    name = " ".join(name.split())
    if not name:
        raise click.BadParameter("the name is empty", param_hint="'NAME'")
    if len(name) > 100:
        raise click.BadParameter("the name is longer than 100 characters", param_hint="'NAME'")
    settings = app.settings
    number = normalise_phone(phone, settings.city.country) if phone else None
    codes = parse_postcodes(postcodes) if postcodes else []
    outside = [c for c in codes if c not in settings.city.postcodes]
    with app.sessions().begin() as session:
        coach = coach_by_name(session, name)
        if coach is not None and coach.active:
            raise click.ClickException(
                f"A coach named {coach.name!r} already exists. Use another name, or remove "
                f"that coach first: digicheque coaches remove {coach.name!r}")
        if coach is not None:
            coach.active = True
            coach.phone = number if phone else coach.phone
            coach.postcodes = ",".join(codes) if postcodes else coach.postcodes
            verb = "was removed earlier and is active again"
        else:
            coach = Coach(name=name, phone=number, postcodes=",".join(codes), active=True)
            session.add(coach)
            verb = "added"
    click.echo(f"Coach {coach.name!r} {verb}: phone {coach.phone or 'none'}, "
               f"postcodes {coach.postcodes or 'all'}.")
    if outside:
        verb = "is" if len(outside) == 1 else "are"
        click.echo(f"Note: {', '.join(outside)} {verb} outside the service area "
                   f"({', '.join(settings.city.postcodes)}).", err=True)


@coaches.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also show removed coaches.")
@pass_app
def list_command(app: App, show_all: bool) -> None:
    """Show the coaches with their phone and postcodes."""
    with app.sessions()() as session:
        stmt = select(Coach).order_by(Coach.name)
        if not show_all:
            stmt = stmt.where(Coach.active)
        found = list(session.scalars(stmt))
    if not found:
        click.echo("No coaches yet. Add one with: digicheque coaches add NAME --phone NUMBER")
        return
    rows = [[c.name, c.phone or "-", c.postcodes or "all", "active" if c.active else "removed"]
            for c in found]
    click.echo(columns(["Coach", "Phone", "Postcodes", "Status"], rows))


@coaches.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True,
              help="Remove even if the coach has booked visits to come (they stay booked "
                   "and must be moved).")
@pass_app
def remove_command(app: App, name: str, force: bool) -> None:
    """Remove the coach NAME: no more slots are offered; past visits are kept.

    Refused while the coach has booked visits to come, unless --force.
    """
    tz = app.settings.tz
    with app.sessions().begin() as session:
        coach = get_coach(session, name)
        upcoming = booked_visits(session, app.clock(), coach_id=coach.id)
        lines = "\n".join(f"  {booking_line(b, tz)}" for b in upcoming)
        if upcoming and not force:
            raise click.ClickException(
                f"{coach.name!r} has {len(upcoming)} booked visit(s) to come:\n{lines}\n"
                "Move or cancel them first, or remove anyway with --force.")
        coach.active = False
    click.echo(f"Coach {coach.name!r} removed: no longer offered to residents "
               "(past visits are kept).")
    if upcoming:
        click.echo(f"These {len(upcoming)} booked visit(s) still need moving:\n{lines}")
