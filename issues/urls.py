from django.urls import path

from . import spot_views, views

app_name = "issues"

urlpatterns = [
    path("slips/", views.inbox, name="inbox"),
    path("slips/<int:pk>/", views.slip_detail, name="slip"),
    path("slips/<int:pk>/answer/", views.slip_answer, name="slip_answer"),
    path("slips/<int:pk>/extension/", views.slip_extension, name="slip_extension"),
    path(
        "slips/<int:pk>/extension/<int:extension>/decide/",
        views.slip_decide_extension,
        name="slip_decide_extension",
    ),
    path("slips/<int:pk>/accept/", views.slip_accept, name="slip_accept"),
    path("slips/<int:pk>/send-back/", views.slip_send_back, name="slip_send_back"),
    path("slips/<int:pk>/supervise/", views.slip_supervise, name="slip_supervise"),
    path("slips/<int:pk>/progress/", views.slip_progress, name="slip_progress"),
    path("slips/<int:pk>/print/", views.slip_print, name="slip_print"),
    path("my/issues/", views.my_items, name="my_items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("items/<int:pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/instruct/", views.escalation_instruct, name="escalation_instruct"),
    path("escalations/<int:pk>/conclude/", views.escalation_conclude, name="escalation_conclude"),
    path("escalations/<int:pk>/print/", views.escalation_print, name="escalation_print"),
    path("supervisions/<int:pk>/print/", views.supervision_print, name="supervision_print"),
    path("spotchecks/", spot_views.batches, name="spotchecks"),
    path("spotchecks/<int:pk>/", spot_views.batch_detail, name="spotcheck_batch"),
    path("spotchecks/<int:pk>/notice/", spot_views.notice, name="spotcheck_notice"),
    path("rates/", spot_views.rate_table, name="rates"),
]
