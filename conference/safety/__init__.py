"""Immediate safety actions (the golden-hour checklist) and missing episodes of a case (issue 10, part A)."""
