"""The screenshots' table (`make screenshots`): well formed, and the committed PNGs are its own.

The browser run itself is `make screenshots`; here only what can rot without one is checked.
"""

from __future__ import annotations

import io

from PIL import Image

from tools.screenshots import OUT, PHONE, SHOTS, WIDE, small_png


def test_every_shot_has_its_own_file_a_local_path_and_a_known_width() -> None:
    files = [shot.file for shot in SHOTS]
    assert len(files) == len(set(files))
    assert all(f.endswith(".png") and f == f.lower() for f in files)
    assert all(shot.path.startswith("/") for shot in SHOTS)
    assert {shot.width for shot in SHOTS} == {WIDE, PHONE}


def test_committed_screenshots_come_from_the_table() -> None:
    committed = {path.name for path in OUT.glob("*.png")}
    assert committed, "make screenshots has not been run"
    assert committed <= {shot.file for shot in SHOTS}


def test_small_png_keeps_the_size_and_reduces_the_colours() -> None:
    image = Image.linear_gradient("L").convert("RGB").resize((300, 200))
    raw = io.BytesIO()
    image.save(raw, format="PNG")

    small = Image.open(io.BytesIO(small_png(raw.getvalue())))

    assert small.size == (300, 200)
    assert small.mode == "P"
