"""`project log`: book hours against a project (the one verb only projects have)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA


def _register(app: typer.Typer, noun: str) -> None:
    @app.command("log")
    def log(ctx: typer.Context,
            project: Annotated[str, typer.Argument(metavar="PROJECT", help="The project's id.")],
            hours: Annotated[str, typer.Argument(metavar="HOURS", help=(
                "Hours worked, more than 0 and at most 24: 1.5, 1,5, 1.5h, 1h30m, 90m or 1:30."))],
            date: Annotated[Optional[str], typer.Option("--date", metavar="DATE",
                                                        help="Day worked (default today; not after today).")] = None,
            service: Annotated[Optional[str], typer.Option("--service", metavar="ID", help=(
                "One of the project's services; needed when it lists several, "
                "taken when it lists one."))] = None,
            note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="What was done.")] = None):
        """Book hours against a project, in timelog/<year>.yaml (the same as `time log`).

        Example: freelance project log acme-website 3.5 --date today --service acme-build --note "checkout flow"
        """
        from ...changes import door
        from ..common import say, writing
        with writing(ctx) as book:
            data, notes = door.log_time(book, project, hours, date, service, note)
        for n in notes:
            say(n)
        say(f"booked {data['hours']} h on {data['date']} to project '{data['project']}'"
            + (f" ({data['service']})" if data.get("service") else "") + f" as '{data['id']}'")


EXTRA.setdefault("project", []).append(_register)
