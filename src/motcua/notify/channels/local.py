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
        # What was "sent" is in the outbox row; the log names it without its content.
        logger.info("notify %s (local) %s, %s characters", self.kind, message.id, len(message.text))
        logger.debug("notify %s (local) %s: %s", self.kind, message.id, message.text)
        return Sent(provider_id=f"local-{message.id}", answer="local")
