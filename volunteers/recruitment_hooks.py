"""Wagtail admin registrations for the ladder (recruitment): imported by wagtail_hooks."""
