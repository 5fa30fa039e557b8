"""Wagtail admin registrations for volunteers (report): imported by wagtail_hooks."""
