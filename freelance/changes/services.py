"""A project's services are one link (docs/project-services.md): planners for
`project edit --add-service/--rm-service`, and the follow-ups that keep a project's
list from naming another project's service."""
from __future__ import annotations

from ..core.errors import UsageError, did_you_mean
from ..core.schema import KINDS
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write, plan_update
from ..store.yamlio import read_records


def _service_project(book: Book, s: Record) -> str | None:
    """The project a service belongs to (see work.project_id_of; here without a graph)."""
    if s.data.get("project"):
        return str(s.data["project"])
    for p in book.records("project"):
        if s.id in (p.data.get("services") or []):
            return p.id
    return None


def check_listed_services(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """A project may list a service only when the service is not another project's."""
    if new is None:
        return [], []
    was = set(old.data.get("services") or []) if old is not None else set()
    for sid in new.get("services") or []:
        s = book.get("service", sid) if isinstance(sid, str) and sid not in was else None
        if s is None:
            continue
        owner = _service_project(book, s)
        if owner and owner != new.get("id"):
            raise UsageError(f"--service: service {sid} belongs to project {owner}; a service belongs to one "
                             f"project: move it with `freelance service edit {sid} --project {new.get('id')}`")
    return [], []


def leave_old_project(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """A service edited to name another project (or none) leaves the lists of the others."""
    if old is None or new is None or old.data.get("project") == new.get("project"):
        return [], []
    target = new.get("project")
    pairs, notes = [], []
    was = _service_project(book, old)
    if was and was != target:
        _refuse_booked(book, was, old.id, "--project" if target else "--unset project")
    for p in book.records("project"):
        listed = [x for x in p.data.get("services") or []]
        if old.id in listed and p.id != target:
            pairs.append((p.id, {"services": [x for x in listed if x != old.id] or None}))
            notes.append(f"removed service '{old.id}' from project '{p.id}' (its services: "
                         f"{', '.join(x for x in listed if x != old.id) or 'none left'})")
    return ([plan_updates(book, "project", pairs)] if pairs else []), notes


def _refuse_booked(book: Book, project_id: str, service_id: str, option: str) -> None:
    """Hours booked to a service on a project keep it that project's (validate would call the
    entries errors once it is not)."""
    booked = [t for t in book.records("time")
              if t.data.get("project") == project_id and t.data.get("service") == service_id]
    if booked:
        first = booked[0]
        raise UsageError(f"{option}: {len(booked)} time entr{'y is' if len(booked) == 1 else 'ies are'} booked to "
                         f"service {service_id} on project {project_id} (first {first.id}, {first.file}:{first.line}); "
                         "it stays the project's while they are")


def plan_updates(book: Book, kind_name: str, pairs: list[tuple[str, dict]]) -> Write:
    """One write that changes several records of one file (each plan sees the one before)."""
    kind = KINDS[kind_name]
    w = None
    for rid, changes in pairs:
        if w is not None:    # let the next plan read this one's text, without touching the disk
            book.stage(kind_name, w.rel, read_records(w.text.encode("utf-8"), w.rel, kind))
        w = plan_update(book, book.index(kind_name)[rid], changes)
    return w


def plan_project_services(book: Book, project: Record, add: list[str], rm: list[str]
                          ) -> tuple[dict, list[Write], list[str]]:
    """`project edit --add-service/--rm-service`: (changes to the project, writes to its services,
    notes). Adding lists a service that is no other project's; removing takes it off the list
    and clears its `project` when that names this project, so it is no longer the project's
    from either side."""
    listed = [x for x in project.data.get("services") or []]
    notes: list[str] = []
    mine = {s.id for s in book.records("service") if _service_project(book, s) == project.id}
    for sid in add:
        if book.get("service", sid) is None:
            raise UsageError(f"--add-service: no service '{sid}'{did_you_mean(sid, book.index('service'))}")
        owner = _service_project(book, book.get("service", sid))
        if owner and owner != project.id:
            raise UsageError(f"--add-service: service {sid} belongs to project {owner}; a service belongs to one "
                             f"project: move it with `freelance service edit {sid} --project {project.id}`")
        if sid in mine:
            notes.append(f"service '{sid}' is already one of project {project.id}'s services")
        elif sid not in listed:
            listed.append(sid)
            mine.add(sid)
            notes.append(f"added service '{sid}' to project '{project.id}'")
    clear = []
    for sid in rm:
        if sid not in mine and sid not in listed:
            raise UsageError(f"--rm-service: '{sid}' is not one of project {project.id}'s services "
                             f"({', '.join(sorted(mine)) or 'it has none'}){did_you_mean(sid, mine)}")
        _refuse_booked(book, project.id, sid, "--rm-service")
        listed = [x for x in listed if x != sid]
        s = book.get("service", sid)
        if s is not None and s.data.get("project") == project.id:
            clear.append((sid, {"project": None}))
        mine.discard(sid)
        notes.append(f"removed service '{sid}' from project '{project.id}'"
                     + (" (and its project link)" if clear and clear[-1][0] == sid else ""))
    changes = {}
    if listed != list(project.data.get("services") or []):
        changes["services"] = listed or None
    writes = [plan_updates(book, "service", clear)] if clear else []
    return changes, writes, notes
