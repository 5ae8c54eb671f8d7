"""The signing settings (`settings.MOTCUA_SIGNING`) read in one place: trust roots, offline
revocation data, the timestamp authority, where keys live. Files are read once per change
(path, size and modification time), so that signing many documents does not re-read them.
"""

import functools
import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from . import certs
from .errors import KeyConfigurationError
from .pki import DevPki

DEFAULTS = {
    "TRUST_ROOTS": [],
    "EXTRA_CERTS": [],
    "CRLS": [],
    "TSA_URL": "",
    "TSA_USERNAME": "",
    "TSA_PASSWORD": "",
    "LEVEL": "B-LT",
    "KEY_DIR": "var/pki",
    "DEV_PKI_DIR": "var/pki",
    "FETCH_REVOCATION": False,
    "FONT": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "CSC_URL": "",
    "CSC_TOKEN_ENV": "MOTCUA_SIGNING_CSC_TOKEN",
    "CSC_APPROVAL_SECONDS": 120,
    "CSC_POLL_SECONDS": 2.0,
    "PKCS11_MODULE": "",
    "VALIDATE_MAX_MB": 50,
    "VALIDATE_MAX_SIGNATURES": 20,
    "VALIDATE_SECONDS": 10.0,
}
LEVELS = ("B-T", "B-LT", "B-LTA")


def option(name: str):
    return {**DEFAULTS, **getattr(settings, "MOTCUA_SIGNING", {})}[name]


def production() -> bool:
    return getattr(settings, "ENVIRONMENT", "development") == "production"


def dev_pki() -> DevPki | None:
    """The demo PKI, outside production and once `manage.py signing_dev_pki` made it."""
    if production():
        return None
    pki = DevPki(Path(option("DEV_PKI_DIR")))
    return pki if pki.exists() else None


def key_path(value: str) -> Path:
    """A key file named in an identity's configuration; relative names start at KEY_DIR."""
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else Path(option("KEY_DIR")) / path


def _stamp(path: Path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _certificates_of(stamp) -> tuple:
    return tuple(certs.load_certificates(Path(stamp[0]).read_bytes()))


@functools.lru_cache(maxsize=64)
def _crl_of(stamp) -> bytes:
    return certs.crl_der(Path(stamp[0]).read_bytes())


def certificates_in(paths) -> list:
    """Certificates (asn1crypto) from PEM or DER files; a missing file is a setup error."""
    found = []
    for name in paths:
        stamp = _stamp(Path(name))
        if stamp is None:
            raise KeyConfigurationError(
                _("Không đọc được tệp chứng thư số %(path)s.") % {"path": name}
            )
        found.extend(_certificates_of(stamp))
    return found


def trust_roots() -> list:
    """The roots signatures must chain to: MOTCUA_SIGNING_TRUST_ROOTS, or in development the
    demo PKI's root. Never the operating system's list."""
    configured = option("TRUST_ROOTS")
    if configured:
        return certificates_in(configured)
    pki = dev_pki()
    return certificates_in([pki.root_path]) if pki else []


def extra_certificates() -> list:
    """Intermediate certificates that help build paths (configured, and the demo PKI's)."""
    found = certificates_in(option("EXTRA_CERTS"))
    pki = dev_pki()
    if pki and not option("TRUST_ROOTS"):
        found += certificates_in([pki.intermediate_path])
    return found


def crls() -> list[bytes]:
    """CRLs kept on disk (DER), configured and the demo PKI's; missing files are skipped."""
    paths = [Path(p) for p in option("CRLS")]
    pki = dev_pki()
    if pki and not option("TRUST_ROOTS"):
        paths += pki.crl_paths
    return [_crl_of(stamp) for stamp in map(_stamp, paths) if stamp is not None]


def timestamper():
    """The TSA client: MOTCUA_SIGNING_TSA_URL, else (development) the demo PKI's local
    timestamper, else None. One instance per configuration, reused: it caches the probe
    token pyHanko asks for to size a signature."""
    from . import tsa

    url = option("TSA_URL")
    if url:
        return tsa.http_timestamper(url, option("TSA_USERNAME"), option("TSA_PASSWORD"))
    pki = dev_pki()
    if pki is None or not pki.tsa_path.exists():
        return None
    return tsa.local_timestamper(
        _stamp(pki.tsa_path), _stamp(pki.tsa_key_path), _stamp(pki.intermediate_path)
    )


def font_path() -> Path:
    return Path(option("FONT"))
