"""pypi.org's JSON document shape (docs/user/api/json.md of pypi/warehouse), as DRF serializers.

Empty optional metadata is null, as pypi.org sends it; plain text fields stay strings.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stats.services import downloads_of

UPLOAD_TIME = "%Y-%m-%dT%H:%M:%S"
UPLOAD_TIME_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def _absolute(context, path):
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _or_none(value):
    return value if value else None


class DigestsSerializer(serializers.Serializer):
    md5 = serializers.CharField(source="md5_digest")
    sha256 = serializers.CharField(source="sha256_digest")
    blake2b_256 = serializers.CharField(source="blake2_256_digest")


@extend_schema_field(
    {"oneOf": [{"type": "boolean", "enum": [False]}, {"type": "object", "additionalProperties": {"type": "string"}}]}
)
class CoreMetadataField(serializers.Field):
    """PEP 658/714: the hashes of the .metadata file, or false when there is none."""

    def to_representation(self, file):
        return {"sha256": file.metadata_sha256} if file.metadata_sha256 else False


class FileSerializer(serializers.Serializer):
    comment_text = serializers.SerializerMethodField()
    digests = DigestsSerializer(source="*")
    downloads = serializers.SerializerMethodField()
    filename = serializers.CharField()
    has_sig = serializers.SerializerMethodField()
    md5_digest = serializers.CharField()
    packagetype = serializers.CharField()
    python_version = serializers.CharField()
    requires_python = serializers.SerializerMethodField()
    size = serializers.IntegerField()
    upload_time = serializers.DateTimeField(format=UPLOAD_TIME)
    upload_time_iso_8601 = serializers.DateTimeField(source="upload_time", format=UPLOAD_TIME_ISO)
    url = serializers.SerializerMethodField()
    yanked = serializers.BooleanField(source="release.yanked")
    yanked_reason = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        fields["core-metadata"] = CoreMetadataField(source="*")  # not a Python identifier
        return dict(sorted(fields.items()))

    def get_comment_text(self, file) -> str:
        return ""

    def get_downloads(self, file) -> int:
        return -1

    def get_has_sig(self, file) -> bool:
        return False

    def get_requires_python(self, file) -> str | None:
        return _or_none(file.release.requires_python)

    def get_url(self, file) -> str:
        return _absolute(self.context, file.url_path)

    def get_yanked_reason(self, file) -> str | None:
        return file.release.yanked_reason if file.release.yanked else None


class DownloadsSerializer(serializers.Serializer):
    last_day = serializers.IntegerField()
    last_week = serializers.IntegerField()
    last_month = serializers.IntegerField()


class InfoSerializer(serializers.Serializer):
    """Core metadata of one release (the latest one on the project document)."""

    author = serializers.CharField()
    author_email = serializers.CharField()
    bugtrack_url = serializers.SerializerMethodField()
    classifiers = serializers.SerializerMethodField()
    description = serializers.CharField()
    description_content_type = serializers.SerializerMethodField()
    docs_url = serializers.SerializerMethodField()
    download_url = serializers.CharField()
    downloads = serializers.SerializerMethodField()
    dynamic = serializers.SerializerMethodField()
    home_page = serializers.CharField()
    keywords = serializers.CharField()
    license = serializers.CharField()
    license_expression = serializers.SerializerMethodField()
    license_files = serializers.SerializerMethodField()
    maintainer = serializers.CharField()
    maintainer_email = serializers.CharField()
    name = serializers.CharField(source="project.name")
    package_url = serializers.SerializerMethodField()
    platform = serializers.SerializerMethodField()
    project_url = serializers.SerializerMethodField()
    project_urls = serializers.SerializerMethodField()
    provides_extra = serializers.SerializerMethodField()
    release_url = serializers.SerializerMethodField()
    requires_dist = serializers.SerializerMethodField()
    requires_python = serializers.SerializerMethodField()
    summary = serializers.CharField()
    version = serializers.CharField()
    yanked = serializers.BooleanField()
    yanked_reason = serializers.SerializerMethodField()

    def get_bugtrack_url(self, release) -> str | None:
        return None

    def get_docs_url(self, release) -> str | None:
        return None

    def get_classifiers(self, release) -> list[str]:
        return release.classifier_names

    def get_description_content_type(self, release) -> str | None:
        return _or_none(release.description_content_type)

    @extend_schema_field(DownloadsSerializer)
    def get_downloads(self, release):
        return downloads_of(release.project)

    def get_dynamic(self, release) -> list[str] | None:
        return _or_none(release.dynamic)

    def get_license_expression(self, release) -> str | None:
        return _or_none(release.license_expression)

    def get_license_files(self, release) -> list[str] | None:
        return _or_none(release.license_files)

    def get_package_url(self, release) -> str:
        return _absolute(self.context, f"/project/{release.project.name}/")

    get_project_url = get_package_url

    def get_platform(self, release) -> str | None:
        return _or_none(", ".join(release.platform or []))

    def get_project_urls(self, release) -> dict[str, str] | None:
        # pypi.org folds Home-page and Download-URL into the labelled links.
        urls = {}
        if release.home_page:
            urls["Homepage"] = release.home_page
        if release.download_url:
            urls["Download"] = release.download_url
        urls.update(release.project_urls or {})
        return urls or None

    def get_provides_extra(self, release) -> list[str] | None:
        return _or_none(release.provides_extra)

    def get_release_url(self, release) -> str:
        return _absolute(self.context, f"/project/{release.project.name}/{release.version}/")

    def get_requires_dist(self, release) -> list[str] | None:
        return _or_none(release.requires_dist)

    def get_requires_python(self, release) -> str | None:
        return _or_none(release.requires_python)

    def get_yanked_reason(self, release) -> str | None:
        return release.yanked_reason if release.yanked else None


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    user = serializers.CharField()


class OwnershipSerializer(serializers.Serializer):
    roles = RoleSerializer(many=True)
    organization = serializers.CharField(allow_null=True)


class ReleaseDocumentSerializer(serializers.Serializer):
    """GET /pypi/<project>/<version>/json"""

    info = InfoSerializer()
    last_serial = serializers.IntegerField()
    urls = FileSerializer(many=True)
    vulnerabilities = serializers.ListField(child=serializers.DictField())
    ownership = OwnershipSerializer()


class ProjectDocumentSerializer(ReleaseDocumentSerializer):
    """GET /pypi/<project>/json: `info` and `urls` describe the latest release."""

    releases = serializers.DictField(child=FileSerializer(many=True), help_text="Version -> its files (deprecated).")
