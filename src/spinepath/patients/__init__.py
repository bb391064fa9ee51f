"""The patient record, caregiver proxies, and the episode every stage hangs off."""
