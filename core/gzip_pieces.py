"""One gzip stream made of pieces deflated one by one, so that a long body whose parts change one
at a time (the /simple/ index) is recompressed only where it changed.

Each piece is raw DEFLATE ended by a sync flush: byte-aligned, not final, and referring to
nothing before it, so pieces laid end to end form one valid stream (what pigz does). A gzip
body is then `HEADER`, the pieces, and `trailer()` (an empty final block, the CRC-32 and the
length of the whole plain text). Clients see an ordinary single-member gzip body.
"""

import struct
import zlib

LEVEL = 6
# Magic, DEFLATE, no flags, mtime 0 (identical bytes for identical text), no extra flags, OS unknown.
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed codes


def deflate(data: bytes) -> bytes:
    """`data` as a piece: raw DEFLATE, sync-flushed, free of references to earlier pieces."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def trailer(crc: int, length: int) -> bytes:
    """What ends the stream: `crc` is zlib.crc32 of the whole plain text, `length` its size."""
    return _FINAL_BLOCK + struct.pack("<II", crc & 0xFFFFFFFF, length & 0xFFFFFFFF)
