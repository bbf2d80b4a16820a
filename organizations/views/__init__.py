"""Organization pages: the public /org/<name>/ page, applying and invitations (yours), and the
management area; every management view checks the role first (organizations/permissions.py)."""
