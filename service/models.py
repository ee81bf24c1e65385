"""Every table, imported in one place so that metadata and migrations see them all."""

from sqlmodel import SQLModel

from service.accounts.models import User
from service.directory.models import (
    Agency,
    AgencyCategory,
    Category,
    DirectoryChange,
    DirectoryVersion,
    Province,
    ProvinceAlias,
)
from service.notifications.models import Notification
from service.outbox.models import OutboxMessage
from service.proposals.models import Proposal, ProposalAgency, ProposalEvent

metadata = SQLModel.metadata

__all__ = [
    "Agency",
    "AgencyCategory",
    "Category",
    "DirectoryChange",
    "DirectoryVersion",
    "Notification",
    "OutboxMessage",
    "Proposal",
    "ProposalAgency",
    "ProposalEvent",
    "Province",
    "ProvinceAlias",
    "User",
    "metadata",
]
