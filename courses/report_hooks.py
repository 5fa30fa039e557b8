"""Wagtail admin registrations for attendance reports: imported by wagtail_hooks."""
