"""Hostile books and hostile input (issue 14): one file per family of attack."""
