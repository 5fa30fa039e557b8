"""The volunteers app's pages, under /volunteer/: service (services:), rewards and
redemptions (rewards:), service-record proofs (proofs:)."""

from django.urls import include, path

urlpatterns = [
    path("service/", include("volunteers.service_urls")),
    path("rewards/", include("volunteers.reward_urls")),
    path("proofs/", include("volunteers.proof_urls")),
]
