"""The visible signature stamp in the style of Vietnamese electronic documents (Decree
30/2020, Appendix I): the agency's stamp image ("dấu", red, left) and beside it "Ký bởi:
<agency>", the signer's name and title and "Thời gian ký: dd/mm/yyyy HH:MM:SS +07:00", in a
font with Vietnamese glyphs; and, for development, a round red seal drawn for each agency.
"""

import functools
import io
import math
import textwrap
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from . import conf

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
INK = (0.05, 0.13, 0.5)  # the blue of signing ink
SEAL_RED = (206, 17, 38)
# What names, titles and agencies are written with; fewer glyphs make each signature faster.
STAMP_CHARACTERS = frozenset(
    [
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),  # Latin-1 and Extended-A: Ă Đ Ĩ Ũ and neighbours' names
        *(0x1A0, 0x1A1, 0x1AF, 0x1B0),  # Ơ ơ Ư ư
        *range(0x300, 0x30A),
        0x323,  # combining marks, for text not in NFC
        *range(0x1EA0, 0x1EFA),  # Vietnamese precomposed letters
        *range(0x2010, 0x2027),
        *(0x2030, 0x2039, 0x203A, 0x2116),
    ]
)


@dataclass(frozen=True)
class StampInfo:
    """What the stamp says; the signing time is added when the document is signed.

    `signed_by` is the agency ("Ký bởi: Sở Tư pháp tỉnh Long An"); `signer_name` and
    `signer_title` the person (empty for an agency's seal); `image` the agency's stamp (PNG
    with transparency) or None; `lines` anything else to print (e-mail, document number).
    """

    signed_by: str
    signer_name: str = ""
    signer_title: str = ""
    image: bytes | None = field(default=None, repr=False)
    lines: tuple[str, ...] = ()

    def text_lines(self) -> list[str]:
        lines = [_("Ký bởi: %(who)s") % {"who": self.signed_by}]
        person = " – ".join(p for p in (self.signer_name, self.signer_title) if p)
        if person and self.signer_name != self.signed_by:
            lines.append(person)
        # Composed letters: the stamp's font has no mark positioning for combining accents.
        return [unicodedata.normalize("NFC", line) for line in [*lines, *self.lines]]


@functools.lru_cache(maxsize=4)
def stamp_font(path: str) -> bytes:
    """The font cut down once to the characters a stamp uses, without layout tables: pyHanko
    embeds a subset of it in every signed file, and subsetting all of DejaVu Sans each time
    would cost more than the signature."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(path)
    options = subset.Options()
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "kern"]
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=STAMP_CHARACTERS)
    subsetter.subset(font)
    # pyHanko writes glyph widths and kerning in font units where PDF wants thousandths of
    # an em: right only for fonts of 1000 units per em (DejaVu has 2048), so scale it.
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class StampFont(FontEngineFactory):
    def __init__(self, path: str):
        self.path = path

    def create_font_engine(self, writer, obj_stream=None):
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(stamp_font(self.path)),
            font_size=10,
            obj_stream=obj_stream,
        )


def local_time(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM:SS +07:00 in Vietnam's time."""
    local = moment.astimezone(VIETNAM)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


@dataclass(frozen=True)
class VietnameseStampStyle(TextStampStyle):
    """pyHanko's text stamp, with the signing time written the Vietnamese way."""

    timestamp_format: str = "%Y-%m-%dT%H:%M:%S%z"

    def create_stamp(self, writer, box, text_params):
        moment = datetime.strptime(text_params["ts"], self.timestamp_format)
        text_params = {**text_params, "time": local_time(moment)}
        return super().create_stamp(writer, box, text_params)


@functools.lru_cache(maxsize=64)
def _image(data: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    return image


def stamp_style(stamp: StampInfo, width: float, height: float) -> VietnameseStampStyle:
    """The style for a stamp of `width` × `height` points: the image at the left in a square
    of the box's height, the text beside it, shrunk if it must."""
    from pyhanko.pdf_utils.images import PdfImage

    margin = 3
    width, height = int(width), int(height)
    image = _image(stamp.image) if stamp.image else None
    text_left = height if image is not None else margin + 1
    text_width = max(width - text_left - margin * 2, 20)
    size = 8
    lines: list[str] = []
    time_line = _("Thời gian ký: %(time)s") % {"time": "%(time)s"}
    while True:
        chars = max(int(text_width / (size * 0.56)), 12)
        lines = []
        for line in stamp.text_lines():
            lines += textwrap.wrap(line, chars, break_long_words=False) or [""]
        total = (len(lines) + 1) * (size + 2) + 2 * margin
        if total <= height or size <= 6:
            break
        size -= 1
    text = "\n".join(line.replace("%", "%%") for line in lines) + "\n" + time_line
    return VietnameseStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(
            font=StampFont(str(conf.font_path())),
            font_size=size,
            leading=size + 2,
            text_color=INK,
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),
            ),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(
                left=text_left + margin, right=margin, top=margin, bottom=margin
            ),
        ),
        background=PdfImage(image) if image is not None else None,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=1, right=max(width - height, 0) + 1, top=1, bottom=1),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        background_opacity=1.0,
        border_width=0.8,
        border_color=INK,
    )


# --- a round red seal for development ------------------------------------------------------


def _font(size: int, bold: bool = True):
    from PIL import ImageFont

    path = conf.font_path()
    if bold:
        path = path.with_name(path.stem + "-Bold" + path.suffix)
        if not path.exists():
            path = conf.font_path()
    return ImageFont.truetype(str(path), size)


def seal_png(name: str, *, center: str = "", size: int = 360) -> bytes:
    """A round red seal (PNG, transparent) with `name` around the ring and a star (and
    `center`, e.g. the short name) in the middle, as agencies' seals look. Development only:
    a province uploads the image of its real seal."""
    from PIL import Image, ImageDraw

    scale = 2  # drawn large, then reduced, for smooth edges
    full = size * scale
    image = Image.new("RGBA", (full, full), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (*SEAL_RED, 235)
    c = full / 2
    outer, inner = full * 0.48, full * 0.33
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=ink, width=int(full * 0.03))
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=ink, width=int(full * 0.012))
    # Text around the ring, upright at the top, reading clockwise.
    text = name.upper()
    radius = (outer + inner) / 2
    font_size = int(full * 0.085)
    while True:
        font = _font(font_size)
        widths = [font.getlength(ch) for ch in text]
        span = (sum(widths) + font_size * 0.1 * len(text)) / radius
        if span <= math.radians(300) or font_size <= full * 0.04:
            break
        font_size -= 2
    angle = -math.pi / 2 - span / 2
    for ch, w in zip(text, widths, strict=True):
        step = (w + font_size * 0.1) / radius
        mid = angle + step / 2
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), ch, font=font, fill=ink, anchor="mm")
        glyph = glyph.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        x, y = c + radius * math.cos(mid), c + radius * math.sin(mid)
        image.alpha_composite(glyph, (int(x - font_size), int(y - font_size)))
        angle += step
    # A five-pointed star in the middle, the short name under it.
    star_r = inner * (0.42 if center else 0.55)
    star_c = c - (inner * 0.18 if center else 0)
    points = []
    for i in range(10):
        r = star_r if i % 2 == 0 else star_r * 0.4
        a = -math.pi / 2 + i * math.pi / 5
        points.append((c + r * math.cos(a), star_c + r * math.sin(a)))
    draw.polygon(points, fill=ink)
    if center:
        label = center.upper()
        label_size = int(full * 0.075)
        while label_size > full * 0.035 and _font(label_size).getlength(label) > inner * 1.6:
            label_size -= 2
        draw.text((c, c + inner * 0.5), label, font=_font(label_size), fill=ink, anchor="mm")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
