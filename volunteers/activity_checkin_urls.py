app_name = "activity_checkin"

urlpatterns = []
