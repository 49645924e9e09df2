"""Her rights under UU PDP (UU 27/2022): erasure and restriction, retention and legal holds,
subject requests, the breach register and the record of processing (issue 17).

Each process is an aggregate with a declared lifecycle, like the programme's own, so every step
is an event that says who acted, on what document and why.
"""
