"""What `make run` serves (school.settings.run) with the bench's URLs
(tests.bench.urls): the production URLs plus the bare views measured beside them."""

from school.settings.run import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
