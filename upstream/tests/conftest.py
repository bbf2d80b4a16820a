import pytest

from devtools.testing.static_index import StaticIndex


@pytest.fixture
def upstream():
    """A live static upstream on loopback, serving PEP 691 JSON pages."""
    with StaticIndex() as index:
        yield index


@pytest.fixture
def html_upstream():
    """A second upstream, serving PEP 503 HTML pages."""
    with StaticIndex(json_pages=False) as index:
        yield index
