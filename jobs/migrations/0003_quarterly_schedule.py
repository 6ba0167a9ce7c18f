"""Schedule the quarterly report on the first day of each quarter (06:00)."""

from django.db import migrations


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="1",
        month_of_year="1,4,7,10",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="季度问题解决率报表", defaults={"task": "jobs.build_quarterly_report", "crontab": crontab}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="季度问题解决率报表").delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_default_schedules")]

    operations = [migrations.RunPython(install, remove)]
