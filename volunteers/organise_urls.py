app_name = "organise"

urlpatterns = []
