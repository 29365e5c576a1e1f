"""Client-side pacing: one token bucket per (selling partner, operation).

Amazon applies usage plans per selling partner and application, per operation: a rate
(requests per second) and a burst. We seed every bucket from the documented plan and
correct its rate from the ``x-amzn-RateLimit-Limit`` header of each response, so a
well-behaved process never meets a 429 by its own doing.
"""

import threading
import time

# Keep a little below the announced rate: network jitter would otherwise make a
# request arrive a hair before Amazon's bucket holds a whole token again.
SAFETY_FACTOR = 0.9


class TokenBucket:
    """A token bucket that hands out *reservations*.

    :meth:`reserve` always takes a token, possibly going into debt, and returns how long
    the caller must sleep before using it. Threads sharing a bucket therefore queue up
    fairly without holding a lock while sleeping.
    """

    def __init__(self, rate, burst, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.burst = float(burst)
        self.rate = float(rate) * SAFETY_FACTOR
        self.tokens = float(burst)
        self.updated = clock()

    def _refill(self, now):
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated = now

    def reserve(self):
        """Take one token; return the seconds to wait before the call may be sent."""
        with self._lock:
            self._refill(self._clock())
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def wait_time(self):
        """Seconds until a token is free, without taking one (0: one is free now)."""
        with self._lock:
            self._refill(self._clock())
            return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def cancel(self):
        """Give back a reservation that was not used (the caller gave up waiting)."""
        with self._lock:
            self.tokens = min(self.burst, self.tokens + 1)

    def drain(self):
        """Amazon said 429: its bucket is empty, so is ours from now on."""
        with self._lock:
            self._refill(self._clock())
            self.tokens = min(self.tokens, 0.0)

    def observe_rate(self, announced_rate):
        """Adopt the rate Amazon announced for this selling partner and operation."""
        try:
            rate = float(announced_rate)
        except (TypeError, ValueError):
            return
        if rate <= 0:
            return
        with self._lock:
            self._refill(self._clock())
            self.rate = rate * SAFETY_FACTOR


class BucketRegistry:
    """Process-wide buckets, so every sync of one seller shares the same quota."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets = {}

    def get(self, key, operation, plan, clock=time.monotonic):
        with self._lock:
            bucket = self._buckets.get((key, operation))
            if bucket is None:
                rate, burst = plan
                bucket = self._buckets[(key, operation)] = TokenBucket(rate, burst, clock)
            return bucket

    def clear(self):
        with self._lock:
            self._buckets.clear()


BUCKETS = BucketRegistry()
