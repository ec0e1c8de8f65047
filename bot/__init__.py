"""Claimdesk: a claim-verification desk for newsroom chat."""
