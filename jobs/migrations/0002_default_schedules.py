"""Install the default schedules in django-celery-beat (Asia/Shanghai), so the
office can change times in the admin. Safe to run again: existing entries keep
the times the office set."""

from django.db import migrations

SCHEDULES = [
    ("每日走访提醒", "jobs.send_overdue_visit_reminders", "0", "8"),
    ("每日交办单期限提醒", "jobs.send_slip_deadline_reminders", "10", "8"),
    ("重试发送失败的提醒", "jobs.retry_failed_reminders", "30", "*"),
]


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[s[0] for s in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(install, remove)]
