"""Running the real `digicheque` entry point inside a test."""

from __future__ import annotations

from typing import Any

from bot.cli import main


def digicheque(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run the real entry point; returns (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
