"""Wagtail admin registrations for the ladder (promotion): imported by wagtail_hooks."""
