"""The screen of titles and descriptions: state secrets, personal data, offensive language."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from service.proposals.screening import Finding, refused_content
from service.proposals.validation import check_submission
from service.settings import Settings
from tests.factories import form_data, submission
from tests.web_client import post_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Tài liệu MẬT: kế hoạch quốc phòng năm 2027", Finding.CLASSIFIED_MARKING),
        ("Kế hoạch quốc phòng này thuộc độ Tối mật.", Finding.CLASSIFIED_MARKING),
        ("Báo cáo TUYỆT MẬT về vùng biển", Finding.CLASSIFIED_MARKING),
        ("Số 12/BC\nĐộ mật: Mật\nKính gửi Bộ", Finding.CLASSIFIED_MARKING),
        ("CCCD 001085012345 của tôi", Finding.IDENTITY_NUMBER),
        ("Số chứng minh nhân dân: 123456789", Finding.IDENTITY_NUMBER),
        ("mật khẩu VNeID: abc123", Finding.LOGIN_SECRET),
        ("My password is hunter2 and it fails.", Finding.LOGIN_SECRET),
        ("Tôi nhận được mã OTP 482913 nhưng không dùng được", Finding.LOGIN_SECRET),
        ("thẻ 4111 1111 1111 1111 bị trừ tiền hai lần", Finding.CARD_NUMBER),
        ("thẻ ATM 9704000000000018 bị khóa", Finding.CARD_NUMBER),
        ("Bọn cán bộ ngu như lợn", Finding.OFFENSIVE_LANGUAGE),
        ("ĐỒ NGU, làm ăn như vậy à", Finding.OFFENSIVE_LANGUAGE),
        ("Thủ tục gì mà chậm vcl", Finding.OFFENSIVE_LANGUAGE),
        ("This fucking permit took a year", Finding.OFFENSIVE_LANGUAGE),
    ],
)
def test_what_a_submission_may_not_contain_is_found(text: str, finding: Finding) -> None:
    assert refused_content(text) is finding


@pytest.mark.parametrize(
    "text",
    [
        "Đề nghị sửa đổi Luật Bảo vệ bí mật nhà nước năm 2018",
        "LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC CẦN HƯỚNG DẪN RÕ HƠN",
        "Thời hạn bảo vệ bí mật nhà nước độ Mật là 10 năm, đề nghị rút xuống 5 năm",
        "Luật chia ba mức: độ Tuyệt mật, độ Tối mật và độ Mật.",
        "Bảo hộ bí mật kinh doanh, xuất khẩu mật ong, giảm mật độ dân cư, mức độ mật thiết",
        "SẢN PHẨM MẬT ONG HƯNG YÊN",
        "Hỗ trợ hộ nuôi lợn, bò và chó nghiệp vụ; hạt óc chó; bán đồ ngủ trẻ em",
        "Lũ chó hoang cắn người ở khu dân cư; mùa lũ súc vật chết nhiều",
        "Mật khẩu: tối thiểu 8 ký tự, có chữ hoa; password is required",
        "Phí SMS OTP 1.000 đồng mỗi tin, mã OTP gửi chậm 120 giây",
        "Tổng vốn 150000000 đồng; 1000000000000 đồng; mã số thuế 0101234567-001",
        "Gọi đường dây nóng 1900 1234 hoặc 0912 345 678, thư đến hotro@mic.gov.vn",
        "Luật Căn cước 2023 bỏ số chứng minh nhân dân 9 số",
        "do ngu nhu lon",
    ],
)
def test_ordinary_proposals_pass(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Nâng Cao Mức Độ Mật Thiết Giữa Chính Quyền Và Người Dân",
        "TĂNG CƯỜNG MỨC ĐỘ MẬT THIẾT GIỮA CHÍNH QUYỀN VÀ NHÂN DÂN",
        "ĐỀ NGHỊ SỬA QUY ĐỊNH VỀ XÁC ĐỊNH ĐỘ MẬT CỦA TÀI LIỆU",
        "Xác Định Độ Mật Của Tài Liệu",
        "Mức độ Mật thiết, MỨC ĐỘ MẬT KHẨU, ĐỘ MẬT ONG, Độ Mật Mã",
    ],
)
def test_closeness_and_the_notion_of_a_level_are_not_a_marking(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Độ mật: Mật",
        "TỐI MẬT",
        "Số 12/BC\nMẬT\nKính gửi Bộ",
        "KẾ HOẠCH PHÒNG THỦ\nMẬT\nKÍNH GỬI BỘ",
        "Gửi kèm tài liệu độ Mật",
        "Gửi kèm tài liệu độ Mật về kế hoạch",
        "TÀI LIỆU ĐỘ MẬT",
        "Tài Liệu Độ Mật: Kế Hoạch",
    ],
)
def test_a_level_that_ends_there_is_still_a_marking(text: str) -> None:
    assert refused_content(text) is Finding.CLASSIFIED_MARKING


@pytest.mark.parametrize(
    "text",
    [
        "TÀI LIỆU MẬT về chuyển đổi số",
        "Gửi kèm TÀI LIỆU MẬT của Sở",
        "Kế hoạch (TÀI LIỆU MẬT) về quốc phòng",
        "Văn bản MẬT UBND gửi Bộ",
        "MẬT KẾ HOẠCH phòng thủ",
        "Đây là tài liệu TỐI MẬT",
        "Báo cáo TUYỆT MẬT về biên giới",
    ],
)
def test_a_marking_in_capitals_beside_capitals_in_mixed_case_text_is_a_marking(text: str) -> None:
    assert refused_content(text) is Finding.CLASSIFIED_MARKING


@pytest.mark.parametrize(
    "text",
    [
        "QUẢN LÝ TÀI LIỆU MẬT",
        "Đề nghị sửa LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC năm 2018",
        "Tăng cường BẢO MẬT thông tin trên Cổng dịch vụ công",
        "Xuất khẩu MẬT ONG Hưng Yên",
        "Đổi MẬT KHẨU tài khoản định danh",
        "Thời hạn bảo vệ bí mật nhà nước ĐỘ MẬT là 10 năm",
    ],
)
def test_a_title_in_capitals_and_ordinary_words_in_capitals_are_not_a_marking(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "CCCD của tôi: 001 088 012345",
        "Số căn cước 001.088.012345",
        "CCCD số 079 203 001 234",
        "CMND 123 456 789",
        "CMND: 123.456.789",
        "Số CCCD của tôi là 001088012345.",
        "căn cước công dân số 001088012345",
        "Tôi tên A, số 001088012345",
    ],
)
def test_identity_numbers_in_groups_are_found(text: str) -> None:
    assert refused_content(text) is Finding.IDENTITY_NUMBER


def test_a_card_number_in_dotted_groups_is_found() -> None:
    assert refused_content("Số thẻ 4111.1111.1111.1111") is Finding.CARD_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "Hồ sơ số 001250012345 nộp trên Cổng dịch vụ công chưa được xử lý.",
        "Số hồ sơ: 001250012345",
        "Mã hồ sơ 001203004567 đang chờ duyệt.",
        "Giấy biên nhận số 079250001234 ngày 05/3/2025.",
        "Giấy hẹn 079250001234 trả kết quả ngày 10/3.",
        "Công văn số 012025000123 của UBND.",
        "Văn bản số 012345678901 của Sở.",
        "Quyết định số 001250012345 chưa được công bố.",
        "Thông báo số 001250012345 về việc bổ sung hồ sơ.",
        "Tờ trình số 001250012345 gửi Bộ.",
        "Số ký hiệu 001250012345 trên văn bản đến.",
        "Đơn số 001250012345 nộp từ tháng Một.",
        "My case number 001250012345 has had no answer.",
        "Application no. 001250012345 was filed in March.",
        "Reference number: 001250012345",
        "Document No. 012345678901 from the province.",
    ],
)
def test_numbers_named_as_dossiers_receipts_and_documents_are_not_identity_numbers(
    text: str,
) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Số 001250012345 nộp trên Cổng dịch vụ công.",
        "001250012345",
        "CCCD 001250012345 nộp kèm hồ sơ.",
        "Hồ sơ ghi căn cước 001250012345",
        "Nộp hồ sơ bằng CMND số 123 456 789",
        "The dossier asks for my identity number: 001250012345",
    ],
)
def test_identity_numbers_beside_a_dossier_are_still_found(text: str) -> None:
    assert refused_content(text) is Finding.IDENTITY_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "Số CCCD trong hồ sơ là 001203004567",
        "So CCCD trong ho so la 001203004567",
        "Số CCCD ghi trong hồ sơ của tôi là 001203004567.",
        "Số CCCD trên tờ biên nhận: 001203004567",
        "số căn cước của ông A là 079 203 001 234",
        "so can cuoc cua ong A la 079 203 001 234",
        "Căn cước công dân của bà B trong bộ hồ sơ là 001 203 004 567",
        "CMND của ông Nguyễn Văn A là 123456789",
        "CMND cua ong Nguyen Van A la 123.456.789",
        "identity number on file: 123 456 789",
        "My ID number in the dossier is 001203004567",
        "The ID card number on my application is 001 203 004 567",
    ],
)
def test_identity_numbers_named_a_few_words_before_are_found(text: str) -> None:
    assert refused_content(text) is Finding.IDENTITY_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "Đã nộp bản sao CCCD, số hồ sơ là 001203004567",
        "Da nop ban sao CCCD, so ho so la 001203004567",
        "CCCD nộp kèm, mã hồ sơ 001203004567 đang chờ duyệt.",
        "Bản sao căn cước nộp theo giấy biên nhận số 079250001234",
        "Ban sao can cuoc nop theo giay bien nhan so 079250001234",
        "Căn cước cấp theo quyết định số 001250012345",
        "Mất căn cước, tôi nộp đơn, biên nhận là 079250001234",
        "Lệ phí cấp căn cước cho cả xã tổng cộng là 350000000",
        "Phí làm căn cước năm nay là 350.000.000",
        "Phi lam can cuoc nam nay la 350.000.000",
        "Căn cước gắn chip cấp cho người dân tỉnh là 123456789",
        "I lost my ID card and the receipt number is 079250001234",
        "My ID card was lost; my case number is 001250012345",
        "The ID card fee is 350000000",
        "The ID card office phone is 123456789",
        "CCCD của tôi bị mất từ lâu mà đến nay vẫn chưa cấp lại, mã bưu gửi là 123456789012",
        "Tôi đã làm căn cước. Mã bưu gửi là 123 456 789",
        "Ma buu gui la 123456789012",
    ],
)
def test_numbers_claimed_by_another_name_or_too_far_from_the_document_pass(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Mã hồ sơ 4111111111111111 đang chờ duyệt.",
        "Hợp đồng số 4539578763621486 ký năm 2024.",
        "Số hồ sơ 4111 1111 1111 1111 trên Cổng dịch vụ công",
        "Contract number 4539578763621486 signed in 2024.",
        "Mã giao dịch 4111111111111111 không hiển thị.",
    ],
)
def test_numbers_named_as_dossiers_or_contracts_are_not_card_numbers(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "4539578763621486",
        "Tôi chuyển 4111111111111111 hôm qua",
        "Số thẻ 4111111111111111",
        "THẺ ATM 4111111111111111 bị nuốt",
        "Card number 4111 1111 1111 1111",
        "Hợp đồng mở thẻ số 4539578763621486",
        "Số tài khoản liên kết với thẻ 4111111111111111",
        "Tờ khai nộp cho the bank, Visa 4111111111111111",
    ],
)
def test_card_numbers_bare_or_named_as_cards_are_still_found(text: str) -> None:
    assert refused_content(text) is Finding.CARD_NUMBER


@pytest.mark.parametrize(
    "text",
    [
        "Kinh phí làm căn cước cho người dân là 350000000 đồng",
        "Căn cước công dân cấp cho 100000000 người",
        "The ID card office at 123456789 Main St",
        "Số tài khoản 096123456789 tại MB",
        "Chuyển khoản tới STK 012345678912 MB Bank",
        "Mã vận đơn 012345678901",
        "Tổng vốn đầu tư 012345678901 đồng",
        "Số CMND cũ: 150.000.000 đồng phí cấp đổi",
        "Hotline 1900 1234 5678 9012 hoặc 024 3822 1234",
    ],
)
def test_amounts_addresses_and_other_numbers_are_not_identity_numbers(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Dự án số 1, Mã OTP 2025 triển khai",
        "OTP: 2024 là năm triển khai",
        "Ket qua: ma OTP 2024 nam nay",
    ],
)
def test_a_year_after_otp_is_not_a_one_time_code(text: str) -> None:
    assert refused_content(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Mã OTP của tôi là 483920",
        "OTP: 5812",
        "mã xác thực 123456",
        "Mã OTP là 2024.",
        "Tôi nhận mã OTP 482913.",
    ],
)
def test_one_time_codes_are_found(text: str) -> None:
    assert refused_content(text) is Finding.LOGIN_SECRET


def _corpus() -> list[str]:
    texts: list[str] = []
    for name in ("labelled.jsonl", "recurring.jsonl"):
        for line in (ROOT / "bench" / "routing" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts += [record["title"], record["description"]]
    demo = json.loads((ROOT / "service" / "demo_submissions.json").read_text(encoding="utf-8"))
    texts += [text for record in demo for text in (record["title"], record["description"])]
    return texts


def test_the_benchmark_and_demo_submissions_all_pass() -> None:
    texts = _corpus()
    assert len(texts) > 500
    assert [text for text in texts if refused_content(text) is not None] == []


def test_each_field_is_refused_with_its_reason_in_both_languages(settings: Settings) -> None:
    sent = submission(
        title="Tài liệu MẬT về quốc phòng",
        description="CCCD 001085012345, mật khẩu VNeID: abc123",
    )
    clean, vietnamese = check_submission(sent, settings, "vi")
    _, english = check_submission(sent, settings, "en")
    assert clean is None
    assert [(e.field, e.code, e.message) for e in vietnamese] == [
        (
            "title",
            "classified_marking",
            "Hãy bỏ dấu độ mật (Mật, Tối mật, Tuyệt mật): không được gửi thông tin bí mật nhà"
            " nước qua đây.",
        ),
        (
            "description",
            "personal_data",
            "Hãy xóa số căn cước, chứng minh nhân dân: không gửi số định danh cá nhân qua đây.",
        ),
    ]
    assert [(e.field, e.code, e.message) for e in english] == [
        (
            "title",
            "classified_marking",
            "Remove the state-secret marking (Mật, Tối mật, Tuyệt mật): classified information"
            " must not be sent here.",
        ),
        (
            "description",
            "personal_data",
            "Remove the identity card number: personal identity numbers must not be sent here.",
        ),
    ]
    assert "001085012345" not in " ".join(e.message for e in [*vietnamese, *english])


def test_the_other_reasons_and_their_messages(settings: Settings) -> None:
    cases = {
        "Mã OTP 482913 không dùng được": (
            "personal_data",
            "Remove the password or one-time code: never send one to anybody, us included.",
        ),
        "Thẻ 4111111111111111 bị trừ tiền": (
            "personal_data",
            "Remove the bank card number: never send it to anybody, us included.",
        ),
        "Bọn cán bộ ngu như lợn": (
            "offensive_language",
            "Remove the offensive language: insults and profanity are not accepted.",
        ),
    }
    found = {}
    for description, _ in cases.items():
        clean, errors = check_submission(submission(description=description), settings, "en")
        assert clean is None
        found[description] = [(e.field, e.code, e.message) for e in errors]
    assert found == {text: [("description", *expected)] for text, expected in cases.items()}


def test_a_field_with_another_problem_is_not_screened_as_well(settings: Settings) -> None:
    clean, errors = check_submission(submission(title="MẬT \u202eđảo chiều"), settings, "en")
    assert clean is None
    assert [(e.field, e.code) for e in errors] == [("title", "control_characters")]


async def test_the_form_refuses_offensive_language_and_keeps_what_was_typed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    page = await post_form(
        client, "/submit", form_data(description="Bọn cán bộ ngu như lợn, xử lý chậm.")
    )
    assert page.status_code == 422
    assert (
        '<a href="#description">Nội dung: Hãy bỏ lời lẽ xúc phạm, thô tục: nội dung như vậy không'
        " được tiếp nhận.</a>" in page.text
    )
    assert "Bọn cán bộ ngu như lợn, xử lý chậm.</textarea>" in page.text


async def test_the_form_takes_a_dossier_number_and_refuses_a_marking_in_a_title(
    client: httpx.AsyncClient,
) -> None:
    accepted = await post_form(
        client,
        "/submit",
        form_data(
            description="Hồ sơ số 001250012345 nộp trên Cổng dịch vụ công chưa được xử lý. Giấy"
            " biên nhận số 079250001234 ngày 05/3/2025. Mã hồ sơ 4111111111111111 đang chờ"
            " duyệt."
        ),
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/track/")
    refused = await post_form(client, "/submit", form_data(title="TÀI LIỆU MẬT về chuyển đổi số"))
    assert refused.status_code == 422
    assert (
        '<a href="#title">Tiêu đề: Hãy bỏ dấu độ mật (Mật, Tối mật, Tuyệt mật): không được gửi'
        " thông tin bí mật nhà nước qua đây.</a>" in refused.text
    )
    assert 'value="TÀI LIỆU MẬT về chuyển đổi số"' in refused.text
