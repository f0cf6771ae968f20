"""Legacy and OpenDocument files → .docx/.xlsx through LibreOffice headless.

Each call gets its own profile directory (parallel conversions never share a lock) and a
timeout; the converted file lives only inside a temporary directory that is removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from plan.rows import PlanFormatError

TIMEOUT_S = 120.0
_FILTERS = {".docx": "docx:MS Word 2007 XML", ".xlsx": "xlsx:Calc MS Excel 2007 XML"}
_PACKAGES = {".docx": "libreoffice-writer-nogui", ".xlsx": "libreoffice-calc-nogui"}


def soffice() -> str | None:
    """The LibreOffice binary on the PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str, timeout: float = TIMEOUT_S) -> bytes:
    """The bytes of `data` (a `suffix` file) saved as `target`; PlanFormatError otherwise."""
    office = soffice()
    if office is None:
        package = _PACKAGES[target]
        raise PlanFormatError(f"tệp {suffix} cần LibreOffice để chuyển sang {target}: hãy cài "
                              f"gói Debian {package} (apt-get install {package}), hoặc mở tệp "
                              f"và lưu thành {target} rồi nhập lại")
    with tempfile.TemporaryDirectory(prefix="nhacviec-office-") as work:
        folder = Path(work)
        source = folder / f"plan{suffix}"
        source.write_bytes(data)
        command = [office, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nolockcheck", "--convert-to",
                   _FILTERS[target], "--outdir", str(folder / "out"), str(source)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "LANG": "C.UTF-8"}
        # its own process group: soffice starts soffice.bin, and a timeout must stop both
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise PlanFormatError(f"LibreOffice chuyển tệp {suffix} quá {timeout:.0f} giây; hãy "
                                  f"lưu tệp thành {target} rồi nhập lại") from exc
        converted = folder / "out" / f"plan{target}"
        if not converted.is_file():
            raise PlanFormatError(f"LibreOffice không chuyển được tệp {suffix} (tệp hỏng hoặc "
                                  f"không phải {suffix}); hãy lưu thành {target} rồi nhập lại")
        return converted.read_bytes()
