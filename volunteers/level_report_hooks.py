"""Wagtail admin registrations for the ladder (level_report): imported by wagtail_hooks."""
