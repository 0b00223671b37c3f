"""A local stand-in for the Amazon Ads API and Login with Amazon (reference §8).

One loopback listener emulates every Amazon host: the first path segment names the real host, for
example ``{base_url}/advertising-api-eu.amazon.com/v2/profiles``.

    from sandbox.amazon import AmazonSimulator, SimConfig

    with AmazonSimulator(SimConfig(client_id="amzn1.application-oa2-client.test")) as sim:
        sim.seed_demo()
        urls = sim.region_urls("eu")
"""

from __future__ import annotations

from sandbox.amazon.config import SimConfig
from sandbox.amazon.faults import Fault, Faults
from sandbox.amazon.http import RecordedRequest
from sandbox.amazon.simulator import AmazonSimulator, ConsentError, serve_forever
from sandbox.amazon.truth import Truth

__all__ = [
    "AmazonSimulator",
    "ConsentError",
    "Fault",
    "Faults",
    "RecordedRequest",
    "SimConfig",
    "Truth",
    "serve_forever",
]
