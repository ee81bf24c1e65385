"""Who is calling the API: a bearer token, a signed-in official's session, or nobody."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from service.accounts import service as accounts
from service.accounts.actor import Actor
from service.api.loaders import Reads
from service.runtime import Runtime

SESSION_USER_KEY = "user_id"
SESSION_GENERATION_KEY = "generation"


async def actor_for_authorization(
    authorization: str, runtime: Runtime, reads: Reads | None = None
) -> Actor | None:
    """The actor of an `Authorization: Bearer` value; None when it is not a bearer value.
    The token is read through `reads` (a request's shared read session), else its own."""
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    async with (reads or runtime.db.session)() as session:
        found = await accounts.actor_for_token(session, secret.strip())
    if found is None:
        return Actor.anonymous()
    actor, use_due = found
    if use_due and actor.token_id is not None:
        async with runtime.db.transaction() as session:
            await accounts.record_token_use(session, actor.token_id)
    return actor


async def resolve_actor(
    connection: HTTPConnection, runtime: Runtime, reads: Reads | None = None
) -> Actor:
    """A bad or revoked token is anonymous, never an error: it sees only public data."""
    authorization = connection.headers.get("authorization", "")
    by_token = await actor_for_authorization(authorization, runtime, reads)
    if by_token is not None:
        return by_token
    user_id = connection.session.get(SESSION_USER_KEY) if "session" in connection.scope else None
    if isinstance(user_id, int):
        generation = connection.session.get(SESSION_GENERATION_KEY, 0)
        async with (reads or runtime.db.session)() as session:
            actor = await accounts.actor_for_user(session, user_id, generation)
        return actor or Actor.anonymous()
    return Actor.anonymous()
