"""The invite sheet's QR codes: our packed PNG is the picture segno draws, pixel for pixel."""

from __future__ import annotations

import io

import segno
from PIL import Image

from reports.invite_sheet import qr_png


def test_the_qr_png_is_the_picture_segno_draws() -> None:
    link = "https://t.me/nhacviec_bot?start=k7m2q9xzpa4w8cd"
    ours = Image.open(io.BytesIO(qr_png(link))).convert("L")
    theirs = io.BytesIO()
    segno.make(link, error="m", micro=False, mask=2, boost_error=False).save(
        theirs, kind="png", scale=4, border=2)
    reference = Image.open(theirs).convert("L")
    assert ours.size == reference.size == (148, 148)
    assert ours.tobytes() == reference.tobytes()
    assert 0 in ours.tobytes() and 255 in ours.tobytes()  # black modules on white


def test_many_codes_drawn_over_every_core_are_the_same_pictures_in_order() -> None:
    from reports.invite_sheet import PARALLEL_FROM, qr_pngs

    links = [f"https://t.me/nhacviec_bot?start=code{n:05d}" if n % 7 else ""
             for n in range(PARALLEL_FROM + 100)]
    drawn = qr_pngs(links)
    assert len(drawn) == len(links)
    for n in (1, 2, 13, len(links) - 1):
        assert drawn[n] == (qr_png(links[n]) if links[n] else b"")
    assert drawn[0] == b"" and drawn[7] == b""
