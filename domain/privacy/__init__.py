"""Data protection (UU 27/2022): the aggregates of the data-protection officer's work."""
