from django.db import migrations


class Migration(migrations.Migration):
    """A text message to a caller is intake's (the caller's record): the model moves there with its rows
    (intake 0009 takes it over), and its table is renamed to intake's."""

    dependencies = [
        ("feedback", "0004_message_phone_encrypted_at_rest"),
    ]
    # Intake's own migrations never name an app above it: the order is declared here.
    run_before = [("intake", "0009_outgoingmessage")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("OutgoingMessage", "intake_outgoingmessage")],
            state_operations=[migrations.DeleteModel("OutgoingMessage")],
        ),
    ]
