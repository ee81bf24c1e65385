"""Full-text search over proposals, behind one interface with interchangeable backends."""

from search.base import (
    SearchBackend,
    SearchDocument,
    SearchError,
    SearchHit,
    SearchResult,
    SearchScope,
)
from search.embedded import EmbeddedSearch
from search.text import fold, highlight, normalize, query_terms

__all__ = [
    "EmbeddedSearch",
    "SearchBackend",
    "SearchDocument",
    "SearchError",
    "SearchHit",
    "SearchResult",
    "SearchScope",
    "fold",
    "highlight",
    "normalize",
    "query_terms",
]
