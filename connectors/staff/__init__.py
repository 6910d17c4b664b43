"""Staff accounts, their roles and login sessions; the guards on staff and service endpoints."""
