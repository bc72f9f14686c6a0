# Joins this branch's 0008_drills (which depends on 0002, as briefed) with main's 0003 so that the branch migrates.
# DELETE AT MERGE: the lead relinks 0008_drills into the chain and this file goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_incident_skeleton"),
        ("incidents", "0008_drills"),
    ]

    operations = []
