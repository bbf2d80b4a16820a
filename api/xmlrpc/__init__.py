"""XML-RPC at POST /pypi: the read-only mirror and metadata methods of pypi.org's legacy API."""
