"""Wagtail admin registrations for volunteers (service): imported by wagtail_hooks."""
