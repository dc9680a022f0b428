"""The checks: the effective tool config, the stage table and the runner."""
