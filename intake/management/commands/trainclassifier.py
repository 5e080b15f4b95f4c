from django.core.management.base import BaseCommand, CommandError

from hotline.core.exceptions import DomainError
from hotline.core.management import arguments
from intake.services import classifier_train


class Command(BaseCommand):
    help = (
        "智能派单: train a new version of the category classifier on the demands received from --since to "
        "--until (Beijing days, both included; default: all history) whose category a person confirmed, plus "
        "the knowledge base's questions. Prints its top-1 and top-3 accuracy on the held-out slice (the "
        "newest tenth of the window); it becomes active if it beats the active version there. Beat runs it nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=arguments.day, help="YYYY-MM-DD (first day included)")
        parser.add_argument("--until", type=arguments.day, help="YYYY-MM-DD (last day included)")

    def handle(self, *args, **options):
        try:
            version = classifier_train(since=options["since"], until=options["until"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        incumbent = (
            f"; the version active before scored {version.incumbent_top1 * 100:.1f} % top-1 on the same slice"
            if version.incumbent_top1 is not None
            else ""
        )
        self.stdout.write(
            f"v{version.version}: trained on {version.demands} demands and {version.knowledge_texts} "
            f"knowledge-base texts in {version.seconds:.1f} s; held-out {version.held_out} demands: "
            f"top-1 {version.top1 * 100:.1f} %, top-3 {version.top3 * 100:.1f} %{incumbent}. "
            f"{'Active' if version.is_active else 'Not active'}."
        )
