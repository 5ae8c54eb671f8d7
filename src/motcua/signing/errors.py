"""What can go wrong when signing, each error carrying a message a person can read (in the
active language, Vietnamese by default): `str(error)` is what a page or the API shows."""


class SigningError(Exception):
    """The document was not signed; the message says why."""


class CertificateRefused(SigningError, ValueError):
    """The certificate may not sign documents (no nonRepudiation, expired, a CA's…)."""


class KeyConfigurationError(SigningError, ValueError):
    """A signing identity's configuration is wrong or its secret is missing."""


class PdfNotSignable(SigningError, ValueError):
    """The file is not a PDF that can be signed (garbage, encrypted, certified against changes)."""


class TimestampUnavailable(SigningError):
    """No timestamp authority is configured or it did not answer."""


class RemoteSigningError(SigningError):
    """The remote signing service (CSC API) failed or refused."""


class ApprovalTimeout(RemoteSigningError):
    """The signer did not approve on the phone in time."""


class ApprovalDenied(RemoteSigningError):
    """The signer refused the request on the phone."""
