import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Anonymisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("anonymised_at", models.DateTimeField(default=django.utils.timezone.now,
                                                       verbose_name="thời điểm ẩn danh")),
                ("final_status_at", models.DateTimeField(verbose_name="thời điểm kết thúc hồ sơ")),
                ("files_deleted", models.PositiveIntegerField(default=0, verbose_name="số tệp đã xóa")),
                ("dossier", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="anonymisation", to="dossiers.dossier",
                                                 verbose_name="hồ sơ")),
            ],
            options={
                "verbose_name": "hồ sơ đã ẩn danh",
                "verbose_name_plural": "hồ sơ đã ẩn danh",
                "ordering": ["-anonymised_at"],
            },
        ),
    ]
