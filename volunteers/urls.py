"""The volunteers app's pages, under /volunteer/: service (services:), rewards and
redemptions (rewards:), service-record proofs (proofs:), 我的成长 (growth:),
applications, public notice and objections (promotions:), recruitment rounds
(recruitment:)."""

from django.urls import include, path

urlpatterns = [
    path("service/", include("volunteers.service_urls")),
    path("rewards/", include("volunteers.reward_urls")),
    path("proofs/", include("volunteers.proof_urls")),
    path("growth/", include("volunteers.growth_urls")),
    path("promotions/", include("volunteers.promotion_urls")),
    path("recruitment/", include("volunteers.recruitment_urls")),
]
