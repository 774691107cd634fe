"""The read side: records -> linked graph with derived values -> rows, checks and reports."""
