"""A plan's identity from its header, as web copies and PDFs wrap it, and never overwritten
by a re-import without saying so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from config.directories import load_named
from plan.model import PlanMeta
from plan.parse import parse_plan
from plan.readers import read_rows

TABLE = ("STT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn\n"
         "I\tThể chế\t\t\t\t\n1\tRà soát quy chế\tQuyết định\tSở Tư pháp\t\tQuý II\n")
TITLE = ("THỰC HIỆN CHƯƠNG TRÌNH CẢI CÁCH HÀNH CHÍNH TỈNH AN GIANG GIAI ĐOẠN 2026 - 2030, ĐỊNH "
         "HƯỚNG ĐẾN NĂM 2035")
WRAPPED = """ỦY BAN NHÂN DÂN
TỈNH AN GIANG
Số:
58/KH-UBND
An Giang, ngày
25 tháng 12 năm 2025
KẾ HOẠCH
""" + TITLE + """
Căn cứ Nghị quyết số 12/NQ-HĐND ngày 10 tháng 12 năm 2025 của Hội đồng nhân dân tỉnh;
""" + TABLE


def read(text: str) -> PlanMeta:
    return parse_plan(read_rows("p.txt", text.encode()), load_named("an-giang-2025")).meta


def test_a_wrapped_header_gives_the_plans_own_number_date_title_and_year() -> None:
    meta = read(WRAPPED)
    assert meta.code == "58/KH-UBND"  # "Số:" and the number on two lines
    assert meta.issued_on == dt.date(2025, 12, 25)  # not the resolution cited in "Căn cứ"
    assert meta.title == ("KẾ HOẠCH THỰC HIỆN CHƯƠNG TRÌNH CẢI CÁCH HÀNH CHÍNH TỈNH AN GIANG "
                          "GIAI ĐOẠN 2026 - 2030, ĐỊNH HƯỚNG ĐẾN NĂM 2035")  # never "tHỰC"
    assert meta.year == 2026  # the period's first year, never the horizon 2035


def test_the_year_a_title_names_and_a_horizon_that_is_not_one() -> None:
    assert PlanMeta("1/KH", dt.date(2025, 12, 20), "Kế hoạch CCHC năm 2026").year == 2026
    assert PlanMeta("1/KH", dt.date(2026, 1, 5), "Kế hoạch chuyển đổi số đến năm 2030").year \
        == 2026
    assert PlanMeta("1/KH", dt.date(2026, 1, 5), "Kế hoạch, tầm nhìn 2045").year == 2026


def nhacviec(db_url: str, *args: str) -> str:
    done = CliRunner().invoke(app, list(args), env={"NHACVIEC_DATABASE_URL": db_url,
                                                   "NHACVIEC_TODAY": "2026-02-01"})
    return f"{done.exit_code}|{done.output}"


def test_a_reimport_that_would_change_the_date_or_title_says_so_and_asks(
        db_url: str, tmp_path: Path) -> None:
    first = tmp_path / "ke-hoach.txt"
    first.write_text(WRAPPED, encoding="utf-8")
    assert nhacviec(db_url, "db", "upgrade").startswith("0|")
    assert nhacviec(db_url, "import", str(first)).startswith("0|")
    other = tmp_path / "ban-khac.txt"  # the same plan typed again elsewhere: another date
    other.write_text(WRAPPED.replace("25 tháng 12", "26 tháng 12"), encoding="utf-8")
    refused = nhacviec(db_url, "import", str(other))
    assert refused.startswith("2|")
    assert "ngày ban hành: «25/12/2025» → «26/12/2025»" in refused and "--update-meta" in refused
    # nothing was written: the first file still matches what is stored
    assert nhacviec(db_url, "import", str(first)).startswith("0|")
    assert nhacviec(db_url, "import", str(other), "--update-meta").startswith("0|")
    # a copy without the title line changes nothing it does not carry
    bare = tmp_path / "khong-tieu-de.txt"
    bare.write_text(WRAPPED.replace("KẾ HOẠCH\n" + TITLE + "\n", ""), encoding="utf-8")
    again = nhacviec(db_url, "import", str(bare))
    assert "tên kế hoạch" not in again and "ngày ban hành: «26/12/2025» → «25/12/2025»" in again
