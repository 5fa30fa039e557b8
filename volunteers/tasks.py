"""django-q2 entry points: each takes IDs, loads, calls one service, and is safe to
run twice."""
