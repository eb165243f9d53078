"""Whether the service may listen on an address. With no API tokens every document, restricted ones included, is
open to whoever connects: that is for loopback only, unless a council says in so many words that it means it
(EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS). Once a token has been issued, authentication is on for good.
The app also refuses anything but its own machine when no token exists (server/guard.py); this is the same rule
said before the service starts. `serve` prints what it decides (cli/serving.py)."""

import ipaddress
from dataclasses import dataclass

from evidence_bot.config import Settings
from evidence_bot.governance.access import TokenStore

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name such as "testclient", or a unix socket's peer
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 (Python 3.11 does not call it loopback)
    return (mapped or address).is_loopback


@dataclass(frozen=True)
class Listening:
    refusal: str | None = None  # why the service may not listen there
    notice: str = ""  # what it tells the person starting it
    warning: str | None = None
    authentication_required: bool = False


def listening(settings: Settings, host: str) -> Listening:
    store = TokenStore(settings.access_path)
    if store.ever_issued():  # on for good once a token was issued: revoking the last one closes the service
        revoked = None if store.active() else ("WARNING: every token has been revoked, so every request will be "
                                               "refused until `evidence-bot tokens create` issues one.")
        return Listening(notice="Authentication is on: every request needs an API token (evidence-bot tokens list).",
                         warning=revoked, authentication_required=True)
    if is_loopback(host):
        return Listening(notice="Authentication is off (no API tokens issued): listening on loopback only, and "
                                "answering only requests from this machine with no proxy in between. "
                                "`evidence-bot tokens create` turns it on.")
    if not settings.allow_unauthenticated_network_access:
        return Listening(refusal=f"refusing to listen on {host} without authentication: every document, restricted "
                                 "ones included, would be open to anyone who can reach it. Issue a token with "
                                 "`evidence-bot tokens create`, or set "
                                 "EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS=true if you really mean it.")
    return Listening(warning=f"WARNING: listening on {host} WITHOUT AUTHENTICATION "
                             "(EVIDENCE_BOT_ALLOW_UNAUTHENTICATED_NETWORK_ACCESS is set).")
