"""Everything that talks to the Ethereum L2. The rest of the service never imports web3."""
