"""The directory is chosen from the plan: its issuer and its date; overrides are warned about."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.directories import choose
from plan.model import PlanMeta

SAMPLES = Path(__file__).parent / "samples"


def meta(issuer: str | None, day: dt.date | None = dt.date(2026, 2, 1)) -> PlanMeta:
    return PlanMeta("1/KH-UBND", day, "Kế hoạch năm 2026", issuer)


@pytest.mark.parametrize(("issuer", "day", "name", "warned"), [
    ("UBND tỉnh Đồng Nai", dt.date(2026, 2, 1), "dong-nai-2025", False),
    ("UBND thành phố Huế", dt.date(2026, 2, 1), "hue-2025", False),
    ("UBND thành phố Hồ Chí Minh", dt.date(2026, 2, 1), "ho-chi-minh-2025", False),
    ("Sở Nội vụ tỉnh Lâm Đồng", dt.date(2026, 2, 1), "lam-dong-2025", False),
    ("UBND tỉnh Kiên Giang", dt.date(2022, 12, 23), "kien-giang-2023", False),
    ("UBND tỉnh Bình Phước", dt.date(2024, 12, 20), "dong-nai-2025", True),  # merged, older
    ("Bộ Nội vụ", dt.date(2026, 1, 5), "national-2025", False),
    ("Chính phủ", dt.date(2026, 1, 5), "national-2025", False),
    (None, dt.date(2026, 1, 5), "tinh-2025", True),
])
def test_issuer_and_date_pick_the_directory(issuer: str | None, day: dt.date, name: str,
                                            warned: bool) -> None:
    choice = choose(meta(issuer, day))
    assert choice.directory.name == name
    assert (choice.warning is not None) is warned


def test_a_named_directory_wins_and_a_mismatch_is_warned() -> None:
    assert choose(meta("UBND tỉnh Đồng Nai"), "dong-nai-2025").warning is None
    forced = choose(meta("UBND tỉnh Đồng Nai"), "an-giang-2025")
    assert forced.directory.name == "an-giang-2025"
    assert forced.warning and "UBND tỉnh Đồng Nai" in forced.warning and "an-giang-2025" in (
        forced.warning)
    assert choose(meta("UBND tỉnh Kiên Giang", dt.date(2026, 2, 1)), "an-giang-2025").warning \
        is None  # Kiên Giang is part of An Giang now


def test_import_without_directory_uses_the_issuers_and_warns_once_when_forced(
        tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    plan = str(SAMPLES / "web-cells-2026.txt")  # issued by UBND tỉnh Lâm Đồng
    own = runner.invoke(app, ["import", "--dry-run", plan], env=env)
    assert own.exit_code == 0, own.output
    assert "Danh mục cơ quan: lam-dong-2025 (theo cơ quan ban hành: UBND tỉnh Lâm Đồng)" in (
        own.output)
    assert "Cơ quan chưa nhận ra: không có" in own.output
    forced = runner.invoke(app, ["import", "--dry-run", "--directory", "an-giang-2025", plan],
                           env=env)
    assert forced.output.count("đang đọc với danh mục «an-giang-2025»") == 1
