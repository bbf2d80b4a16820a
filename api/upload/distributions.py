"""Step 2c: look inside the uploaded archive and pull out its core metadata."""
import tarfile
import zipfile

from .errors import UploadError

MAX_METADATA_SIZE = 10 * 1024 * 1024


def _invalid(message):
    return UploadError(f"Invalid distribution file. {message}", field="content")


def wheel_metadata(path, filename) -> bytes:
    """Return the bytes of <name>-<version>.dist-info/METADATA (served as the PEP 658 file)."""
    name, version = filename.split("-")[:2]
    dist_info = f"{name}-{version}.dist-info"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for required in ("METADATA", "WHEEL", "RECORD"):
                if f"{dist_info}/{required}" not in names:
                    raise _invalid(f"Wheel '{filename}' does not contain the required {required} file ({dist_info}/{required}).")
            info = archive.getinfo(f"{dist_info}/METADATA")
            if info.file_size > MAX_METADATA_SIZE:
                raise _invalid("The wheel's METADATA file is too large.")
            return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise _invalid(f"'{filename}' is not a valid zip file.") from None


def sdist_metadata(path, filename) -> bytes:
    """Return the bytes of <name>-<version>/PKG-INFO from a gzip tar."""
    top = filename[: -len(".tar.gz")]
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            try:
                member = archive.getmember(f"{top}/PKG-INFO")
            except KeyError:
                raise _invalid(f"Source distribution '{filename}' has no {top}/PKG-INFO file.") from None
            if not member.isfile() or member.size > MAX_METADATA_SIZE:
                raise _invalid("The PKG-INFO file is not a regular file of reasonable size.")
            return archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError):
        raise _invalid(f"'{filename}' is not a valid gzip-compressed tar file.") from None


def read_metadata(form, path) -> bytes:
    if form.filetype == "bdist_wheel":
        return wheel_metadata(path, form.filename)
    return sdist_metadata(path, form.filename)
