"""Every table, imported in one place so that metadata and migrations see them all."""

from sqlmodel import SQLModel

from service.accounts.models import AccountChange, ApiToken, User
from service.attachments.models import Attachment
from service.audit.models import AuditEntry
from service.directory.models import (
    Agency,
    AgencyCategory,
    Category,
    DirectoryChange,
    DirectoryVersion,
    Province,
    ProvinceAlias,
)
from service.holidays.models import Holiday, HolidayChange
from service.notifications.models import MailOptOut, Notification
from service.outbox.models import OutboxMessage
from service.proposals.models import Proposal, ProposalAgency, ProposalEvent
from service.routing.models import DeadlineRule, RoutingDecision, RoutingRule, RuleChange
from service.workflow.models import ProposalNote, Rating, Response, ResponseTemplate

metadata = SQLModel.metadata

__all__ = [
    "AccountChange",
    "Agency",
    "AgencyCategory",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "Category",
    "DeadlineRule",
    "DirectoryChange",
    "DirectoryVersion",
    "Holiday",
    "HolidayChange",
    "MailOptOut",
    "Notification",
    "OutboxMessage",
    "Proposal",
    "ProposalAgency",
    "ProposalEvent",
    "ProposalNote",
    "Province",
    "ProvinceAlias",
    "Rating",
    "Response",
    "ResponseTemplate",
    "RoutingDecision",
    "RoutingRule",
    "RuleChange",
    "User",
    "metadata",
]
