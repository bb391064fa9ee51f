"""Self-screen, referral, clinician assessment and candidacy recommendation."""
