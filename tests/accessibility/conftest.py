"""The browser tier's served demo, for the accessibility tier."""

from tests.browser.conftest import served_demo, served_demo_for_module

__all__ = ["served_demo", "served_demo_for_module"]
