"""URLs of volunteers.proof_views (namespace proofs), under /volunteer/."""

from django.urls import path

from volunteers import proof_views

app_name = "proofs"
urlpatterns = [
    path("", proof_views.my_proofs, name="mine"),
    path("issue/", proof_views.issue_proof, name="issue"),
    path("<int:pk>/pdf/", proof_views.download_proof, name="pdf"),
]
