from django.urls import path

from recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.set_list, name="list"),
    path("<slug:slug>/", views.set_detail, name="set"),
]
