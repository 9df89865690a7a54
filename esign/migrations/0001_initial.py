import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ElectronicResult",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=60, unique=True, verbose_name="mã kết quả")),
                ("signed_at", models.DateTimeField(blank=True, null=True, verbose_name="thời điểm ký")),
                ("signer_name", models.CharField(blank=True, max_length=255, verbose_name="người ký")),
                ("signer_organisation", models.CharField(blank=True, max_length=255, verbose_name="cơ quan ký")),
                ("certificate_serial", models.CharField(blank=True, max_length=80, verbose_name="số hiệu chứng thư số")),
                ("certificate_sha256", models.CharField(blank=True, max_length=64,
                                                        verbose_name="dấu vân tay chứng thư (SHA-256)")),
                ("result_file", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="electronic_result", to="dossiers.dossierfile",
                                                     verbose_name="tệp kết quả")),
            ],
            options={
                "verbose_name": "kết quả điện tử",
                "verbose_name_plural": "kết quả điện tử",
                "ordering": ["code"],
            },
        ),
    ]
