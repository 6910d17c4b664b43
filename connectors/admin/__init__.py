"""The staff console under /admin: server-rendered pages for editors, reviewers and admins."""
