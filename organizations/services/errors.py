class OrganizationError(Exception):
    """The change is not allowed; the message is safe to show."""
