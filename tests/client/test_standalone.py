"""The client stands alone and keeps working against a newer service: importing it loads
none of the server (its models are written from the service's by
tools/client_models.py, checked here to be in step), and an answer with fields the
client does not know parses. The service's own request checks stay strict."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X
from client_support import Recording

from freechoice.api.pagination import MAX_LIMIT
from freechoice.api.problems import MEDIA
from freechoice.catalog import ValidationFailed
from freechoice.client import InvalidRequest, OptionList, models
from freechoice.engine import OptionList as EngineOptionList

ROOT = Path(__file__).resolve().parents[2]
SERVER = ["fastapi", "starlette", "sqlalchemy", "alembic", "durable", "durable_rules", "uvicorn", "jinja2"]


def test_importing_the_client_imports_no_server_package():
    probe = "import json, sys\nimport freechoice.client\nprint(json.dumps(sorted(sys.modules)))\n"
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    )
    tops = {name.split(".")[0] for name in loaded}
    assert tops.isdisjoint(SERVER), sorted(tops & set(SERVER))
    assert not [n for n in loaded if n.startswith(("freechoice.api", "freechoice.engine", "freechoice.catalog.db"))]
    assert "freechoice.client" in loaded and "httpx" in loaded


def test_the_models_are_written_from_the_services():
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "client_models.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert (models.MAX_LIMIT, models.MEDIA) == (MAX_LIMIT, MEDIA)
    # the same fields, by the same names, as the service's own
    assert list(OptionList.model_fields) == list(EngineOptionList.model_fields)


def _grown(value: Any, model: bool = True) -> Any:
    """``value`` with a field added to each object in it that is surely a model (the
    answer itself and the objects in the lists of those; below any other object,
    nothing: a map's keys are data), as a newer service might send."""
    if isinstance(value, dict):
        inner = {k: (_grown(v) if model and isinstance(v, list) else v) for k, v in value.items()}
        return {**inner, "added_later": {"nested": [1, "two"]}} if model else inner
    if isinstance(value, list):
        return [_grown(v, model) for v in value]
    return value


class Newer(Recording):
    """Real HTTP to the real app; every JSON answer grows fields the client does not know."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if "json" not in response.headers.get("content-type", "") or response.status_code >= 300:
            return response
        body = json.dumps(_grown(json.loads(response.read()))).encode()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length",)]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)


def test_answers_with_unknown_fields_parse(live):
    transport = Newer()
    with live.client("cw_a", transport=transport) as newer, live.client("cw_a") as plain:
        options = newer.create_option_list({**copy.deepcopy(ASSESSMENT), "client_ref": "c-client-newer"})
        assert plain.get_option_list(options.id) == options  # nothing lost, nothing added
        comp = next(n for n in options.needs if n.need == "compensation")
        option = next(o for o in comp.options if o.provider_id == PARTNER_X)
        choice = newer.create_choice(options, [option.option_id])
        referral = newer.move_referral(choice.referrals[0].id, "sent")
        assert referral.status == "sent" and newer.get_referral(referral.id) == plain.get_referral(referral.id)
        assert [r.id for r in newer.iter_referrals(limit=2)][:3] == [r.id for r in plain.iter_referrals(limit=2)][:3]
        events = [e for e in newer.iter_events() if e.referral_id == referral.id]
        assert [(e.from_, e.to) for e in events] == [(None, "draft"), ("draft", "sent")]
        assert newer.get_kpis().organization_id == "org-cw-a"
        service = next(newer.iter_services(limit=5))
        assert service == plain.get_service(service.id)
        assert "added_later" not in options.model_dump() and not hasattr(options, "added_later")
    grown = [s for m, p, h, s in transport.seen]
    assert grown and all(s < 400 for s in grown)


def test_the_service_still_refuses_unknown_fields_in_a_request(live):
    with live.client("cw_a") as cw, pytest.raises(InvalidRequest) as caught:
        cw.create_option_list({**copy.deepcopy(ASSESSMENT), "client_ref": "c-client-typo", "priorty": 3})
    assert [p.field for p in caught.value.problems] == ["priorty"]


def test_a_bad_request_is_refused_before_sending(live):
    transport = Recording()
    with live.client("cw_a", transport=transport) as cw, pytest.raises(ValidationFailed) as caught:
        cw.create_option_list({**copy.deepcopy(ASSESSMENT), "client_ref": "no spaces allowed"})
    assert [p.field for p in caught.value.problems] == ["client_ref"] and transport.seen == []
