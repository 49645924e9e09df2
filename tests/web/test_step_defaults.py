"""What a step's form proposes before anyone types: the day it happened defaults to the day the
pages judge on, so in the demo shown as at 30 June 2020 (ADR 0050) a step is not proposed for
a date years after the story it continues."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import log_in_page


def test_the_step_date_defaults_to_the_demo_viewing_day(demo_client: TestClient) -> None:
    assert log_in_page(demo_client, "supervisor", "supervisor-kaltara-2016").status_code == 200
    form = demo_client.get("/cases/TRK-JP-0004/steps/correct_beneficiary_date")
    assert form.status_code == 200
    occurred_on = re.search(r'<input[^>]*name="occurred_on"[^>]*>', form.text)
    assert occurred_on is not None
    assert 'value="2020-06-30"' in occurred_on.group(0)
