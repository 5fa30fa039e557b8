"""Wagtail admin registrations for volunteers (reward): imported by wagtail_hooks."""
