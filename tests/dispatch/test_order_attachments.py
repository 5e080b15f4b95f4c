"""现场照片 (issue 22, what handlers need): photos and files with a reply or a progress note — photos shrunk
and stripped of where they were taken, a file that only pretends to be a photo refused before anything is
saved, and served only to those who may see the order."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from dispatch.models import OrderAttachment
from dispatch.services import work_order_sign
from tests.factories import main_order, make_demand

REPLY = {
    "contacted": "1",
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "占道摊位已清理。",
    "reply_to_hotline": "已电话联系诉求人。",
}


def photo(name="现场.jpg", size=(4000, 3000)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # a GPS latitude: where the photo was taken
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_reply_keeps_its_photos_small_and_without_their_location(agent, handler_a, handler_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    client = Client()
    client.force_login(handler_a)
    pdf = SimpleUploadedFile("处置记录.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    data = {**REPLY, "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "attachments": [photo(), pdf]}
    assert client.post(f"/dispatch/orders/{order.pk}/reply/", data).status_code == 302
    order.refresh_from_db()
    assert order.status == "replied"
    kept = {a.name: a for a in OrderAttachment.objects.filter(order=order)}
    assert set(kept) == {"现场.jpg", "处置记录.pdf"}
    assert kept["现场.jpg"].event.kind == "replied"
    with Image.open(kept["现场.jpg"].file.path) as stored:
        assert max(stored.size) == 2000 and not stored.getexif()

    page = client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    link = f"/dispatch/orders/{order.pk}/files/{kept['现场.jpg'].pk}/"
    assert link in page and "现场.jpg" in page
    assert client.get(link).status_code == 200
    other = Client()
    other.force_login(handler_b)  # another street: the order does not exist for them
    assert other.get(link).status_code == 404

    # The photo shows as a thumbnail on the page; the document as a link with its size.
    assert f'src="{link}?thumb=1"' in page
    pdf_link = f"/dispatch/orders/{order.pk}/files/{kept['处置记录.pdf'].pk}/"
    assert pdf_link in page and f'src="{pdf_link}?thumb=1"' not in page
    thumb = client.get(link, {"thumb": "1"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(thumb.content)) as small:
        assert max(small.size) <= 240
    assert client.get(pdf_link, {"thumb": "1"}).status_code == 404  # a document has no thumbnail
    assert other.get(link, {"thumb": "1"}).status_code == 404  # nor does another street see one


def test_a_file_pretending_to_be_a_photo_is_refused_before_the_reply_is_saved(agent, handler_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    client = Client()
    client.force_login(handler_a)
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    data = {**REPLY, "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "attachments": [fake]}
    response = client.post(f"/dispatch/orders/{order.pk}/reply/", data)
    assert response.status_code == 400 and "现场.jpg" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "signed" and not OrderAttachment.objects.exists()
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(f"/dispatch/orders/{order.pk}/progress/", {"note": "已到现场。", "attachments": [exe]})
    assert response.status_code == 400 and not OrderAttachment.objects.exists()


def test_a_progress_note_carries_a_photo(agent, handler_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    client = Client()
    client.force_login(handler_a)
    response = client.post(
        f"/dispatch/orders/{order.pk}/progress/", {"note": "已到现场。", "attachments": [photo(size=(800, 600))]}
    )
    assert response.status_code == 302
    attachment = OrderAttachment.objects.get()
    assert attachment.event.kind == "progress" and attachment.uploaded_by == handler_a


def test_odd_and_huge_photos_are_refused_with_a_reason_not_a_server_error(agent, handler_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    client = Client()
    client.force_login(handler_a)
    cmyk = BytesIO()
    Image.new("CMYK", (300, 200)).save(cmyk, format="JPEG")  # a printer's JPEG, named as a PNG
    named_png = SimpleUploadedFile("扫描.png", cmyk.getvalue(), content_type="image/png")
    response = client.post(f"/dispatch/orders/{order.pk}/progress/", {"note": "扫描件。", "attachments": [named_png]})
    assert response.status_code == 302  # kept as a PNG it can be
    huge = BytesIO()
    Image.new("1", (9000, 9000)).save(huge, format="PNG")  # a small file holding 81 megapixels
    bomb = SimpleUploadedFile("大图.png", huge.getvalue(), content_type="image/png")
    response = client.post(f"/dispatch/orders/{order.pk}/progress/", {"note": "大图。", "attachments": [bomb]})
    assert response.status_code == 400 and "大图.png" in response.content.decode()
    assert OrderAttachment.objects.count() == 1


def test_a_knowledge_editor_cannot_download_order_files(agent, handler_a, settings, tmp_path, reference):
    from tests.conftest import CENTER_CODE, unit
    from tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    client = Client()
    client.force_login(handler_a)
    client.post(f"/dispatch/orders/{order.pk}/progress/", {"note": "现场。", "attachments": [photo(size=(300, 200))]})
    attachment = OrderAttachment.objects.get()
    editor = Client()
    editor.force_login(UserFactory(username="t_kb_files", role="kb_editor", unit=unit(CENTER_CODE)))
    assert editor.get(f"/dispatch/orders/{order.pk}/files/{attachment.pk}/").status_code == 403
