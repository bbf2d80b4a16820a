"""Which installer, and which Python, a download came from, read from its User-Agent.

pip and uv send a product token followed by linehaul's JSON (`pip/25.0 {"installer": …,
"implementation": {"version": "3.12.1"}, "python": "3.12.1", …}`); poetry sends
`poetry/2.5.1 CPython/3.11.7 Linux/…`; anything else is named by its first product token.
"""

import json
import re
from typing import NamedTuple

MAX_USER_AGENT = 2048
UNKNOWN = ""
_PRODUCT = re.compile(r"^([A-Za-z][A-Za-z0-9._-]{0,39})/")
_PYTHON_TOKEN = re.compile(r"\b(?:CPython|PyPy|Python|python)/(\d+\.\d+)")
_MAJOR_MINOR = re.compile(r"^(\d+\.\d+)")


class Client(NamedTuple):
    installer: str  # "pip", "uv", "poetry", … or "" when unknown
    python: str  # "3.12", or "" when unknown


def _major_minor(version):
    match = _MAJOR_MINOR.match(str(version or ""))
    return match.group(1) if match else UNKNOWN


def classify(user_agent):
    text = (user_agent or "")[:MAX_USER_AGENT]
    product = _PRODUCT.match(text)
    installer = product.group(1).lower() if product else UNKNOWN
    brace = text.find("{")
    if brace != -1:
        try:
            data = json.loads(text[brace:])
        except ValueError:
            data = None
        if isinstance(data, dict):
            named = (data.get("installer") or {}).get("name") if isinstance(data.get("installer"), dict) else None
            implementation = data.get("implementation") if isinstance(data.get("implementation"), dict) else {}
            python = data.get("python") or implementation.get("version")
            return Client(str(named or installer).lower()[:40], _major_minor(python))
    python = _PYTHON_TOKEN.search(text)
    return Client(installer, python.group(1) if python else UNKNOWN)
