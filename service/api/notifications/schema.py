"""Officials' mail preferences, and failed mail for the secretariat to act on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from service.accounts import repository as accounts
from service.accounts.actor import ActorKind
from service.accounts.models import NotificationMode
from service.api.context import Info
from service.api.proposals.types import Language
from service.api.workflow.types import NotPermittedError
from service.db import utcnow
from service.i18n import translations
from service.notifications import service as notifications
from service.notifications.schedule import queue_pending_digest

strawberry.enum(NotificationMode)


@strawberry.type(description="How a signed-in official hears about their work.")
class NotificationPreferences:
    mode: NotificationMode
    language: Language


@strawberry.type(description="An email that will not be sent unless someone acts.")
class FailedNotification:
    id: int
    recipient: str
    template: str
    error: str
    failed_at: datetime | None
    attempts: int


NotificationPreferencesResult = Annotated[
    NotificationPreferences | NotPermittedError,
    strawberry.union("NotificationPreferencesResult"),
]


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="Secretariat: permanently failed mail, newest first.")
    async def failed_notifications(self, info: Info, first: int = 50) -> list[FailedNotification]:
        if not info.context.actor.is_secretariat:
            return []
        async with info.context.runtime.db.session() as session:
            rows = await notifications.failed_notifications(session, first)
        return [
            FailedNotification(
                id=row.id or 0,
                recipient=row.recipient,
                template=row.template,
                error=row.last_error,
                failed_at=row.failed_at,
                attempts=row.attempts,
            )
            for row in rows
        ]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Signed-in officials: instant mail or a daily digest, and its language."
    )
    async def set_notification_preferences(
        self, info: Info, mode: NotificationMode, language: Language
    ) -> NotificationPreferencesResult:
        actor = info.context.actor
        if actor.kind is not ActorKind.USER or actor.user_id is None:
            _ = translations(info.context.language).gettext
            return NotPermittedError(message=_("Sign in as an official to set preferences."))
        async with info.context.write() as session:
            before = await accounts.get_user(session, actor.user_id)
            leaving_digest = (
                before is not None and before.notification_mode is NotificationMode.DIGEST
            )
            user = await notifications.set_preferences(
                session, actor.user_id, mode=mode, language=language.value
            )
            if leaving_digest and user is not None and mode is NotificationMode.INSTANT:
                # What was held back for the digest goes now, as on the page /account/mail.
                settings = info.context.runtime.settings
                await queue_pending_digest(session, settings, user, utcnow())
        assert user is not None
        return NotificationPreferences(
            mode=user.notification_mode, language=Language(user.language)
        )
