import pytest
from django.core.cache import cache

from devtools.testing.static_index import StaticIndex


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def upstream():
    with StaticIndex() as index:
        yield index


@pytest.fixture
def html_upstream():
    """A second upstream, serving PEP 503 HTML pages."""
    with StaticIndex(json_pages=False) as index:
        yield index
