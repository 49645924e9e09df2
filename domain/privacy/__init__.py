"""The programme's duties under UU 27/2022 (UU PDP): one aggregate per kind of record."""
