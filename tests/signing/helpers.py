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
