"""Pure logic shared by the whole service.

Nothing in this package imports Django, Celery or web3: address codecs, signature checks,
Merkle trees and allocation arithmetic are plain functions over bytes and integers, so they are
fast to test and anyone can reuse them to recompute what the service published.
"""
