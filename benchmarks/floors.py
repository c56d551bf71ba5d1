"""The lower bounds a plan's run is compared with.

Calls: `tests.perf.orgs.lower_bound` (one GET per 100 listed objects per listing, at least one
page per listing; one availability GET per declared availability; one discovery GET).

Time, two floors; the time floor is the larger:

- latency floor, for C requests in flight and latency L per call, in rounds of L. Three lower
  bounds; no schedule beats any of them, so none beats the largest:
  - span: the longest chain of calls that each need the previous answer (discovery, the
    event type listing's pages, then an availability read);
  - work: discovery first, then the other calls at most C at a time: 1 + ceil((calls - 1) / C);
  - phase: the calls that need the whole member listing (availability reads, user-scope
    webhook listings) start after discovery and its pages: 1 + pages + ceil(after / C).
  The first two are the classic max(span, work / C) of scheduling on C workers; the third
  says that, with few event types, the member listing is the bottleneck.
- rate floor, for a limit of R requests per window of W seconds: calls / R * W, as the issue
  states it. Calendly's (and the sandbox's) window is fixed, so a client that bursts can end
  sooner: (ceil(calls / R) - 1) * W plus the last window's calls. Both are printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Floors:
    calls: int
    chain: int  # calls in the longest dependent chain, discovery included
    member_pages: int  # pages of the membership listing
    after_members: int  # calls that need the whole membership listing first
    concurrency: int
    latency: float
    rate_limit: int | None
    rate_window: float

    @property
    def latency_rounds(self) -> int:
        work = 1 + math.ceil((self.calls - 1) / self.concurrency)
        phase = 1 + self.member_pages + math.ceil(self.after_members / self.concurrency)
        return max(self.chain, work, phase)

    @property
    def latency_floor(self) -> float:
        return self.latency_rounds * self.latency

    @property
    def rate_floor(self) -> float:
        """calls / limit (the issue's definition), in seconds."""
        if not self.rate_limit:
            return 0.0
        return self.calls / self.rate_limit * self.rate_window

    @property
    def fixed_window_floor(self) -> float:
        """The fastest a fixed window allows: full windows, then the rest at latency speed."""
        if not self.rate_limit or self.calls <= self.rate_limit:
            return self.latency_floor
        windows = math.ceil(self.calls / self.rate_limit) - 1
        rest = self.calls - windows * self.rate_limit
        return windows * self.rate_window + math.ceil(rest / self.concurrency) * self.latency

    @property
    def floor(self) -> float:
        return max(self.latency_floor, self.rate_floor)
