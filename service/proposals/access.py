"""The submitter's secret link: the tracking code plus a key only the submitter was sent."""

from __future__ import annotations

import base64
import hashlib
import hmac

from service.proposals.models import Proposal
from service.settings import Settings


def access_key(settings: Settings, proposal: Proposal) -> str:
    """Derived from the secret key, so nothing secret is stored; rotating the key voids links."""
    message = f"submitter:{proposal.id}:{proposal.tracking_code}".encode()
    digest = hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]
