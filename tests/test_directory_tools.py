"""`nhacviec directory list|init|check|suggest`, as the IT officer and the coordinator use them."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
PLAN = """ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI
Số: 33/KH-UBND
Đồng Nai, ngày 09 tháng 01 năm 2026
KẾ HOẠCH
Cải cách hành chính năm 2026
STT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn
1\tViệc A\tTrung tâm Dữ liệu số tỉnh\tSở Tư pháo\tQuý I/2026
2\tViệc B\tSở Nông nghiệp và Môi trường\t\tQuý II/2026
"""


def invoke(tmp_path: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin,
                         env={"NHACVIEC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_list_names_every_province_and_the_national_directory(tmp_path: Path) -> None:
    listed = invoke(tmp_path, "directory", "list").output.split()
    assert {"dong-nai-2025", "ho-chi-minh-2025", "national-2025", "kien-giang-2023"} <= set(
        listed)
    assert len([n for n in listed if n.endswith("-2025")]) == 34 + 2  # + national, tinh


def test_init_writes_an_editable_file_and_never_overwrites_it(tmp_path: Path) -> None:
    target = tmp_path / "dn.yaml"
    made = invoke(tmp_path, "directory", "init", "--province", "Dong Nai", "-o", str(target))
    assert made.exit_code == 0, made.output
    assert "95 xã, phường, đặc khu" in made.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Danh mục cơ quan tỉnh Đồng Nai từ 01/7/2025; sáp nhập từ Bình Phước")
    assert "vietnam-provinces" in text.splitlines()[1]
    data = yaml.safe_load(text)
    assert "UBND phường Biên Hòa" in {a["name"] for a in data["agencies"]}
    again = invoke(tmp_path, "directory", "init", "--province", "Đồng Nai", "-o", str(target))
    assert again.exit_code == 2 and "đã có" in again.output
    wrong = invoke(tmp_path, "directory", "init", "--province", "Dong Nay")
    assert wrong.exit_code == 2 and "có phải: Đồng Nai" in wrong.output
    assert invoke(tmp_path, "directory", "check", str(target)).exit_code == 0


def test_check_names_the_line_of_each_problem(tmp_path: Path) -> None:
    target = tmp_path / "dn.yaml"
    invoke(tmp_path, "directory", "init", "--province", "Đồng Nai", "-o", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    member = next(i for i, line in enumerate(lines) if line.strip() == "- Sở Tư pháp")
    lines[member] = lines[member].replace("Sở Tư pháp", "Sở Tư pháo")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = invoke(tmp_path, "directory", "check", str(target))
    assert checked.exit_code == 1
    assert f"dòng {member + 1}: nhóm" in checked.output and "Sở Tư pháo" in checked.output
    target.write_text("agencies:\n  - name: [unclosed\n", encoding="utf-8")
    broken = invoke(tmp_path, "directory", "check", str(target))
    assert broken.exit_code == 1 and "YAML sai cú pháp" in broken.output and "dòng" in (
        broken.output)


def test_suggest_offers_the_nearest_name_and_writes_confirmed_aliases(tmp_path: Path) -> None:
    target = tmp_path / "dn.yaml"
    invoke(tmp_path, "directory", "init", "--province", "Đồng Nai", "-o", str(target))
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    listed = invoke(tmp_path, "directory", "suggest", str(plan))
    assert "«Sở Tư pháo» → có phải «Sở Tư pháp»?" in listed.output
    assert "«Trung tâm Dữ liệu số tỉnh»" in listed.output
    written = invoke(tmp_path, "directory", "suggest", str(plan), "--write", str(target),
                     stdin="y\nn\n")
    assert written.exit_code == 0, written.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    entry = next(a for a in data["agencies"] if a["name"] == "Sở Tư pháp")
    assert "Sở Tư pháo" in entry["aliases"]
    assert target.read_text(encoding="utf-8").startswith("# Danh mục cơ quan")  # header kept
    dry = invoke(tmp_path, "import", "--dry-run", "--directory", str(target), str(plan))
    assert "Trung tâm Dữ liệu số tỉnh" in dry.output.split("Cơ quan chưa nhận ra:")[1]
    assert "Sở Tư pháo" not in dry.output.split("Cơ quan chưa nhận ra:")[1].split("\n")[0]
