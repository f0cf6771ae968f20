"""`nhacviec directory list|init|check|suggest`: the tools that keep a directory right.

`init` writes a province's directory out as an editable YAML file; `check` validates a file
with line-numbered errors; `suggest` lists a plan's unresolved names with the nearest
directory names (rapidfuzz) and, once confirmed, writes them into the file as aliases.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli import help_vi
from cli.common import fail, settings

if TYPE_CHECKING:  # loaded by the commands that use them: `--help` stays quick
    from config import provinces
    from plan.agencies import Directory

directory_app = help_vi.typer_app(
    help="Danh mục cơ quan: liệt kê, tạo, kiểm tra, gợi ý tên gọi khác.",
    no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(directory_app, name="directory")


@directory_app.command("list")
def directory_list() -> None:
    """Liệt kê các danh mục có sẵn (34 tỉnh, thành phố từ 01/7/2025, danh mục cũ, bộ ngành)."""
    from config.directories import available

    for name in available():
        typer.echo(name)


@directory_app.command("init")
def directory_init(
    province: Annotated[str, typer.Option("--province", help="Tên tỉnh, ví dụ \"Đồng Nai\"")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp YAML sẽ ghi")] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
) -> None:
    """Tạo tệp danh mục cơ quan của một tỉnh (các cơ quan cấp tỉnh + xã, phường, đặc khu)."""
    from config import provinces
    from config.directories import closest

    found = provinces.find_province(province)
    if found is None:
        close = closest(province, [p.name for p in provinces.provinces()])
        fail(f"không có tỉnh «{province}» trong 34 tỉnh, thành phố từ 01/7/2025"
             + (f"; có phải: {', '.join(close)}?" if close else ""))
    target = output or Path(f"{found[0].directory_name}.yaml")
    if target.exists() and not force:
        fail(f"tệp «{target}» đã có; thêm --force để ghi đè hoặc chọn tệp khác bằng -o")
    data = provinces.directory_data(found[0])
    try:
        target.write_text(_header(found[0]) + _dump(data), encoding="utf-8")
    except OSError as exc:
        fail(f"không ghi được «{target}»: {exc.strerror}")
    communes = sum(1 for a in data["agencies"] if a["kind"] == "commune")
    typer.echo(f"Đã ghi {target}: {len(data['agencies']) - communes} cơ quan cấp tỉnh, "
               f"{communes} xã, phường, đặc khu. Sửa tệp rồi chạy: nhacviec directory check "
               f"{target}")


def _header(province: provinces.Province) -> str:
    import vietnam_provinces

    merged = f"; sáp nhập từ {', '.join(province.merged)}" if province.merged else ""
    return (f"# Danh mục cơ quan {province.title} từ 01/7/2025{merged}.\n"
            f"# Nguồn: mẫu config/agencies/template-2025.yaml (Nghị định 150/2025/NĐ-CP, Nghị "
            f"quyết 202/2025/QH15) và gói vietnam-provinces {vietnam_provinces.__version__} "
            f"(dữ liệu {vietnam_provinces.__data_version__}) cho xã, phường, đặc khu.\n"
            f"# Tạo ngày {dt.date.today():%d/%m/%Y} bằng `nhacviec directory init`. Kiểm tra lại "
            "theo quyết định tổ chức bộ máy của tỉnh trước khi dùng.\n")


def _dump(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@directory_app.command("check")
def directory_check(file: Annotated[Path, typer.Argument(help="Tệp danh mục .yaml")]) -> None:
    """Kiểm tra một tệp danh mục; lỗi kèm số dòng."""
    from config.directories import load_named

    problems = check_file(file)
    if problems:
        for problem in problems:
            typer.echo(problem)
        raise typer.Exit(1)
    directory = load_named(str(file))
    typer.echo(f"Danh mục hợp lệ: {len(directory.agencies)} cơ quan, "
               f"{len(directory.groups)} nhóm.")


def check_file(path: Path) -> list[str]:
    """Every problem of a directory file, each as `dòng N: …`."""
    import yaml

    from plan.agencies import Directory, DirectoryError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"không đọc được «{path}»: {exc}")
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        from cli.faults import yaml_problem

        return [f"dòng {line}: YAML sai cú pháp: {yaml_problem(exc.problem)}"]
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        return ["dòng 1: tệp phải là một bảng YAML có mục «agencies» (danh sách cơ quan)"]
    lines = text.splitlines()
    problems: list[str] = []
    seen: dict[str, str] = {}
    for entry in data["agencies"]:
        if not isinstance(entry, dict) or not entry.get("name"):
            problems.append(f"dòng {_line_of(lines, str(entry))}: cơ quan thiếu «name»")
            continue
        for alias in (entry["name"], *(entry.get("aliases") or ())):
            key = " ".join(str(alias).lower().split())
            if key in seen and seen[key] != entry["name"]:
                problems.append(f"dòng {_line_of(lines, str(alias))}: tên «{alias}» dùng cho "
                                f"cả «{seen[key]}» và «{entry['name']}»")
            seen.setdefault(key, entry["name"])
    try:
        Directory.from_mapping(data)
    except DirectoryError as exc:
        quoted = re.findall(r"'([^']+)'", str(exc))
        problems.append(f"dòng {_line_of(lines, quoted[-1] if quoted else '')}: {exc}")
    return problems


def _line_of(lines: list[str], text: str) -> int:
    return next((n for n, line in enumerate(lines, 1) if text and text in line), 1)


@directory_app.command("suggest")
def directory_suggest(
    plan: Annotated[Path, typer.Argument(help="Tệp kế hoạch")],
    directory_name: Annotated[str | None, typer.Option(
        "--directory", help="Danh mục (tên có sẵn hoặc tệp .yaml)")] = None,
    write: Annotated[Path | None, typer.Option(
        "--write", help="Tệp danh mục .yaml để ghi các tên gọi khác đã xác nhận")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Nhận mọi gợi ý, không hỏi")] = False,
) -> None:
    """Liệt kê tên cơ quan chưa nhận ra trong kế hoạch và tên gần nhất trong danh mục."""
    from cli.importing import read_plan
    from plan.agencies import DirectoryError
    from plan.rows import PlanFormatError

    s = settings()
    try:
        draft, choice = read_plan(plan, str(write) if write else directory_name
                                  or s.agency_directory)
    except (PlanFormatError, DirectoryError) as exc:
        fail(f"{plan}: {exc}")
    names = sorted({a.name for t in draft.tasks for a in (*t.lead, *t.coordinating)
                    if a.kind == "unresolved"})
    if not names:
        typer.echo(f"Mọi cơ quan trong kế hoạch đều có trong danh mục {choice.directory.name}.")
        return
    accepted: list[tuple[str, str]] = []
    for name in names:
        match = suggest(choice.directory, name)
        if match is None:
            typer.echo(f"«{name}»: không có tên nào gần giống trong danh mục")
            continue
        typer.echo(f"«{name}» → có phải «{match}»?")
        if write and (yes or typer.confirm("  Ghi thành tên gọi khác?", default=False)):
            accepted.append((match, name))
    if write and accepted:
        add_aliases(write, accepted)
        typer.echo(f"Đã ghi {len(accepted)} tên gọi khác vào {write}.")


def suggest(directory: Directory, name: str) -> str | None:
    """The directory's canonical name nearest to `name`, if any is near enough."""
    from plan.names import match_name

    match = match_name(name, [(a.name, a.aliases) for a in directory.agencies.values()])
    return match.found or (match.candidates[0] if match.candidates else None)


def add_aliases(path: Path, pairs: list[tuple[str, str]]) -> None:
    """Add `alias` to agency `name` in a directory file, keeping its leading comments."""
    import yaml

    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    leading = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    header = "".join(line + "\n" for line in lines[:leading])
    data = yaml.safe_load(text)
    for name, alias in pairs:
        entry = next(a for a in data["agencies"] if a["name"] == name)
        entry["aliases"] = [*(entry.get("aliases") or []), alias]
    path.write_text(header + _dump(data), encoding="utf-8")
