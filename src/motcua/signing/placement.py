"""Where the visible signature goes.

A template marks its signature block with an empty link to itself, which WeasyPrint turns
into a link annotation whose rectangle is the block's box:

    <a class="signature-block" id="signature-block" href="#signature-block"></a>

(`display: block` with a width and height: see templates/dossiers/forms/base.html). Another
block on the same page takes another name, e.g. ``id="seal-block" href="#seal-block"``.
`find_marker()` reads the page and box from the PDF; signing removes the marker so that the
link does not cover the signature. Without one, the stamp goes at the bottom right of the last
page, above any signature already there.
"""

from dataclasses import dataclass

from pyhanko.pdf_utils import generic

SIGNATURE_BLOCK = "signature-block"
MM = 72 / 25.4
DEFAULT_SIZE = (80 * MM, 22 * MM)
DEFAULT_MARGIN = (15 * MM, 20 * MM)  # from the right, from the bottom


@dataclass(frozen=True)
class Placement:
    page: int  # 0-based
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points
    marker: tuple[int, int] | None = None  # (page object id, annotation index) to remove


def _name_of(annotation) -> str | None:
    dest = annotation.get("/Dest")
    if dest is None and "/A" in annotation:
        action = annotation["/A"]
        if action.get("/S") == "/GoTo":
            dest = action.get("/D")
    if isinstance(dest, generic.NameObject):
        return str(dest)[1:]
    if isinstance(dest, bytes):
        return bytes(dest).decode("latin-1")
    if isinstance(dest, str):
        return str(dest)
    return None


def _annotations(page) -> list:
    annots = page.get("/Annots")
    if annots is None:
        return []
    return list(annots.get_object())


def _rect(annotation) -> tuple[int, int, int, int]:
    # Whole points: pyHanko's layout works in integers.
    x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
    return round(min(x1, x2)), round(min(y1, y2)), round(max(x1, x2)), round(max(y1, y2))


def find_marker(reader, name: str = SIGNATURE_BLOCK) -> Placement | None:
    """The page and box of the link annotation pointing at `name`, or None."""
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.find_page_for_modification(index)[0].get_object()
        for position, annotation in enumerate(_annotations(page)):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link" and _name_of(annotation) == name:
                box = _rect(annotation)
                if box[2] - box[0] > 10 and box[3] - box[1] > 10:
                    ref = reader.find_page_for_modification(index)[0]
                    return Placement(index, box, (ref.idnum, position))
    return None


def default_placement(reader) -> Placement:
    """Bottom right of the last page, moved up past signature widgets already there."""
    index = int(reader.root["/Pages"]["/Count"]) - 1
    page = reader.find_page_for_modification(index)[0].get_object()
    _x1, y1, x2, _y2 = (float(v) for v in page.get("/CropBox", page["/MediaBox"]))
    width, height = DEFAULT_SIZE
    right, bottom = DEFAULT_MARGIN
    box = [x2 - right - width, y1 + bottom, x2 - right, y1 + bottom + height]
    taken = [
        _rect(a.get_object())
        for a in _annotations(page)
        if a.get_object().get("/FT") == "/Sig" or a.get_object().get("/Subtype") == "/Widget"
    ]
    for _ in range(10):
        if not any(
            t[0] < box[2] and box[0] < t[2] and t[1] < box[3] and box[1] < t[3] for t in taken
        ):
            break
        box[1] += height + 3 * MM
        box[3] += height + 3 * MM
    return Placement(index, tuple(round(v) for v in box))


def remove_marker(writer, placement: Placement) -> None:
    """Drop the marker's link annotation from its page, in the revision being signed."""
    if placement.marker is None:
        return
    page_ref = writer.find_page_for_modification(placement.page)[0]
    page = page_ref.get_object()
    annots = page["/Annots"].get_object()
    kept = generic.ArrayObject(a for i, a in enumerate(annots) if i != placement.marker[1])
    page["/Annots"] = kept
    writer.update_container(page)
