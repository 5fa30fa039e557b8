from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    # Public: anyone holding a certificate (or its QR) checks it here.
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path(
        "verify/issuers/<int:school_id>/", views.issuer_profile, name="issuer_profile"
    ),
    # The holder's own: 我的证书.
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("certificates/<int:pk>/credential.json", views.credential, name="credential"),
]
