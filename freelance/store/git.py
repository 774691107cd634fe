"""The book's git repository: the merge driver's registration, and running git in it
(docs/merge.md, docs/sync.md). git is run without a shell, with the book's folder as its
working directory; nothing that comes with the book is executed."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..core.errors import DataError, UsageError
from ..core.schema import kind_for_path
from ..core.settings import SETTINGS_FILE
from .merge import conflicted_ids, diff_records, record_values

DRIVER = "freelance"
ATTRIBUTE_LINE = "*.yaml merge=freelance"
GITATTRIBUTES = ".gitattributes"


def driver_command() -> str:
    """What git runs to merge a book file: this Python (so it works from a virtualenv that is
    not active when git runs) running freelance's `merge-file` on git's `%O %A %B %P`."""
    return f"{shlex.quote(sys.executable)} -m freelance merge-file %O %A %B %P"


def git(root: Path, *args: str, check: bool = True, env: dict | None = None, input: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """`git ARGS` in the book's folder (text out, never a terminal prompt)."""
    e = dict(os.environ)
    e.setdefault("GIT_TERMINAL_PROMPT", "0")
    e.update(env or {})
    try:
        p = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=e, input=input,
                           stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise DataError(f"git {args[0]} took longer than {int(timeout)} s; stopped") from None
    if check and p.returncode != 0:
        raise DataError(f"git {' '.join(args[:2])} failed: {(p.stderr or p.stdout).strip()}")
    return p


def in_repository(root: Path) -> bool:
    """Whether the book's folder is inside a git work tree (a `.git` above or in it: no
    process is started for a book that is not)."""
    folder = Path(root).resolve()
    for f in (folder, *folder.parents):
        if (f / ".git").exists():
            return True
    return False


def top(root: Path) -> Path | None:
    p = git(root, "rev-parse", "--show-toplevel", check=False)
    return Path(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip() else None


def attributes_registered(root: Path) -> bool:
    """Whether git merges the book's files with the driver (`.gitattributes` says so)."""
    p = git(root, "check-attr", "merge", "--", "freelance.yaml", check=False)
    return p.returncode == 0 and p.stdout.strip().endswith(f": merge: {DRIVER}")


def driver_registered(root: Path) -> bool:
    """Whether this clone's git config names the driver (git does not copy config in a clone)."""
    p = git(root, "config", "--get", f"merge.{DRIVER}.driver", check=False)
    return p.returncode == 0 and "merge-file" in p.stdout


def write_attributes(root: Path) -> bool:
    """Add `*.yaml merge=freelance` to the book's `.gitattributes` (keeping what is there).
    True when the file changed."""
    path = Path(root) / GITATTRIBUTES
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if any(line.split() == ATTRIBUTE_LINE.split() for line in text.splitlines()):
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("# merge book files by record id and field (`freelance merge-file`, docs/merge.md)\n"
             + ATTRIBUTE_LINE + "\n")
    path.write_text(text, encoding="utf-8")
    return True


def register_driver(root: Path) -> None:
    """Name the driver in the clone's own git config (`.git/config`)."""
    git(root, "config", f"merge.{DRIVER}.name", "freelance: merge book records by id and field")
    git(root, "config", f"merge.{DRIVER}.driver", driver_command())


def setup(root: Path) -> list[str]:
    """Register the merge driver for the book's repository; what was done, for people."""
    done = []
    if write_attributes(root):
        done.append(f"added '{ATTRIBUTE_LINE}' to {GITATTRIBUTES} (commit it, or let `freelance sync` do it)")
    was = driver_registered(root)
    register_driver(root)
    done.append(("updated" if was else "set") + f" the merge driver in this clone's git config: {driver_command()}")
    return done


def registration_problem(root: Path) -> str | None:
    """What is missing for git to merge the book by record (None: nothing, or no repository)."""
    if not in_repository(root):
        return None
    missing = []
    if not attributes_registered(root):
        missing.append(f"{GITATTRIBUTES} does not say '{ATTRIBUTE_LINE}'")
    if not driver_registered(root):
        missing.append("this clone's git config does not name the driver")
    if not missing:
        return None
    return ("the book is a git repository but its merge driver is not registered ("
            + "; ".join(missing) + "): run `freelance git setup`, else changes made on two devices "
            "conflict on every added record")


# -- sync: commit, pull with the driver, push (docs/sync.md) --------------------------------

TRAILER = "Made-by: freelance"


def noun_of(kind, data: dict) -> str:
    """How people name a record's kind on the command line (`income`, not `transaction`)."""
    if kind.name == "transaction" and data.get("kind") in ("income", "expense"):
        return str(data["kind"])
    return kind.nouns[0] if kind.nouns else kind.name


def describe(rel: str, old: bytes | None, new: bytes | None) -> list[str]:
    """What changed in one book file, record by record, as commands a person would have typed:
    `client move acme negotiation`, `client edit acme (email, phone)`, `income add tx-...`."""
    kind = kind_for_path(rel)
    if rel == SETTINGS_FILE:
        return ["settings"]
    changes = diff_records(old, new, rel) if kind is not None else None
    if changes is None:
        return [rel]
    out = []
    for c in changes:
        noun = noun_of(kind, c.data)
        if c.what == "edit" and kind.status and list(c.fields) == [kind.status] and c.fields[kind.status][1]:
            out.append(f"{noun} move {c.id} {c.fields[kind.status][1]}")
        elif c.what == "edit":
            out.append(f"{noun} edit {c.id} ({', '.join(c.fields)})")
        else:
            out.append(f"{noun} {c.what} {c.id}")
    return out


def _blob(root: Path, spec: str) -> bytes | None:
    p = subprocess.run(["git", "cat-file", "blob", spec], cwd=root, capture_output=True,
                       stdin=subprocess.DEVNULL)
    return p.stdout if p.returncode == 0 else None


def staged_changes(root: Path) -> list[tuple[str, str]]:
    """(status letter, path relative to the book) of what is staged under the book's folder."""
    p = git(root, "diff", "--cached", "--name-status", "--no-renames", "-z", "--relative", "--", ".")
    parts = [x for x in p.stdout.split("\0") if x]
    return [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def has_head(root: Path) -> bool:
    return git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0


def commit_message(root: Path, files: list[tuple[str, str]]) -> str:
    """A commit message naming the records that changed (subject: as many as fit)."""
    head = has_head(root)
    items: list[str] = []
    for status, rel in files:
        old = _blob(root, f"HEAD:./{rel}") if head and status != "A" else None
        new = _blob(root, f":./{rel}") if status != "D" else None
        items += describe(rel, old, new)
    items = list(dict.fromkeys(items)) or ["book"]
    subject = ""
    for n, item in enumerate(items):
        more = f"; and {len(items) - n} more" if n < len(items) else ""
        if subject and len(subject) + len(item) + 2 + len(more) > 100:
            subject += f"; and {len(items) - n} more"
            break
        subject = f"{subject}; {item}" if subject else item
    body = "\n".join(items) if len(items) > 1 else ""
    return subject + ("\n\n" + body if body else "") + "\n\n" + TRAILER + "\n"


def commit_book(root: Path, paths: list[str] | None = None, message: str | None = None) -> str | None:
    """Stage the book's folder (or only `paths` in it) and commit it with a message naming the
    records (or `message`); the subject, or None when nothing changed. During a merge
    (conflicts settled) it commits the merge."""
    git(root, "add", "-A", "--", *(paths or ["."]))
    if merging(root):
        files = staged_changes(root)
        message = "Merge, settled: " + ("; ".join(f"{rel}" for _, rel in files) or "nothing to settle") + \
            "\n\n" + TRAILER + "\n"
        git(root, "commit", "-q", "--no-verify", "-F", "-", input=message, env=_identity(root))
        return message.split("\n", 1)[0]
    files = staged_changes(root)
    if not files:
        return None
    message = message + "\n\n" + TRAILER + "\n" if message else commit_message(root, files)
    git(root, "commit", "-q", "--no-verify", "-F", "-", "--", *(paths or ["."]), input=message,
        env=_identity(root))
    return message.split("\n", 1)[0]


def _identity(root: Path) -> dict:
    """A committer for a clone whose user never told git who they are."""
    p = git(root, "config", "user.email", check=False)
    if p.stdout.strip() or os.environ.get("GIT_AUTHOR_EMAIL"):
        return {}
    return {"GIT_AUTHOR_NAME": "freelance", "GIT_AUTHOR_EMAIL": "freelance@localhost",
            "GIT_COMMITTER_NAME": "freelance", "GIT_COMMITTER_EMAIL": "freelance@localhost"}


def merging(root: Path) -> bool:
    return git(root, "rev-parse", "-q", "--verify", "MERGE_HEAD", check=False).returncode == 0


def upstream(root: Path) -> tuple[str, str] | None:
    """(remote, branch) the current branch pulls from and pushes to: its upstream, else the
    only remote and the same branch name. None: no remote."""
    p = git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False)
    if p.returncode == 0 and "/" in p.stdout.strip():
        remote, branch = p.stdout.strip().split("/", 1)
        return remote, branch
    remotes = git(root, "remote", check=False).stdout.split()
    if len(remotes) != 1:
        return None
    here = git(root, "rev-parse", "--abbrev-ref", "HEAD", check=False).stdout.strip()
    return (remotes[0], here) if here and here != "HEAD" else None


def unmerged(root: Path) -> list[str]:
    """Files (relative to the book) git left with conflicts."""
    p = git(root, "diff", "--name-only", "--diff-filter=U", "-z", "--relative", "--", ".", check=False)
    return [x for x in p.stdout.split("\0") if x]


def conflicts_in(root: Path, rels: list[str]) -> list[str]:
    """`file: kind 'id'` for each record between conflict markers in `rels` (or the file)."""
    out = []
    for rel in rels:
        try:
            text = (Path(root) / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            out.append(rel)
            continue
        kind = kind_for_path(rel)
        ids = conflicted_ids(text, rel)
        if not ids or kind is None:
            out.append(f"{rel}" + (" (settings)" if rel == SETTINGS_FILE else ""))
        out += [f"{rel}: {kind.name} '{rid}'" for rid in ids] if kind is not None else []
    return out


def markers_left(root: Path, rels: list[str]) -> list[str]:
    """Files among `rels` that still hold conflict markers."""
    out = []
    for rel in rels:
        try:
            text = (Path(root) / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(line.startswith(("<<<<<<<", ">>>>>>>")) for line in text.splitlines()):
            out.append(rel)
    return out


def fetch(root: Path, remote: str, branch: str) -> bool:
    """Fetch `remote/branch` into FETCH_HEAD; False when the remote has no such branch yet."""
    p = git(root, "fetch", "-q", remote, branch, check=False, timeout=600)
    if p.returncode != 0:
        if "couldn't find remote ref" in p.stderr.lower():
            return False                      # a new remote: nothing there to merge yet
        raise DataError(f"git fetch from {remote} failed: {(p.stderr or p.stdout).strip()}")
    return True


def added_on_both(root: Path, rel: str, other: str = "FETCH_HEAD") -> list[tuple[str, dict, dict]]:
    """Records of book file `rel` that this clone (HEAD) and `other` each added since their
    merge base under one id, with other values: (id, ours' values, theirs' values). Two
    devices' drafts of one invoice number are these (docs/sync.md)."""
    p = git(root, "merge-base", "HEAD", other, check=False)
    base = p.stdout.strip()
    if p.returncode != 0 or not base:
        return []
    sides = [_blob(root, f"{c}:./{rel}") for c in (base, "HEAD", other)]
    if sides[1] is None or sides[2] is None or sides[1] == sides[2]:
        return []
    ours, theirs = (diff_records(sides[0], side, rel) for side in sides[1:])
    if ours is None or theirs is None:
        return []                             # a file that does not read: the merge names it
    added = {c.id: c.data for c in theirs if c.what == "add"}
    return [(c.id, c.data, added[c.id]) for c in ours if c.what == "add" and c.id in added
            and c.data != added[c.id]]


def ids_in(root: Path, rel: str, commit: str = "FETCH_HEAD") -> list[str]:
    """The ids of book file `rel` as `commit` has it."""
    changes = diff_records(None, _blob(root, f"{commit}:./{rel}") or b"", rel) or []
    return [c.id for c in changes]


@contextmanager
def checkout_of(root: Path, commit: str = "FETCH_HEAD") -> Iterator[Path]:
    """The book as `commit` has it, in a temporary work tree of the same repository (outside
    the book; removed after): its folder. A change made and committed there (`commit_book`)
    is a commit on top of `commit`, which `merge_fetched` can merge instead."""
    prefix = git(root, "rev-parse", "--show-prefix").stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="freelance-sync-"))
    tree = folder / "book"
    git(root, "worktree", "add", "-q", "--detach", str(tree), commit)
    try:
        yield tree / prefix if prefix else tree
    finally:
        git(root, "worktree", "remove", "--force", str(tree), check=False)
        shutil.rmtree(folder, ignore_errors=True)
        git(root, "worktree", "prune", check=False)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").stdout.strip()


def merge_fetched(root: Path, commit: str = "FETCH_HEAD") -> bool:
    """Merge FETCH_HEAD (or `commit`: it with a change made on top, `checkout_of`), book files
    by the driver; False when git left conflicts."""
    p = git(root, "merge", "--no-edit", "-q", commit, check=False, env=_identity(root))
    if p.returncode == 0:
        return True
    if merging(root):
        return False
    raise DataError(f"git merge failed: {(p.stderr or p.stdout).strip()}")


def pull(root: Path, remote: str, branch: str) -> bool:
    """Fetch and merge `remote/branch` (book files by the driver); False when git left conflicts."""
    return merge_fetched(root) if fetch(root, remote, branch) else True


def push(root: Path, remote: str, branch: str) -> None:
    p = git(root, "push", "-q", "-u", remote, f"HEAD:{branch}", check=False, timeout=600)
    if p.returncode != 0:
        raise DataError(f"git push to {remote} failed (someone pushed meanwhile? run `freelance sync` again): "
                        f"{(p.stderr or p.stdout).strip()}")


def count(root: Path, spec: str) -> int:
    """How many commits `git rev-list SPEC` lists (0 when git cannot tell)."""
    p = git(root, "rev-list", "--count", spec, check=False)
    return int(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip().isdigit() else 0


def ahead(root: Path, remote: str, branch: str) -> int:
    """Commits here that `remote/branch` does not have (all, when it has none of them)."""
    p = git(root, "rev-list", "--count", f"{remote}/{branch}..HEAD", check=False)
    if p.returncode != 0:
        p = git(root, "rev-list", "--count", "HEAD", check=False)
    try:
        return int(p.stdout.strip() or 0)
    except ValueError:
        return 0


# -- history and undo of records (docs/sync.md) ------------------------------------------------

_ZERO = "0" * 40


def files_with(root: Path, rid: str) -> list[str]:
    """Book files (relative to the book) whose history ever held a record `rid` (for a record
    that is no longer in the book): git's pickaxe on its `id:` line."""
    p = git(root, "log", "--all", "--format=", "--name-only", "--relative", "-S", f"id: {rid}", "--", ".",
            check=False)
    return sorted({x for x in p.stdout.splitlines() if x and kind_for_path(x) is not None})


def _blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """Blob contents by id, through one `git cat-file --batch`."""
    if not shas:
        return {}
    p = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=("\n".join(shas) + "\n").encode(),
                       capture_output=True, timeout=300)
    out, data, at = {}, p.stdout, 0
    for sha in shas:
        nl = data.find(b"\n", at)
        head = data[at:nl].split()
        if len(head) < 3 or head[1] != b"blob":
            at = nl + 1
            continue
        size = int(head[2])
        out[sha] = data[nl + 1:nl + 1 + size]
        at = nl + 1 + size + 1
    return out


def history(root: Path, rid: str, rels: list[str], limit: int | None = None) -> list[dict]:
    """Every commit that changed record `rid` (in the book files `rels`), newest first:
    {date, commit, author, subject, file, change, fields: {field: (old, new)}}, change being
    "add", "edit" or "rm". Merge commits are not walked into: the commits they bring are, from
    both sides (`--full-history`: an edit the other side's version replaced when a conflict
    was settled is listed too).
    `limit`: look at the last `limit` commits of the files only (a page that shows the latest)."""
    if not rels:
        return []
    p = git(root, "log", "--full-history", "--format=%x00%H%x1f%an%x1f%aI%x1f%s", "--raw", "--no-abbrev",
            "--no-renames",
            "--relative", *([f"--max-count={limit}"] if limit else []), "--", *rels, check=False)
    if p.returncode != 0:
        return []
    entries = []
    for block in p.stdout.split("\0")[1:]:
        lines = block.split("\n")
        sha, author, date, subject = (lines[0].split("\x1f") + ["", "", ""])[:4]
        for line in lines[1:]:
            if not line.startswith(":"):
                continue
            meta, path = line.split("\t", 1)
            parts = meta.split()
            entries.append((sha, author, date, subject, path, parts[2], parts[3]))
    wanted = sorted({b for e in entries for b in e[5:7] if b != _ZERO})
    blobs = _blobs(root, wanted)
    out = []
    cache: dict[tuple[str, str], dict | None] = {}
    memo: dict = {}

    def values(blob: str, path: str):
        if blob == _ZERO or blob not in blobs:
            return None
        key = (blob, path)
        if key not in cache:
            cache[key] = record_values(blobs[blob], rid, path, memo)
        return cache[key]
    for sha, author, date, subject, path, old, new in entries:
        before, after = values(old, path), values(new, path)
        if before is None and after is None:
            continue
        if before is None:
            change, fields = "add", {k: (None, v) for k, v in after.items() if k != "id"}
        elif after is None:
            change, fields = "rm", {}
        else:
            fields = {k: (before.get(k), after.get(k)) for k in list(before) + [k for k in after if k not in before]
                      if before.get(k) != after.get(k) or before.get(k).__class__ is not after.get(k).__class__}
            if not fields:
                continue                          # only the text changed (a comment, quoting)
            change = "edit"
        out.append({"date": date, "commit": sha, "author": author, "subject": subject, "file": path,
                    "change": change, "fields": fields})
    return out


def undoable(root: Path) -> tuple[str, str]:
    """(commit, subject) of the last commit, when the tool made it (its trailer) and it is not
    pushed; else UsageError saying why not."""
    if not has_head(root):
        raise UsageError("nothing to undo: the repository has no commits")
    p = git(root, "log", "-1", "--format=%H%x1f%s%x1f%P%x1f%B")
    sha, subject, parents, body = (p.stdout.split("\x1f", 3) + ["", "", ""])[:4]
    if TRAILER not in body:
        raise UsageError(f"the last commit ({sha[:8]} {subject}) was not made by freelance: undo it with git "
                         "(`git revert`)")
    if len(parents.split()) > 1:
        raise UsageError(f"the last commit ({sha[:8]}) is a merge: undo it with git")
    if git(root, "rev-list", "--count", "HEAD").stdout.strip() == "1":
        raise UsageError("the last commit is the repository's first: there is nothing before it to go back to")
    remotes = git(root, "branch", "-r", "--contains", sha, check=False).stdout.split()
    if remotes:
        raise UsageError(f"the last change ({subject}) is pushed already ({remotes[0]}): undo it with a new "
                         "change (`git revert` keeps both in the history)")
    return sha, subject


def undo(root: Path) -> str:
    """Take the last commit the tool made back (not pushed): the book's files as before it."""
    sha, subject = undoable(root)
    if git(root, "status", "--porcelain", "--", ".").stdout.strip():
        raise UsageError("the book has changes not committed yet: commit them (`freelance sync`) or "
                         "discard them before undoing the last commit")
    git(root, "reset", "-q", "--keep", "HEAD~1")
    return subject
