"""Who is acting: an official, an agency portal's token, a submitter with their key, or nobody."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from service.accounts.models import Role

SECRETARIAT_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})
AGENCY_ROLES = frozenset({Role.REVIEWER, Role.AGENCY_ADMIN})


class ActorKind(enum.StrEnum):
    ANONYMOUS = "ANONYMOUS"
    SUBMITTER = "SUBMITTER"
    USER = "USER"
    TOKEN = "TOKEN"  # noqa: S105 - an actor kind, not a secret
    SYSTEM = "SYSTEM"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    role: Role | None = None
    agency_id: int | None = None
    user_id: int | None = None
    token_id: int | None = None
    proposal_id: int | None = None  # a submitter acts on this one submission only
    email: str = ""
    agency_code: str = ""
    # How histories record a SYSTEM actor that is more specific than "system" ("cli").
    recorded_as: str = ""

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(ActorKind.ANONYMOUS)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    @classmethod
    def command_line(cls) -> Actor:
        """An operator at the `intake` command line: may manage everything, recorded as "cli"."""
        return cls(ActorKind.SYSTEM, role=Role.ADMIN, recorded_as="cli")

    @classmethod
    def submitter(cls, proposal_id: int) -> Actor:
        return cls(ActorKind.SUBMITTER, proposal_id=proposal_id)

    @property
    def is_secretariat(self) -> bool:
        return self.role in SECRETARIAT_ROLES

    @property
    def is_agency_official(self) -> bool:
        return self.role in AGENCY_ROLES and self.agency_id is not None

    @property
    def is_official(self) -> bool:
        return self.is_secretariat or self.is_agency_official

    @property
    def label(self) -> str:
        """How the timeline records this actor."""
        match self.kind:
            case ActorKind.USER:
                return f"user:{self.user_id}"
            case ActorKind.TOKEN:
                return f"token:{self.token_id}"
            case ActorKind.SUBMITTER:
                return "submitter"
            case ActorKind.SYSTEM:
                return self.recorded_as or "system"
            case _:
                return "anonymous"

    @property
    def scope(self) -> Scope:
        if self.is_secretariat or self.kind is ActorKind.SYSTEM:
            return Scope(everything=True)
        if self.is_agency_official:
            return Scope(agency_id=self.agency_id)
        if self.kind is ActorKind.SUBMITTER:
            return Scope(proposal_id=self.proposal_id)
        return Scope()


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller may read: everything, an agency's submissions, or one submitter's own.

    Published submissions are visible to every scope. Repositories apply it in every query.
    """

    everything: bool = False
    agency_id: int | None = None
    proposal_id: int | None = None
