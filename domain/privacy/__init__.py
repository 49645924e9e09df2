"""The data-protection records of the programme (UU 27/2022): erasure, retention, subject
requests, breaches, each an aggregate of its own."""
