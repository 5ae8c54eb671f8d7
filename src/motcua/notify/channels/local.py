"""The development adapter for every kind: sends nothing, logs what would have been sent.

The outbox row is the record of the message, so nothing is kept here: it works the same with
any number of worker processes. No environment variables.
"""

import logging

from . import Outgoing, Sent

logger = logging.getLogger("motcua.notify")


class LocalChannel:
    def __init__(self, kind: str):
        self.kind = kind

    def send(self, message: Outgoing) -> Sent:
        logger.info(
            "notify %s (local) %s to %s: %s%s",
            self.kind,
            message.id,
            message.recipient,
            f"[{message.subject}] " if message.subject else "",
            message.text,
        )
        return Sent(provider_id=f"local-{message.id}", answer="local")
