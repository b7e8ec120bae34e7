"""Plan the week: many meetings placed together over shared people, solved in the background (issue 14)."""
