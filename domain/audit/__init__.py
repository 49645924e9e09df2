"""Automatic audit checks (domain research section 7), declared as data and run as pure
functions over facts folded from the log; `projections.audit_findings` keeps them current."""
