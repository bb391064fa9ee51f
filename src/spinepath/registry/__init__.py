"""Registry: pseudonymised extract, analytics, dashboards and reports."""
