"""Settings (`config.settings`), bundled data files (agency directories, example plan) and
what a secret looks like (`config.redaction`). Nothing is imported here: the CLI's start
pays only for the module a command uses."""
