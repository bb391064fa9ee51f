"""Questionnaires, follow-up schedule and complications."""
