"""The edge where plan files come in: reading them from disk, converting legacy formats."""
