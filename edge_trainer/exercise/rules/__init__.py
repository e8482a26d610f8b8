"""Form rules: what a rule is, and the measurements the catalogue's rules are written with."""
