"""Small HTTP helpers shared by apps."""


def accepted_values(header: str | None) -> list[str]:
    """Values of an Accept-style header with q > 0, most preferred first (ties keep header order)."""
    entries = []
    for index, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        value = fields[0].lower()
        if not value:
            continue
        q = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            entries.append((-q, index, value))
    return [value for _, _, value in sorted(entries)]
