"""Whether a request comes from the service's own machine, with no proxy in between.

With no API tokens issued the app answers only such requests, however it was started (`serve`, `uvicorn
--factory`, a process manager): the check is on every request, not at start-up. A request counts as local when
the connection comes from a loopback address, it carries none of the headers proxies add, and it names a loopback
host (a web page cannot then reach the service through DNS rebinding). Anything unsure is not local."""

import ipaddress

from fastapi import Request

# What reverse proxies and load balancers add (RFC 7239, the de facto X- headers, CDNs'). Any one of them means
# the connection's loopback address is the proxy's, not the person's.
FORWARDING_HEADERS = frozenset({
    "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port",
    "x-forwarded-server", "x-forwarded-prefix", "x-real-ip", "x-client-ip", "x-original-forwarded-for",
    "x-cluster-client-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "via",
})
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


def host_name(host_header: str) -> str:
    """'127.0.0.1:8000' -> '127.0.0.1', '[::1]:8000' -> '::1', 'localhost' -> 'localhost'."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


def local_and_unproxied(request: Request) -> bool:
    client = request.client.host if request.client else None  # None: a unix socket, where proxies sit
    if not is_loopback(client):
        return False
    if any(name in FORWARDING_HEADERS for name in request.headers.keys()):
        return False
    return is_loopback(host_name(request.headers.get("host", "")))
