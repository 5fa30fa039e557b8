"""Wagtail admin registrations for the space utilisation report: imported by
volunteers.wagtail_hooks."""
