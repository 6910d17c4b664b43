"""Staff accounts from the console: admins create accounts and change role or active."""
