"""Requests per API token, with the `limits` library's
moving window: a burst cannot straddle a window boundary to get twice the rate."""

import math
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from evidence_bot.errors import EvidenceBotError


class RateLimit:
    def __init__(self, rule: str):
        try:
            self.rule = parse(rule)
        except ValueError as exc:
            raise EvidenceBotError(f"EVIDENCE_BOT_RATE_LIMIT: '{rule}' is not a rate such as 120/minute") from exc
        self.text = rule
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, key: str) -> int | None:
        """None if this request may go ahead (and counts it); else the whole seconds to wait."""
        if self.limiter.hit(self.rule, key):
            return None
        reset = self.limiter.get_window_stats(self.rule, key).reset_time
        return max(1, math.ceil(reset - time.time()))
