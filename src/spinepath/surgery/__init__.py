"""Surgical case, operative record, discharge readiness and the discharge decision."""
