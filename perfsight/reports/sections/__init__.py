"""One module per report section; each reads one kind of source for the window."""
