"""Wagtail admin registrations for feedback (课后评价): imported by wagtail_hooks."""
