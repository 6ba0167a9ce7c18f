"""The six-doubling registry (R17). Built by the six-doubling issue."""
