"""The `nhacviec` command line and the composition root that wires the program together."""
