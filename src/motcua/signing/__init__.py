"""Ký số: PAdES signatures on motcua's PDFs and validation of the PDFs that come in.

The API the rest of motcua uses (each module's docstring says more):

- `selectors.signing_identity_of_user(user)` / `signing_seal_of_agency(agency)` → the active
  `SigningIdentity` (a leader's key, an agency's seal) or None; `signing_stamp_for(identity)`.
- `pades.sign_pdf(pdf, identity, *, reason, location, stamp="auto", box=None, page=None,
  marker="signature-block", level=None) -> SignedPdf` (pdf, sha256_before, sha256_after,
  certificate_serial, subject, signer_name, signing_time, timestamp_time, level, field_name,
  page, box; `.as_dict()` for an event row). Raises a `errors.SigningError` whose message is
  shown as it is (CertificateRefused, KeyConfigurationError, PdfNotSignable,
  TimestampUnavailable, RemoteSigningError, ApprovalTimeout, ApprovalDenied).
- `pades.sign_pdfs(requests, identity, *, level=None, on_progress=None) -> [SignOutcome]`:
  a batch, one outcome per document, one approval on the phone for a remote key;
  `pades.requests_for(pdfs, reason=…, location=…)` builds the requests.
- `validation.validate_pdf(data, trust_roots=None) -> Validation` (status "valid", "invalid",
  "untrusted", "modified", "none" or "unreadable"; summary; signatures; `.as_dict()`); never
  raises.
- `services.signing_identity_register/update/retire(…)` install keys; `manage.py
  signing_dev_pki` makes the development PKI and keys (never in production).
- Templates mark the signature block with
  `<a class="signature-block" id="signature-block" href="#signature-block"></a>` (placement.py).
"""
