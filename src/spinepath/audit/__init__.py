"""The append-only access log and its reports."""
