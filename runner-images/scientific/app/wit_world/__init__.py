"""The names gavel_runner.py imports from componentize-py's bindings of
../../python-3.14/wit/runner.wit, for an interpreter that has no component
bindings (the scientific image): the same classes, which gavel_door.py turns
into JSON for the host."""
