"""pypi.org's JSON API: /pypi/<project>/json and /pypi/<project>/<version>/json."""
