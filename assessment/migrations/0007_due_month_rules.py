"""The due-month rules (docs/assessment.md): the scheme's new rules, previews and district scopes, and
each frozen item's outcome and process facts. Months frozen before keep their rows as they were
(rules = 1, every item "evaluated"); rescoring one makes a new revision by the new rules."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0006_snapshot_order_protect'),
        ('core', '0003_reference_stamp'),
        ('dispatch', '0007_main_orders_by_dispatch_time'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='snapshot',
            name='snapshot_revision_unique',
        ),
        migrations.RemoveConstraint(
            model_name='snapshot',
            name='snapshot_one_current',
        ),
        migrations.AddField(
            model_name='scheme',
            name='appeal_quota_min',
            field=models.PositiveSmallIntegerField(default=2, verbose_name='appeals per month at least'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='appeal_quota_share',
            field=models.DecimalField(decimal_places=3, default=Decimal('0.050'), max_digits=4, verbose_name='appeals per month as a share of counted orders'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='carry_months',
            field=models.PositiveSmallIntegerField(default=2, help_text="Replied on time but not yet evaluated when a month is frozen: carried into the next month's snapshot, at most this many times; then listed as never evaluated, not counted.", verbose_name='months an on-time reply waits for its evaluation'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='district',
            field=models.ForeignKey(blank=True, help_text="Empty: the city's scheme, used for the city ranking.", limit_choices_to={'level': 'district'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit', verbose_name='district (its own internal ranking)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='grace_working_days',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='grace after the deadline (working days)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='is_active',
            field=models.BooleanField(default=True, verbose_name='active'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='late_rule',
            field=models.CharField(choices=[('both', 'Both count: the failure stays, the fix earns points back'), ('keep_first', 'Only the first counts'), ('replace', 'The later one replaces the first')], default='both', max_length=12, verbose_name="a late reply's evaluation"),
        ),
        migrations.AddField(
            model_name='scheme',
            name='long_pending_rule',
            field=models.CharField(choices=[('split', '响应率 when it fell due; 解决率 and 满意率 at the expected date'), ('as_due', 'As any order, at its deadline (挂账 changes nothing in the assessment)')], default='split', max_length=12, verbose_name='an approved 挂账'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='name',
            field=models.CharField(blank=True, max_length=64, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='no_reply_contacted',
            field=models.BooleanField(default=False, verbose_name='no reply counts as contacted'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='no_reply_resolution',
            field=models.CharField(default='unresolved', max_length=12, verbose_name='no reply counts as'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='no_reply_satisfaction',
            field=models.CharField(default='unsatisfied', max_length=12, verbose_name='no reply counts as'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='rehandle_rule',
            field=models.CharField(choices=[('both', 'Both count: the failure stays, the fix earns points back'), ('keep_first', 'Only the first counts'), ('replace', 'The later one replaces the first')], default='both', max_length=12, verbose_name="a re-handled round's evaluation (重办)"),
        ),
        migrations.AddField(
            model_name='scheme',
            name='settlement_working_days',
            field=models.PositiveSmallIntegerField(default=3, verbose_name='settlement window (working days of the next month)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='sign_within_hours',
            field=models.PositiveSmallIntegerField(default=24, verbose_name='signed for in time within (hours)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='unreachable_flag_factor',
            field=models.DecimalField(decimal_places=2, default=Decimal('2.00'), max_digits=4, verbose_name="flag an unreachable share above the city's × "),
        ),
        migrations.AddField(
            model_name='scheme',
            name='unreachable_flag_points',
            field=models.DecimalField(decimal_places=2, default=Decimal('10.00'), max_digits=5, verbose_name="… and above the city's + (points)"),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_extensions',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of no extension (延期)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_false_feedback',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of truthful feedback (反馈不实)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_on_time',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of replying on time'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_overdue',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of not overdue'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_rehandles',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of no re-handling (重办)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_returns',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of no unfounded return (退单)'),
        ),
        migrations.AddField(
            model_name='scheme',
            name='weight_signed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=4, verbose_name='weight of signing for in time'),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='as_of',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit'),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='is_preview',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshot',
            name='rules',
            field=models.PositiveSmallIntegerField(default=1),  # the months frozen so far: the first rules
        ),
        migrations.AlterField(
            model_name='snapshot',
            name='rules',
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='category',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.category'),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='counts_process',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='counts_response',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='counts_result',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='due_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='due_period',
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='extended',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='false_feedback',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='kind',
            field=models.CharField(choices=[('round', 'Handling round'), ('late', 'Late reply'), ('response', '挂账: response'), ('result', '挂账: result')], default='round', max_length=8),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='outcome',
            field=models.CharField(choices=[('evaluated', 'Evaluated'), ('no_reply', 'No reply in time'), ('late', 'Late reply, evaluated'), ('long_pending', '挂账 approved'), ('unreachable', 'Citizen unreachable'), ('carried', 'Waiting for the evaluation: carried into next month'), ('pending', 'Not settled yet'), ('unevaluated', 'Never evaluated'), ('exempted', 'Exempted'), ('transferred', 'Re-dispatched (改派)'), ('not_counted', 'Re-handled round, not counted by the scheme'), ('replaced', 'Replaced by its re-handled round')], default='evaluated', max_length=12),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='rehandled',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='replied_by_grace',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='replied_on_time',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='returned',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='round',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotorder',
            name='signed_in_time',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='below_minimum',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='carried',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='contacted_share',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='due',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='exempted',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='false_feedback',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='late',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='no_reply',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='process_parts',
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='process_score',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='resolved_share',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='satisfied_share',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='unreachable',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='unreachable_flag',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='snapshotunit',
            name='unreachable_share',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AlterField(
            model_name='scheme',
            name='min_volume',
            field=models.PositiveSmallIntegerField(default=5, verbose_name='minimum due orders to be ranked'),
        ),
        migrations.AlterField(
            model_name='scheme',
            name='version',
            field=models.PositiveIntegerField(verbose_name='version'),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='contacted',
            field=models.BooleanField(null=True),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='resolution',
            field=models.CharField(blank=True, max_length=12),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='resolution_score',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='response_score',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='satisfaction',
            field=models.CharField(blank=True, max_length=12),
        ),
        migrations.AlterField(
            model_name='snapshotorder',
            name='satisfaction_score',
            field=models.DecimalField(decimal_places=2, max_digits=6, null=True),
        ),
        migrations.AddIndex(
            model_name='snapshotorder',
            index=models.Index(condition=models.Q(('outcome', 'carried')), fields=['snapshot'], name='snapshot_order_carried'),
        ),
        migrations.AddConstraint(
            model_name='scheme',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', True)), fields=('version',), name='scheme_city_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='scheme',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', False)), fields=('district', 'version'), name='scheme_district_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', True), ('is_preview', False)), fields=('period', 'revision'), name='snapshot_revision_unique'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', False), ('is_preview', False)), fields=('period', 'district', 'revision'), name='snapshot_district_revision_unique'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', True), ('is_current', True)), fields=('period',), name='snapshot_one_current'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', False), ('is_current', True)), fields=('period', 'district'), name='snapshot_district_one_current'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', True), ('is_preview', True)), fields=('period',), name='snapshot_one_preview'),
        ),
        migrations.AddConstraint(
            model_name='snapshot',
            constraint=models.UniqueConstraint(condition=models.Q(('district__isnull', False), ('is_preview', True)), fields=('period', 'district'), name='snapshot_district_one_preview'),
        ),
    ]
