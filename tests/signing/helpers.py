"""Reading signed PDFs back in the tests."""

import io
import subprocess


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def reader(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data))


def flip_byte(data: bytes, needle: bytes) -> bytes:
    """`data` with one byte changed inside the first occurrence of `needle`."""
    at = data.index(needle)
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def use_pki(settings, directory, **more) -> dict:
    """motcua.signing set up for a PKI of the tests (as development is for the demo PKI):
    its root trusted, its timestamper in the process, nothing fetched."""
    settings.MOTCUA_SIGNING = {
        **settings.MOTCUA_SIGNING,
        "TRUST_ROOTS": [],
        "EXTRA_CERTS": [],
        "CRLS": [],
        "TSA_URL": "",
        "LEVEL": "B-LT",
        "DEV_PKI_DIR": str(directory),
        "KEY_DIR": str(directory),
        "FETCH_REVOCATION": False,
        **more,
    }
    return settings.MOTCUA_SIGNING
