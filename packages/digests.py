"""The digests of a stored file: md5, sha256 and blake2b-256, hex, under the keys the upload form
and File use ("md5", "sha256", "blake2_256"). The one place they are computed: while an upload
streams in, from a file, or from bytes (PEP 658 metadata files, seeded and test distributions)."""

import hashlib

CHUNK_SIZE = 1024 * 1024


class Digester:
    """Feed it the bytes in order (`update`); `hexdigests()` then holds all three, `size` the length."""

    def __init__(self):
        self._hashers = {
            "md5": hashlib.md5(usedforsecurity=False),
            "sha256": hashlib.sha256(),
            "blake2_256": hashlib.blake2b(digest_size=32),
        }
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        for hasher in self._hashers.values():
            hasher.update(chunk)

    def hexdigests(self) -> dict:
        return {key: hasher.hexdigest() for key, hasher in self._hashers.items()}


def digests_of(data: bytes) -> dict:
    digester = Digester()
    digester.update(data)
    return digester.hexdigests()


def digests_of_file(fileobj) -> tuple[dict, int]:
    """(digests, size) of a file-like object read from its start (left at its start again)."""
    digester = Digester()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(CHUNK_SIZE), b""):
        digester.update(chunk)
    fileobj.seek(0)
    return digester.hexdigests(), digester.size
