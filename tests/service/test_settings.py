"""Settings refuse what would be unsafe."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="set INTAKE_SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="k" * 32).secret_key == "k" * 32
