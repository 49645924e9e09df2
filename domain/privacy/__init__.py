"""Data protection (UU 27/2022): the privacy aggregates, one module each."""
