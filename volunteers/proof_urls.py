"""URLs of volunteers.proof_views (namespace proofs), under /volunteer/."""

app_name = "proofs"
urlpatterns: list = []
