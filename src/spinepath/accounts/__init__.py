"""Users, roles, sites and care teams."""
