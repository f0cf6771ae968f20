"""Kiên Giang 272/KH-UBND as printed, page breaks and all (read from ../shared/seeds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from plan.agencies import Directory
from plan.model import DeadlineKind, PlanDraft
from plan.parse import parse_plan
from plan.readers import read_rows

EXPECTED_REFS = (
    [f"I.{n}" for n in range(1, 6)] + [f"II.{n}" for n in range(1, 5)] + ["III.1", "III.2"]
    + ["V.2", "V.3", "V.4"] + [f"VI.{n}" for n in range(1, 9)] + ["VII.1", "VII.2"]
    + [f"VIII.{n}" for n in range(1, 9)])


@pytest.fixture(scope="module")
def draft(seed_path: Path, directory: Directory) -> PlanDraft:
    return parse_plan(read_rows(seed_path.name, seed_path.read_bytes()), directory)


def task(draft: PlanDraft, ref: str):  # type: ignore[no-untyped-def]
    return next(t for t in draft.tasks if t.ref == ref)


def test_plan_identity(draft: PlanDraft) -> None:
    assert draft.meta.code == "272/KH-UBND"
    assert draft.meta.issued_on == dt.date(2022, 12, 23)
    assert draft.meta.year == 2023
    assert draft.meta.title == "Kế hoạch công tác cải cách hành chính năm 2023"
    assert draft.meta.issuer == "UBND tỉnh Kiên Giang"


def test_every_task_in_document_order_with_unique_refs(draft: PlanDraft) -> None:
    assert [t.ref for t in draft.tasks] == EXPECTED_REFS


@pytest.mark.parametrize(("ref", "kind", "due"), [
    ("I.1", DeadlineKind.MONTH, dt.date(2022, 12, 31)),
    ("I.3", DeadlineKind.MONTH, dt.date(2024, 2, 29)),
    ("II.1", DeadlineKind.QUARTER, dt.date(2023, 3, 31)),
    ("II.2", DeadlineKind.YEAR, dt.date(2023, 12, 31)),
    ("V.2", DeadlineKind.YEAR, dt.date(2023, 12, 31)),
    ("V.4", DeadlineKind.NONE, None),
    ("VI.4", DeadlineKind.QUARTER, dt.date(2023, 6, 30)),
    ("VII.2", DeadlineKind.QUARTER, dt.date(2023, 9, 30)),
    ("VIII.6", DeadlineKind.QUARTER, dt.date(2023, 6, 30)),
])
def test_due_dates(draft: PlanDraft, ref: str, kind: DeadlineKind, due: dt.date | None) -> None:
    found = task(draft, ref)
    assert (found.deadline.kind, found.deadline.due) == (kind, due)


def test_no_fixed_date_is_kept_verbatim(draft: PlanDraft) -> None:
    assert task(draft, "V.4").deadline.text == "Theo quy định hiện hành"
    assert task(draft, "V.4").note == "Bao gồm cả khối Đảng, đoàn thể"


def test_content_continued_across_a_page_break_is_merged(draft: PlanDraft) -> None:
    content = task(draft, "II.1").content
    assert "thực hiện cơ chế một cửa, cơ chế một cửa liên thông trong giải quyết" in content
    assert content.endswith("trong hệ thống cơ quan hành chính nhà nước")
    assert task(draft, "V.4").content.endswith("các cấp ngân sách theo Thông tư số 343/2016/TT-BTC")


def test_coordinating_list_continued_across_a_page_break(draft: PlanDraft) -> None:
    found = task(draft, "VIII.4")
    assert found.coordinating_text.endswith("Kế hoạch và Đầu tư và Cục Thuế")
    assert [a.name for a in found.coordinating] == [
        "Văn phòng UBND tỉnh", "Sở Tư pháp", "Sở Thông tin và Truyền thông", "Sở Tài chính",
        "Sở Kế hoạch và Đầu tư", "Cục Thuế tỉnh"]


def test_section_numeral_and_title_in_one_cell(draft: PlanDraft) -> None:
    assert task(draft, "VI.1").section_title == "XÂY DỰNG CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ"


def test_missing_pages_are_warned_with_their_line(draft: PlanDraft) -> None:
    restart = [w for w in draft.warnings if w.line == 156 and "bắt đầu lại" in w.message]
    assert len(restart) == 1
    assert "bắt đầu lại trong mục III" in restart[0].message
    assert "mục V" in restart[0].message and "dòng 149" in restart[0].message
    assert task(draft, "V.2").section_title is None
    assert task(draft, "III.2").content == "Quy định chức năng nhiệm vụ, quyền hạn và cơ"


def test_continuations_are_reported(draft: PlanDraft) -> None:
    lines = {w.line for w in draft.warnings if w.message.startswith("nối tiếp")}
    assert lines == {143, 163, 187}


def test_group_lead_becomes_one_lead_per_member(draft: PlanDraft) -> None:
    lead = task(draft, "I.4").lead
    # departments and boards, then the 15 district-level units; Sở Tư pháp, named in the
    # coordinating cell, compiles the reports (the hub) and is no lead of its own task
    assert len(lead) == 21 - 1 + 15
    assert {a.via_group for a in lead} == {"Các sở, ban, ngành tỉnh", "UBND cấp huyện"}
    commune = [a for a in task(draft, "VIII.7").lead if a.name == "UBND cấp xã"]
    assert commune and commune[0].via_group == "UBND cấp xã"


def test_every_agency_resolves(draft: PlanDraft) -> None:
    assert all(a.resolved for t in draft.tasks for a in (*t.lead, *t.coordinating))


def test_body_text_and_page_headers_are_not_tasks(draft: PlanDraft) -> None:
    assert all(t.line >= 131 for t in draft.tasks)
    assert not any("NỘI DUNG" in t.content for t in draft.tasks)


@pytest.mark.parametrize(("ref", "hubs"), [
    ("I.4", {"Sở Tư pháp"}), ("V.2", {"Sở Tài chính"}), ("V.3", {"Sở Tài chính"}),
    ("VIII.7", {"Sở Nội vụ"}), ("VIII.8", {"Sở Nội vụ", "Sở Thông tin và Truyền thông"})])
def test_a_named_member_of_the_lead_group_is_the_hub_not_a_lead(
        draft: PlanDraft, ref: str, hubs: set[str]) -> None:
    """The hub compiles the group's reports: it coordinates and is never a lead of the same
    task, so it is never reminded or escalated to report to itself."""
    found = task(draft, ref)
    assert not hubs & {a.name for a in found.lead}
    assert hubs <= {a.name for a in found.coordinating}
    assert any(ref in w.message and "đầu mối tổng hợp" in w.message for w in draft.warnings)
