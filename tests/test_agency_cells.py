"""Agency cells read by the grammar of Vietnamese agency lists: never an invented agency.

Cells written by us in the shapes real plans use, read with a post-2025 province's
generated directory, with the national directory (a ministry's plan), and the seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.directories import load_named
from plan.agencies import Directory
from plan.parse import parse_plan
from plan.readers import read_rows
from plan.text import fold


@pytest.fixture(scope="module")
def dong_nai() -> Directory:
    return load_named("dong-nai-2025")


@pytest.fixture(scope="module")
def national() -> Directory:
    return load_named("national-2025")


def read(directory: Directory, cell: str) -> tuple[list[tuple[str, str]], list[str], int]:
    result = directory.resolve(cell)
    direct = [(a.name, a.kind) for a in result.agencies if a.via_group is None]
    return direct, list(result.open_phrases), sum(1 for a in result.agencies if a.via_group)


@pytest.mark.parametrize(("cell", "agencies", "open_groups"), [
    ("Các bộ, ngành, địa phương", [], ["Các bộ, ngành, địa phương"]),
    ("Các nhà cung cấp dịch vụ viễn thông", [], ["Các nhà cung cấp dịch vụ viễn thông"]),
    ("Sở Nội vụ và các cơ quan, đơn vị, địa phương liên quan", [("Sở Nội vụ", "agency")],
     ["Các cơ quan, đơn vị, địa phương liên quan"]),
    ("Các tổ chức chính trị - xã hội", [], ["Các tổ chức chính trị - xã hội"]),
    ("Các doanh nghiệp bưu chính, viễn thông", [], ["Các doanh nghiệp bưu chính, viễn thông"]),
    ("Các trường đại học, cao đẳng trên địa bàn tỉnh", [],
     ["Các trường đại học, cao đẳng trên địa bàn tỉnh"]),
    ("Sở Tài chính Sở Xây dựng", [("Sở Tài chính", "agency"), ("Sở Xây dựng", "agency")], []),
    ("các Sở: Tư pháp, Tài chính.", [("Sở Tư pháp", "agency"), ("Sở Tài chính", "agency")], []),
    ("Sở Nội vụ, Tư pháp", [("Sở Nội vụ", "agency"), ("Sở Tư pháp", "agency")], []),
    ("Sở Văn hóa, Thể thao và Du lịch", [("Sở Văn hóa, Thể thao và Du lịch", "agency")], []),
    ("Báo và Phát thanh, Truyền hình Đồng Nai",
     [("Báo và Phát thanh, Truyền hình Đồng Nai", "agency")], []),
    ("Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh",
     [("Công an tỉnh", "agency"), ("Bộ Chỉ huy Quân sự tỉnh", "agency")], []),
    ("Sở KH&CN, Sở NN&MT, STP", [("Sở Khoa học và Công nghệ", "agency"),
                                  ("Sở Nông nghiệp và Môi trường", "agency"),
                                  ("Sở Tư pháp", "agency")], []),
    ("Sở Thông tin và Truyền thông; Sở Kế hoạch và Đầu tư",  # merged in 2025: the heirs
     [("Sở Khoa học và Công nghệ", "agency"), ("Sở Tài chính", "agency")], []),
    ("Bộ Nội vụ; Văn phòng Chính phủ", [("Bộ Nội vụ", "external"),
                                        ("Văn phòng Chính phủ", "external")], []),
    ("Viettel Đồng Nai, VNPT Đồng Nai", [("Viettel Đồng Nai", "external"),
                                         ("VNPT Đồng Nai", "external")], []),
    ("Phòng Quản lý đô thị và Sở Y tế", [("Phòng Quản lý đô thị", "unresolved"),
                                         ("Sở Y tế", "agency")], []),
    ("Sở Nội vụ (chủ trì)", [("Sở Nội vụ", "agency")], []),
    ("Sở Y tế cùng các đơn vị liên quan", [("Sở Y tế", "agency")], ["Các đơn vị liên quan"]),
    ("Các sở, ban, ngành tỉnh, Đồng Nai", [], []),  # the province's name is a qualifier
])
def test_cells_of_a_post_reform_plan(dong_nai: Directory, cell: str,
                                     agencies: list[tuple[str, str]],
                                     open_groups: list[str]) -> None:
    direct, opened, _ = read(dong_nai, cell)
    assert (direct, opened) == (agencies, open_groups)


@pytest.mark.parametrize("cell", [
    "UBND các xã, phường", "UBND các phường, xã", "UBND các phường xã",
    "UBND xã, phường, đặc khu", "UBND cấp xã", "Ủy ban nhân dân các xã, phường, đặc khu"])
def test_every_spelling_of_the_communes_reaches_each_commune(dong_nai: Directory,
                                                             cell: str) -> None:
    result = dong_nai.resolve(cell)
    assert len(result.agencies) == 95 and result.problems == () and result.open_phrases == ()
    assert {a.via_group for a in result.agencies} == {"UBND cấp xã"}
    assert "UBND phường Biên Hòa" in {a.name for a in result.agencies}


def test_a_named_commune_is_one_agency(dong_nai: Directory) -> None:
    assert read(dong_nai, "UBND phường Biên Hòa; UBND xã Xuân Lộc")[0] == [
        ("UBND phường Biên Hòa", "agency"), ("UBND xã Xuân Lộc", "agency")]


def test_groups_of_the_province_expand(dong_nai: Directory) -> None:
    direct, opened, members = read(dong_nai, "Các sở, ban, ngành tỉnh")
    assert (direct, opened) == ([], []) and members == 15


def test_a_ministry_plan_reaches_ministries_and_provinces(national: Directory) -> None:
    result = national.resolve("Các bộ, ngành, địa phương")
    names = {a.name for a in result.agencies}
    assert len(names) == 17 + 34
    assert {"Bộ Nội vụ", "Văn phòng Chính phủ", "UBND tỉnh Đồng Nai",
            "UBND thành phố Huế"} <= names
    assert read(national, "Bộ Kế hoạch và Đầu tư")[0] == [("Bộ Tài chính", "agency")]


def test_the_seed_never_lists_a_lead_among_its_own_coordinators(seed_path: Path,
                                                                directory: Directory) -> None:
    draft = parse_plan(read_rows(seed_path.name, seed_path.read_bytes()), directory)
    assert len(draft.tasks) == 32
    assert all(a.resolved for t in draft.tasks for a in (*t.lead, *t.coordinating))
    assert [t.ref for t in draft.tasks
            if {a.name for a in t.lead} & {a.name for a in t.coordinating}] == []


def test_a_lead_that_names_nobody_is_warned(dong_nai: Directory) -> None:
    text = ("ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI\nSố: 9/KH-UBND\nKẾ HOẠCH\nCải cách năm 2026\n"
            "STT\tNội dung\tCơ quan chủ trì\tThời hạn\n"
            "1\tViệc A\tCác cơ quan, đơn vị liên quan\tNăm 2026\n")
    draft = parse_plan(read_rows("p.txt", text.encode()), dong_nai)
    assert draft.tasks[0].lead == ()
    assert draft.tasks[0].open_groups == ("Các cơ quan, đơn vị liên quan",)
    assert any("chưa xác định đơn vị chủ trì" in w.message for w in draft.warnings)


_KNOWN = ["Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Văn phòng UBND tỉnh",
          "Công an tỉnh", "UBND phường Biên Hòa", "Sở Nông nghiệp và Môi trường"]
_GENERIC = ["các sở, ban, ngành liên quan", "các cơ quan, đơn vị", "các tổ chức chính trị - xã hội",
            "các doanh nghiệp viễn thông"]
_UNKNOWN = ["Phòng Quản lý đô thị", "Trung tâm Dữ liệu số", "Bộ Ngoại giao", "Công ty Điện lực"]
_JOIN = [", ", "; ", " và ", " cùng ", ", "]
_LONE = {"bo", "nganh", "so", "ban", "dia phuong", "xa", "phuong", "nha", "cap", "tinh", ""}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_KNOWN + _GENERIC + _UNKNOWN), min_size=1, max_size=5),
       st.lists(st.sampled_from(_JOIN), min_size=5, max_size=5))
def test_no_invented_agency_and_every_word_accounted_for(dong_nai: Directory,
                                                        pieces: list[str],
                                                        joins: list[str]) -> None:
    cell = pieces[0] + "".join(j + p for j, p in zip(joins, pieces[1:], strict=False))
    result = dong_nai.resolve(cell)
    outputs = [a.via_group or a.name for a in result.agencies] + list(result.open_phrases)
    for agency in result.agencies:
        assert fold(agency.name) not in _LONE
        if agency.kind != "agency":  # kept whole: exactly one of the pieces, never a fragment
            assert agency.name in _UNKNOWN, (cell, agency.name)
    for phrase in result.open_phrases:
        assert fold(phrase) not in _LONE
    words = set(fold(" ".join(outputs)).replace(",", " ").split())
    for piece in pieces:
        if piece in _KNOWN:
            assert piece in outputs, (cell, outputs)
        else:
            assert set(fold(piece).replace(",", " ").split()) <= words | {"tinh", "lien",
                                                                           "quan"}, (cell, outputs)


# (cell, agencies with their kind, open phrases) in a provincial plan after 2025 — our own
# wording of the shapes that invented bodies before
PROVINCIAL_CELLS = [
    ("Bộ Tư pháp, các bộ, ngành liên quan", [("Bộ Tư pháp", "external")],
     ["Các bộ, ngành liên quan"]),
    ("Kho bạc Nhà nước khu vực XV", [("Kho bạc Nhà nước khu vực XV", "agency")], []),
    ("Kho bạc Nhà nước khu vực XX, Sở Tài chính",
     [("Kho bạc Nhà nước khu vực XX", "agency"), ("Sở Tài chính", "agency")], []),
    ("Học viện, Trường; Sở, ban, ngành có liên quan", [],
     ["Học viện", "Trường", "Sở, ban, ngành có liên quan"]),
    ("UBND các tỉnh/ thành phố", [], ["UBND các tỉnh thành phố"]),
    ("Sở Tư pháp; Bộ Tài chính", [("Sở Tư pháp", "agency"), ("Bộ Tài chính", "external")], []),
]


@pytest.mark.parametrize(("cell", "agencies", "open_phrases"), PROVINCIAL_CELLS)
def test_agency_cells_never_invent_a_body(cell: str, agencies: list[tuple[str, str]],
                                          open_phrases: list[str]) -> None:
    from config.directories import load_named

    found = load_named("an-giang-2025").resolve(cell)
    assert [(a.name, a.kind) for a in found.agencies] == agencies
    assert list(found.open_phrases) == open_phrases
    generic = [p for p in open_phrases if "liên quan" not in p]
    assert len(found.problems) == len(generic)  # every name that is no body is warned


def test_the_verb_decides_who_leads_in_a_lead_sentence() -> None:
    from config.directories import load_named
    from plan.parse import parse_plan
    from plan.readers import read_rows

    plan = ("Số: 9/KH-UBND\nAn Giang, ngày 05 tháng 01 năm 2027\nKẾ HOẠCH\nCải cách hành chính "
            "năm 2027\nSTT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn\n"
            "I\tThể chế\t\t\t\t\n1\tTổng kết\tBáo cáo\tSở Nội vụ chủ trì, phối hợp với các sở, "
            "ngành và Ủy ban nhân dân các xã, phường, đặc khu\t\tQuý IV/2027\n")
    [task] = parse_plan(read_rows("p.txt", plan.encode()), load_named("an-giang-2025")).tasks
    assert [a.name for a in task.lead] == ["Sở Nội vụ"]  # 184 leads before
    assert len(task.coordinating) > 100 and task.lead_text == "Sở Nội vụ"
