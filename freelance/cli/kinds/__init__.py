"""What is special about each kind: its own verbs, registered on `cli.entity.EXTRA`.

`freelance.cli.kinds.<kind>` is imported when that kind's noun is invoked.
"""
