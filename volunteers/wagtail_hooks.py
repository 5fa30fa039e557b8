"""Wagtail admin registrations of the volunteers app, one module per part."""

from volunteers import report_hooks, reward_hooks, service_hooks  # noqa: F401
