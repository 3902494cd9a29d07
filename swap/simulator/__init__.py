"""A simulated Oxen chain served over HTTP as oxend and as oxen-wallet-rpc, for tests and the demo.

Pure Python and the standard library (no Django): `OxenSimulator` answers the JSON-RPC methods
the service calls, shaped as `shared/oxend-rpc.md` and `shared/oxen-wallet-rpc.md` document them,
with scripted history (blocks, service nodes, deposits, reorgs), recorded-history replay and
fault injection (busy errors, BUSY status, delays, HTTP 500, dropped or refused connections).
"""

from swap.simulator.control import OxenSimulator

__all__ = ["OxenSimulator"]
