"""Exports for auditors: one neutral table model, written out as CSV, XLSX and PDF.

`model` holds the report and its tables, `indonesian` the Indonesian display of dates and
amounts; `csv_export`, `xlsx_export` and `pdf_export` each turn a model into bytes. Nothing here
knows which report it is writing.
"""
