from django.urls import path

from . import spot_views, views

app_name = "issues"

urlpatterns = [
    path("slips/", views.inbox, name="inbox"),
    path("slips/<int:pk>/", views.slip_detail, name="slip"),
    path("slips/<int:pk>/print/", views.slip_print, name="slip_print"),
    path("my/issues/", views.my_items, name="my_items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/print/", views.escalation_print, name="escalation_print"),
    path("supervisions/<int:pk>/print/", views.supervision_print, name="supervision_print"),
    path("spotchecks/", spot_views.batches, name="spotchecks"),
    path("spotchecks/<int:pk>/", spot_views.batch_detail, name="spotcheck_batch"),
    path("spotchecks/<int:pk>/notice/", spot_views.notice, name="spotcheck_notice"),
    path("rates/", spot_views.rate_table, name="rates"),
]
