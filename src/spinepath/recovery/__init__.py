"""Home recovery: check-ins, alerts and notifications."""
