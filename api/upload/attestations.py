"""PEP 740 attestations on upload: each must be signed by the trusted publisher the upload
token was minted for, over this file's name and sha256, with a predicate PEP 740 allows.

Verification is `pypi-attestations` (sigstore) with `offline=True`: the trust root comes from
the sigstore package (or its local TUF cache) and is not refreshed over the network; the
inclusion proof and signed timestamp in each attestation are checked against it. Any failure
refuses the whole upload. Runs before the storing transaction (it takes no lock).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings

from .errors import UploadError, help_url

if TYPE_CHECKING:
    from .auth import Uploader
    from .form import UploadForm

MAX_ATTESTATIONS = 4  # one per predicate type (PEP 740 allows two today)
INVALID = "Invalid attestations supplied during upload: "


def _refuse(message: str, code: str = "invalid_attestations") -> UploadError:
    return UploadError(message, code=code, field="attestations", help_url=help_url("trusted-publishing"))


def verify(uploader: Uploader, form: UploadForm, digests: dict[str, str]) -> str | None:
    """The provenance document (JSON text) to store for this file, or None without attestations."""
    if not form.attestations:
        return None
    publisher = uploader.publisher
    if publisher is None:
        raise _refuse(
            "Attestations are accepted only on uploads made with a token minted for a trusted publisher "
            "(the attestations must be signed by that publisher's identity).",
            code="attestations_forbidden",
        )
    identity = publisher.issuer.kind_spec.attestation_identity(publisher.claims, publisher.issuer.url)
    if identity is None:
        raise _refuse(
            f"Attestations can't be verified for the trusted publisher {publisher.label}: the verifier "
            "supports GitHub Actions, gitlab.com and Google publishers only. Upload without attestations.",
            code="attestations_unsupported",
        )
    import pypi_attestations as pa
    from pydantic import ValidationError

    try:
        raw = json.loads(form.attestations)
    except ValueError:
        raise _refuse(INVALID + "the 'attestations' field is not JSON.") from None
    if not isinstance(raw, list) or not raw or len(raw) > MAX_ATTESTATIONS:
        raise _refuse(INVALID + f"expected a JSON array of 1 to {MAX_ATTESTATIONS} attestation objects.")
    try:
        attestations = [pa.Attestation.model_validate(item) for item in raw]
        dist = pa.Distribution(name=form.filename, digest=digests["sha256"])
    except ValidationError as exc:
        raise _refuse(INVALID + f"malformed attestation: {exc.errors()[0]['msg']}.") from None
    predicates = set()
    for attestation in attestations:
        try:
            predicate_type, _ = attestation.verify(identity, dist, offline=settings.ATTESTATIONS_OFFLINE)
        except (pa.AttestationError, ValueError) as exc:
            raise _refuse(INVALID + f"{exc}") from None
        if predicate_type in predicates:
            raise _refuse(INVALID + f"more than one attestation with the predicate {predicate_type}.")
        predicates.add(predicate_type)
    provenance = pa.Provenance(
        attestation_bundles=[pa.AttestationBundle(publisher=identity, attestations=attestations)]
    )
    return provenance.model_dump_json(by_alias=True)
