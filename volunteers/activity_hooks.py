"""Wagtail admin registrations for community activities: imported by
volunteers.wagtail_hooks."""
