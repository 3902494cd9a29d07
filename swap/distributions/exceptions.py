"""Why a distribution step refuses. Each message names the round, account or setting at fault."""


class DistributionError(Exception):
    """Base of the refusals below."""


class DistributionSourceError(DistributionError):
    """An entitlement source is missing, cannot be imported, or returned something unusable."""


class RoundStateError(DistributionError):
    """The round is not in the status this step needs (or another round is in the way)."""


class NonMonotonicRoundError(DistributionError):
    """Some account would get a lower cumulative amount than in the previous round."""


class PoolExceededError(DistributionError):
    """A program's entitlements add up to more than its pool."""


class InsufficientDistributorBalanceError(DistributionError):
    """The distributor holds less SESH than everything still owed under the round."""


class DistributorNotConfiguredError(DistributionError):
    """`L2_DISTRIBUTOR_ADDRESS` (or `L2_TOKEN_ADDRESS`) is not set."""


class EntitlementsOnHoldError(DistributionError):
    """A program's entitlements cannot be frozen until a person resolves a review flag.

    Freezing makes amounts irreversible once their root activates, so a source raises this rather
    than hand over an amount that may be wrong (a credited deposit that vanished or changed).
    """


class ChainRoundMismatchError(DistributionError):
    """The distributor's round ids do not allow proposing this round (another one is active or pending)."""
