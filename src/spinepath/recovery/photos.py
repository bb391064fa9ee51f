"""Wound photos: checked, re-encoded without metadata, stored outside the web root.

A phone photo carries EXIF data (often the GPS position of the patient's home),
so nothing of the upload is kept but its pixels: it is decoded, orientated,
scaled down to at most MAX_SIDE pixels and saved as a fresh JPEG. Decoding it
also refuses files that only pretend to be images.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from spinepath.errors import ActionError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # phones' full-size JPEGs are 2-6 MB
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 2048  # enough to judge a wound, small enough to load on a phone
# MPO is how Pillow reads many phones' JPEGs (a main picture plus a depth or preview frame).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    width: int
    height: int
    sha256: str


def prepare_wound_photo(upload: IO[bytes], size: int) -> PreparedPhoto:
    if size > MAX_UPLOAD_BYTES:
        raise ActionError(
            f"The photo is too large ({size / 1_048_576:.1f} MB); the limit is "
            f"{MAX_UPLOAD_BYTES // 1_048_576} MB.",
            field="wound_photo",
        )
    if size == 0:
        raise ActionError("The photo file is empty.", field="wound_photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ActionError(
                        "Send the photo as a JPEG, PNG or WebP picture.", field="wound_photo"
                    )
                if image.width * image.height > MAX_PIXELS:
                    raise ActionError("The photo has too many pixels.", field="wound_photo")
                image.load()
                rgb = ImageOps.exif_transpose(image).convert("RGB")
                # Only the pixels go on: a fresh image has no EXIF, XMP, ICC or comment.
                upright = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    except ActionError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise ActionError(
            "That file is not a picture we can open. Send a JPEG, PNG or WebP photo.",
            field="wound_photo",
        ) from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata dropped
    content = out.getvalue()
    return PreparedPhoto(
        content=content,
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
