"""Applications on top of the pictures: the command line, the demo, the desktop viewer and the
browser app. Nothing below imports from here."""
