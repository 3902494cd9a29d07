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
