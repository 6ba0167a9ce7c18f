"""Close quarters daily at 02:30 (issue 16): each quarter closes
QUARTER_CLOSE_WORKING_DAYS working days after it ends, and every closed one
is counted afresh to record what would move. Existing entries keep the
office's times."""

from django.db import migrations

NAME = "季度关账（每日）"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME, defaults={"task": "jobs.close_quarters", "crontab": crontab}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0010_report_versions")]

    operations = [migrations.RunPython(install, remove)]
