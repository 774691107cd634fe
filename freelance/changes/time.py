"""Booking hours: a time entry against a project (and one of its services)."""
from __future__ import annotations

from ..errors import UsageError, did_you_mean
from ..graph import Graph
from ..schema import KINDS
from ..work import services_of
from . import door, records


def log_time(book, project_id: str, hours: str, date: str | None = None, service: str | None = None,
             note: str | None = None) -> tuple[dict, list[str]]:
    """Append one time entry to timelog/<year>.yaml; returns (record data, notes).

    The project must exist; a service must be one of the project's (and is
    required when it lists several, taken when it lists one); hours are more
    than 0 and at most 24; the day is not after today."""
    kind = KINDS["time"]
    project = records.find(book, "project", project_id)
    h = records.parse_value(book, kind.field("hours"), hours, option="HOURS")
    day = records.parse_value(book, kind.field("date"), date or "today", option="--date")
    if day > book.today:
        raise UsageError(f"--date: {day} is after today ({book.today}); book hours once they are worked")
    listed = [s.id for s in services_of(Graph(book), project)]   # docs/project-services.md
    notes = []
    if service is None:
        if len(listed) == 1:
            service = listed[0]
            notes.append(f"service: {service} (the project's only service)")
        elif listed:
            raise UsageError(f"project {project.id} has {len(listed)} services; choose one with --service "
                             f"({', '.join(listed)})")
    elif service not in listed:
        if not listed:
            raise UsageError(f"--service: project {project.id} has no services; book without --service, "
                             f"or add it with `freelance project edit {project.id} --add-service {service}`")
        raise UsageError(f"--service: '{service}' is not one of project {project.id}'s services "
                         f"({', '.join(listed)}){did_you_mean(service, listed)}")
    values = {"date": day, "project": project.id, "service": service, "hours": h, "note": note}
    data, more = door.add(book, kind, {k: v for k, v in values.items() if v is not None})
    return data, notes + more
