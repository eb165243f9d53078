"""Whether a request comes from the service's own machine, with no proxy in between.

With no API tokens issued the app answers only such requests, however it was started (`serve`, `uvicorn
--factory`, a process manager): the check is on every request, not at start-up. A request counts as local when
the connection comes from a loopback address, it carries none of the headers proxies add, and it names a loopback
host (a web page cannot then reach the service through DNS rebinding). Anything unsure is not local.

Nor may a web page on another site use that tokenless service through the officer's browser (cross-site request
forgery: a form or fetch needs no CORS preflight to POST multipart data): a request is refused when Fetch Metadata
says another site sent it, or its Origin (else its Referer) is not the service's own scheme://host:port. With
tokens this check is not needed: a browser never adds an Authorization header by itself."""

from urllib.parse import urlsplit

from fastapi import Request

from evidence_bot.governance.listening import is_loopback

# What reverse proxies and load balancers add (RFC 7239, the de facto X- headers, CDNs'). Any one of them means
# the connection's loopback address is the proxy's, not the person's.
FORWARDING_HEADERS = frozenset({
    "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port",
    "x-forwarded-server", "x-forwarded-prefix", "x-real-ip", "x-client-ip", "x-original-forwarded-for",
    "x-cluster-client-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "via",
})


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


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """'http://127.0.0.1:8000/gaps' -> ('http', '127.0.0.1', 8000); None for 'null' or anything unreadable."""
    try:
        parts = urlsplit(url.strip())
        scheme, host = parts.scheme.lower(), parts.hostname  # hostname: lower case, without IPv6 brackets
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, a malformed IPv6 address
        return None
    return (scheme, host, port) if scheme in DEFAULT_PORTS and host and port else None


def sent_by_another_site(request: Request) -> str | None:
    """What shows that a page on another site sent this request (through the officer's browser), or None. A request
    with neither Fetch Metadata nor Origin nor Referer (a script, curl, a typed address) is not from another site."""
    fetch_site = request.headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site: {fetch_site}"
    name = "origin" if "origin" in request.headers else "referer" if "referer" in request.headers else None
    if name is None:
        return None
    own = origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")
    sent = request.headers[name]
    if own is None or origin_of(sent) != own:
        return f"{name.capitalize()}: {sent[:100]}"
    return None
