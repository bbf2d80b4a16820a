"""The maintainer portal under /manage/: every view checks the user's role (packages.permissions)."""
