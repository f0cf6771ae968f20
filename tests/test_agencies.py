"""Agency cells are split by the directory, not by commas or `và`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.directories import available, load_named
from plan.agencies import Directory, DirectoryError

DISTRICTS = 15


def direct(directory: Directory, cell: str) -> list[str]:
    return [a.name for a in directory.resolve(cell).agencies if a.via_group is None]


def test_elliptical_department_list_means_five_agencies(directory: Directory) -> None:
    cell = ("các Sở: Tư pháp, Thông tin và Truyền thông; Tài chính; "
            "Kế hoạch và Đầu tư và Cục Thuế")
    assert direct(directory, cell) == ["Sở Tư pháp", "Sở Thông tin và Truyền thông",
                                       "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Cục Thuế tỉnh"]


def test_va_inside_a_name_does_not_split_it(directory: Directory) -> None:
    assert direct(directory, "Sở Kế hoạch và Đầu tư và Sở Thông tin và Truyền thông") == [
        "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông"]


def test_open_phrase_is_not_an_agency(directory: Directory) -> None:
    result = directory.resolve("Sở Nội vụ và các sở, ngành liên quan")
    assert [a.name for a in result.agencies] == ["Sở Nội vụ"]
    assert result.open_phrases == ("Các sở, ngành liên quan",)
    assert result.problems == ()


@pytest.mark.parametrize("cell", ["UBND cấp huyện", "UBND các huyện, thành phố",
                                  "Ủy ban nhân dân cấp huyện", "ubnd cap huyen"])
def test_district_group_expands_to_every_district(directory: Directory, cell: str) -> None:
    agencies = directory.resolve(cell).agencies
    assert len(agencies) == DISTRICTS
    assert {a.via_group for a in agencies} == {"UBND cấp huyện"}
    assert "UBND huyện Giang Thành" in [a.name for a in agencies]


def test_elliptical_commune_level_after_district_level(directory: Directory) -> None:
    result = directory.resolve("UBND cấp huyện, cấp xã")
    names = [a.name for a in result.agencies]
    assert len(names) == DISTRICTS + 1 and names[-1] == "UBND cấp xã"
    assert any("chưa có thành viên" in p for p in result.problems)


@pytest.mark.parametrize(("cell", "expected"), [
    ("VP UBND tỉnh", "Văn phòng UBND tỉnh"),
    ("Văn phòng Ủy ban nhân dân tỉnh Kiên Giang", "Văn phòng UBND tỉnh"),
    ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
    ("Sở KH & ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("SO TU PHAP", "Sở Tư pháp"),
])
def test_abbreviations_and_spelling_variants(directory: Directory, cell: str,
                                             expected: str) -> None:
    assert direct(directory, cell) == [expected]


def test_province_suffix_does_not_become_an_agency(directory: Directory) -> None:
    result = directory.resolve("Các cơ quan nhà nước trên địa bàn tỉnh Kiên Giang")
    assert all(a.resolved for a in result.agencies)
    assert len(result.agencies) > 30


def test_unknown_name_is_kept_and_flagged(directory: Directory) -> None:
    result = directory.resolve("Phòng Quản lý đô thị và Sở Y tế")
    assert [(a.name, a.resolved) for a in result.agencies] == [
        ("Phòng Quản lý đô thị", False), ("Sở Y tế", True)]
    assert "không nhận ra cơ quan 'Phòng Quản lý đô thị'" in result.problems[0]


def test_every_directory_loads() -> None:
    names = available()
    assert len([n for n in names if n.endswith("-2025")]) >= 34 + 1  # provinces + national
    for name in names:
        assert load_named(name).agencies, name


def test_directory_with_unknown_group_member_is_refused() -> None:
    with pytest.raises(DirectoryError, match="Sở Ma"):
        Directory.from_mapping({"name": "x", "agencies": [{"name": "Sở A"}],
                                "groups": [{"name": "G", "members": ["Sở Ma"]}]})


def test_missing_directory_file_names_the_choices(tmp_path: object) -> None:
    with pytest.raises(DirectoryError, match="có phải: kien-giang-2023"):
        load_named("kien-giang")
    with pytest.raises(DirectoryError, match="dong-nai-2025"):
        load_named("dong-nai")


_WORDS = st.sampled_from(["Sở", "Tư pháp", "và", ",", ";", "các", "UBND", "cấp", "huyện",
                          "xã", "Ban", "Dân tộc", ":", "Thông tin", "Truyền thông", "tỉnh",
                          "liên quan", "ngành", "Cục Thuế", "-", "(", ")", "&"])


@settings(max_examples=300)
@given(st.lists(_WORDS, max_size=14).map(" ".join) | st.text(max_size=60))
def test_no_cell_ever_raises_and_nothing_is_dropped_silently(directory: Directory,
                                                               cell: str) -> None:
    result = directory.resolve(cell)
    for agency in result.agencies:
        known = agency.name in directory.agencies or agency.name in directory.groups
        assert known or not agency.resolved
        if agency.kind == "unresolved":  # warned; an external body is listed, not warned
            assert any(agency.name in problem for problem in result.problems)
        assert agency.kind in {"agency", "unresolved", "external"}
