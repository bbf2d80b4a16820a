"""Simple repository API views: /simple/ and /simple/<project>/.

Each request costs one small query (the serial, or the project with its serial); bodies come
from the serial-keyed page cache (/simple/ from its files on disk, api/simple/index_store.py),
already compressed for the client's Accept-Encoding, and the headers from api/cached.py.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from accounts.readers import reader_for
from core.clientip import client_key
from packages.canonical import redirect_to_normalized_name
from packages.lookups import public_project
from packages.services import global_serial
from upstream import listing as upstream_listing
from upstream import merge as upstream_merge
from upstream import rule as upstream_rule
from upstream import views as upstream_views

from .. import pagecache
from ..cached import Document, StoredDocument, cached_api
from . import index_store, render
from .negotiation import JSON_V1, NotAcceptable, negotiate

# A page's html and json differ, and a front cache keeps both (deploy/nginx.conf).
simple_api = cached_api(vary="Accept, Accept-Encoding", edge_cache=True)


def _kind(media_type):
    return "json" if media_type == JSON_V1 else "html"


def _content_type(media_type):
    return media_type if media_type == JSON_V1 else f"{media_type}; charset=utf-8"


def _not_acceptable(exc):
    return HttpResponse(str(exc), status=406, content_type="text/plain; charset=utf-8")


@require_safe
@simple_api
def index(request):
    try:
        media_type = negotiate(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    reader_for(request)  # wrong credentials are refused here too (the answer never depends on them)
    kind = _kind(media_type)
    serial = global_serial()
    listed = upstream_listing.marker()  # the upstream projects it lists move it too: part of the ETag
    return StoredDocument(
        serial,
        f"{kind}-u{listed}" if listed else kind,
        _content_type(media_type),
        lambda encoding: index_store.open_body(serial, kind, encoding, listed),
        ("simple", "simple-index"),
    )


@require_safe
@simple_api
@redirect_to_normalized_name("simple_detail")
def detail(request, name):
    try:
        media_type = negotiate(request)
    except NotAcceptable as exc:
        return _not_acceptable(exc)
    # A private project the reader may not see is no project (404), and never asked upstream.
    project = public_project(name, reader_for(request))
    if project is None:
        # The dependency-confusion rule (README "Upstream indexes"): only a name that no local
        # project holds (quarantined ones included) and staff did not prohibit is asked upstream.
        if upstream_rule.may_proxy(name):  # False for every local name, private ones too
            return upstream_views.simple_detail(request, name, media_type, _content_type(media_type))
        raise Http404(f"No project named '{name}'.")

    # Staff let this project also serve the upstream's files for versions it lacks (upstream/merge.py).
    upstream_part = (
        upstream_merge.upstream_part(project, client_key(request)) if upstream_merge.serves_upstream(project) else None
    )
    kind = _kind(media_type) + (f"-{upstream_part.tag}" if upstream_part else "")

    def body():
        rows, versions = render.detail_data(project)
        if upstream_part is not None:
            rows, versions = upstream_part.merged(rows, versions)
        if media_type == JSON_V1:
            return render.render_detail_json(project, rows, versions)
        return render.render_detail_html(project, rows)

    key = pagecache.detail_key(name, project.last_serial, kind)
    return Document(
        key,
        project.last_serial,
        kind,
        _content_type(media_type),
        body,
        ("simple", f"simple/{name}"),
        private=project.is_private,
    )
