"""Plans written after the July 2025 reform: two local tiers, merged and renamed departments."""

from __future__ import annotations

from pathlib import Path

from config.directories import load_named
from plan.parse import parse_plan
from plan.readers import read_rows

PLAN_2026 = """Số: 25/KH-UBND
An Giang, ngày 15 tháng 01 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
STT\tNội dung\tSản phẩm\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời hạn\tGhi chú
I\tCải cách thủ tục hành chính\t\t\t\t\t
1\tChuyển đổi số giải quyết TTHC\tKế hoạch\tSở KH&CN\tUBND các xã, phường, đặc khu\tQuý I/2026\t
2\tRà soát TTHC nội bộ\tBáo cáo\tUBND các xã, phường, đặc khu\tVăn phòng UBND tỉnh\tTháng 6/2026\t
3\tViệc giao theo tên cũ\tBáo cáo\tSở Thông tin và Truyền thông\tSở Kế hoạch và Đầu tư\tNăm 2026\t
4\tViệc giao cho cấp đã bỏ\tBáo cáo\tUBND cấp huyện\t\tNăm 2026\t
"""


def test_post_reform_plan_resolves_with_its_own_directory() -> None:
    directory = load_named("an-giang-2025")
    draft = parse_plan(read_rows("p.txt", PLAN_2026.encode()), directory)
    by_ref = {t.ref: t for t in draft.tasks}
    assert [a.name for a in by_ref["I.1"].lead] == ["Sở Khoa học và Công nghệ"]
    communes = by_ref["I.2"].lead  # the province's real communes, wards and special zones
    assert len(communes) == 102 and {a.via_group for a in communes} == {"UBND cấp xã"}
    assert {"UBND phường Long Xuyên", "UBND đặc khu Phú Quốc", "UBND xã Mỹ Hòa Hưng"} <= {
        a.name for a in communes}
    # old department names in a new plan land on the agency that took the work over
    assert [a.name for a in by_ref["I.3"].lead] == ["Sở Khoa học và Công nghệ"]
    assert [a.name for a in by_ref["I.3"].coordinating] == ["Sở Tài chính"]
    # the district level no longer exists: kept as an unresolved agency with a warning
    assert [(a.name, a.resolved) for a in by_ref["I.4"].lead] == [("UBND cấp huyện", False)]
    assert any("UBND cấp huyện" in w.message and w.line == 10 for w in draft.warnings)


def test_group_lead_with_its_member_coordinating_makes_that_member_the_hub() -> None:
    directory = load_named("an-giang-2025")
    sample = Path(__file__).parent / "samples" / "province-2026.txt"
    draft = parse_plan(read_rows(sample.name, sample.read_bytes()), directory)
    by_ref = {t.ref: t for t in draft.tasks}
    for ref in ("I.1", "I.2", "I.5"):  # "Các sở, ban, ngành tỉnh; UBND các xã…" / Sở Nội vụ
        leads = {a.name for a in by_ref[ref].lead}
        assert "Sở Nội vụ" not in leads and "Sở Tư pháp" in leads and len(leads) > 100
        assert [a.name for a in by_ref[ref].coordinating] == ["Sở Nội vụ"]
    # a commune-led task with Sở Nội vụ coordinating: Sở Nội vụ is no member, nothing moves
    assert [a.name for a in by_ref["IV.3"].coordinating] == ["Sở Nội vụ"]
    # an agency written in both cells by itself stays the lead (the plan says so)
    assert {a.name for a in by_ref["IV.1"].lead} == {"Sở Nội vụ"}
