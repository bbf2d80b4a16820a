"""Sponsor logos: what an uploaded image may be, and its safe stored form.

PNG, JPEG and WebP are checked by decoding them (Pillow), not by their name; SVG is parsed
without entities or network access (defusedxml) and kept only if every element and attribute is
on a short list of drawing ones: no script, no event handler, no link or style that could load
anything. Anything else is refused with a message for the staff member who uploaded it.
"""

import io
import re
import xml.etree.ElementTree as XmlWriter  # serializing only: parsing goes through defusedxml
from dataclasses import dataclass

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 256 * 1024
MAX_PIXELS = 4096 * 4096
RASTER_TYPES = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
SVG_TYPE = ("svg", "image/svg+xml")
SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_ELEMENTS = {
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "defs",
    "lineargradient",
    "radialgradient",
    "stop",
    "clippath",
    "mask",
    "symbol",
}
SVG_ATTRIBUTES = {
    "id",
    "class",
    "viewbox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "opacity",
    "transform",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientunits",
    "gradienttransform",
    "clip-path",
    "clip-rule",
    "mask",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "preserveaspectratio",
    "version",
    "role",
    "aria-label",
    "xmlns",
    "focusable",
}
# Paint and shape values may name a local gradient or clip path (url(#id)), nothing else.
_URL_VALUE = re.compile(r"url\s*\(", re.I)
_LOCAL_URL = re.compile(r"^\s*url\s*\(\s*#[\w.-]+\s*\)\s*$", re.I)


@dataclass(frozen=True)
class Logo:
    data: bytes
    extension: str
    content_type: str


def _local_name(tag):
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _svg(data):
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # noqa: BLE001 (defusedxml raises several kinds; all mean "not a safe SVG")
        raise ValidationError(f"The SVG could not be read safely ({type(exc).__name__}).") from None
    if _local_name(root.tag) != "svg":
        raise ValidationError("The file is not an SVG image (its root element is not <svg>).")
    for element in root.iter():
        name = _local_name(element.tag)
        if name not in SVG_ELEMENTS:
            raise ValidationError(
                f"SVG logos may not contain <{name}> elements (scripts, links, styles, embedded content)."
            )
        for attribute, value in element.attrib.items():
            key = _local_name(attribute)
            if key not in SVG_ATTRIBUTES or key.startswith("on"):
                raise ValidationError(f"SVG logos may not use the '{key}' attribute.")
            if _URL_VALUE.search(value) and not _LOCAL_URL.match(value):
                raise ValidationError(f"The '{key}' attribute of an SVG logo may only refer to its own shapes.")
    # Stored as serialized from the checked tree: nothing the parser dropped comes back. The SVG
    # namespace is made the default right before writing, because ElementTree's prefix registry
    # is global and another library may have given it a prefix: always <svg xmlns="…"><rect …/>.
    XmlWriter.register_namespace("", SVG_NS[1:-1])
    return XmlWriter.tostring(root, encoding="utf-8")


def check(data):
    """The logo to store for uploaded bytes `data`, or ValidationError saying why not."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"A logo may be at most {MAX_BYTES // 1024} KiB; this one is {len(data) // 1024} KiB.")
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return Logo(_svg(data), *SVG_TYPE)
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The logo has too many pixels (at most 4096 × 4096).")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError("The logo must be a PNG, JPEG, WebP or SVG image.") from None
    if kind not in RASTER_TYPES:
        raise ValidationError(f"The logo must be a PNG, JPEG, WebP or SVG image, not {kind}.")
    return Logo(data, *RASTER_TYPES[kind])
