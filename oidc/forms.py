"""The publisher forms: one per enabled issuer, with the fields its kind pins (generic issuers
take `sub` plus any extra claims, one KEY=VALUE per line)."""

from dataclasses import dataclass

from .models import OIDCIssuer


@dataclass
class IssuerForm:
    issuer: OIDCIssuer
    fields: list  # [(key, help, required, value)]
    extra: str = ""  # generic: further claims, as typed
    error: str = ""


def issuer_forms(data=None, issuer_id=None, error=""):
    """A form per enabled issuer; the one that was posted keeps its values and error."""
    forms = []
    for issuer in OIDCIssuer.objects.filter(enabled=True):
        posted = data is not None and issuer.pk == issuer_id
        spec = issuer.kind_spec
        fields = [
            (key, spec.help.get(key, ""), key in spec.required, data.get(f"claim_{key}", "") if posted else "")
            for key in (*spec.required, *spec.optional)
        ]
        forms.append(
            IssuerForm(issuer, fields, data.get("extra_claims", "") if posted else "", error if posted else "")
        )
    return forms


def posted_claims(issuer, data):
    """(claims dict, error text) from a posted publisher form."""
    spec = issuer.kind_spec
    claims = {key: data.get(f"claim_{key}", "") for key in (*spec.required, *spec.optional)}
    if spec.extra_allowed:
        for line in data.get("extra_claims", "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                return None, f"Extra claims are KEY=VALUE lines, not '{line.strip()}'."
            claims[key.strip()] = value.strip()
    return claims, ""
