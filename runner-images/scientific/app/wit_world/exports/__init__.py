"""The `run` interface's export, as componentize-py names it."""


class Run:
    """What gavel_runner.Run implements (componentize-py's protocol class)."""
