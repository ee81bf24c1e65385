"""Small builders of test data: plain functions, explicit overrides, no hidden magic."""

from __future__ import annotations

from typing import Any

from service.proposals.validation import SubmissionInput


def submission(**overrides: Any) -> SubmissionInput:
    values: dict[str, Any] = {
        "kind": "PROPOSAL",
        "title": "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ",
        "description": "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa.",
        "category": "DIGITAL_ECONOMY",
        "submitter_type": "ENTERPRISE",
        "name": "Nguyễn Thị Minh",
        "email": "minh@example.com",
        "consent_to_publish": True,
    }
    values.update(overrides)
    return SubmissionInput(**values)


def graphql_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "PROPOSAL",
        "title": "Quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ",
        "description": "Đề xuất thành lập quỹ hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa.",
        "categoryCode": "DIGITAL_ECONOMY",
        "submitterType": "ENTERPRISE",
        "name": "Nguyễn Thị Minh",
        "email": "minh@example.com",
        "consentToPublish": True,
    }
    values.update(overrides)
    return values


def form_data(**overrides: str) -> dict[str, str]:
    values = {
        "kind": "OBSTACLE",
        "title": "Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài",
        "description": (
            "Hồ sơ xin cấp phép thử nghiệm có kiểm soát đã chờ sáu tháng chưa có kết quả."
        ),
        "categoryCode": "DIGITAL_GOVERNMENT",
        "provinceCode": "DA-NANG",
        "submitterType": "ENTERPRISE",
        "name": "Trần Văn Đức",
        "email": "duc@example.com",
        "phone": "",
        "organisation": "Công ty Sáng Tạo",
        "consentToPublish": "yes",
    }
    values.update(overrides)
    return values
