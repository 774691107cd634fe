"""The door for changes: `door` is the one call a face makes to change a book; the
planners beside it (records, invoicing, workflow, time, settings, init) build writes
and never apply them. See docs/architecture.md."""
