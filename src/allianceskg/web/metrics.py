"""Service metrics in the Prometheus text exposition format (version 0.0.4):
requests by status, a query-time histogram, timeouts, rows returned, cache hits."""

from __future__ import annotations

import threading
from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.buckets = [0] * len(BUCKETS)
        self.query_count = 0
        self.query_seconds = 0.0
        self.timeouts = 0
        self.rows = 0
        self.cache_hits = 0
        self.reloads = 0

    def request(self, endpoint: str, status: int) -> None:
        with self._lock:
            self.requests[(endpoint, status)] += 1

    def query(self, seconds: float, rows: int, *, timed_out: bool, cached: bool) -> None:
        with self._lock:
            self.query_count += 1
            self.query_seconds += seconds
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.buckets[index] += 1
            self.timeouts += int(timed_out)
            self.rows += rows
            self.cache_hits += int(cached)

    def render(self) -> str:
        with self._lock:
            lines = ["# HELP allianceskg_http_requests_total HTTP requests by endpoint and status.",
                     "# TYPE allianceskg_http_requests_total counter"]
            lines += [f'allianceskg_http_requests_total{{endpoint="{e}",status="{s}"}} {n}'
                      for (e, s), n in sorted(self.requests.items())]
            lines += ["# HELP allianceskg_query_duration_seconds Time to answer SPARQL queries.",
                      "# TYPE allianceskg_query_duration_seconds histogram"]
            lines += [f'allianceskg_query_duration_seconds_bucket{{le="{b}"}} {n}'
                      for b, n in zip(BUCKETS, self.buckets)]
            lines += [f'allianceskg_query_duration_seconds_bucket{{le="+Inf"}} {self.query_count}',
                      f"allianceskg_query_duration_seconds_sum {self.query_seconds:.6f}",
                      f"allianceskg_query_duration_seconds_count {self.query_count}",
                      "# HELP allianceskg_query_timeouts_total Queries stopped at the time limit.",
                      "# TYPE allianceskg_query_timeouts_total counter",
                      f"allianceskg_query_timeouts_total {self.timeouts}",
                      "# HELP allianceskg_result_rows_total Result rows (or triples) returned.",
                      "# TYPE allianceskg_result_rows_total counter",
                      f"allianceskg_result_rows_total {self.rows}",
                      "# HELP allianceskg_cache_hits_total Queries answered from the cache.",
                      "# TYPE allianceskg_cache_hits_total counter",
                      f"allianceskg_cache_hits_total {self.cache_hits}",
                      "# HELP allianceskg_release_reloads_total Releases loaded after the first.",
                      "# TYPE allianceskg_release_reloads_total counter",
                      f"allianceskg_release_reloads_total {self.reloads}"]
            return "\n".join(lines) + "\n"
