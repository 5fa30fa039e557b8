"""Wagtail admin registrations for the ladder (ladder): imported by wagtail_hooks."""
