"""The async client runs the same operations, here on the app in-process (httpx's ASGI
transport) over the same database as the live server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X

from freechoice.api import create_app
from freechoice.client import AsyncClient, Conflict


def test_the_async_client_in_process(live):
    app = create_app(live.settings)

    async def flow() -> None:
        transport = httpx.ASGITransport(app=app)
        async with AsyncClient("http://freechoice.test", live.keys["cw_a"], transport=transport) as cw:
            options = await cw.create_option_list({**ASSESSMENT, "client_ref": "c-client-async"})
            assert await cw.get_option_list(options.id) == options
            comp = next(n for n in options.needs if n.need == "compensation")
            option = next(o for o in comp.options if o.provider_id == PARTNER_X)
            choice = await cw.create_choice(options, [option.option_id])
            ref_id = choice.referrals[0].id
            assert (await cw.move_referral(ref_id, "sent")).status == "sent"
            with pytest.raises(Conflict) as caught:
                await cw.move_referral(ref_id, "sent")
            assert caught.value.allowed == ["closed"]
            ids = [r.id async for r in cw.iter_referrals(limit=1)]
            assert ref_id in ids and len(ids) == len(set(ids))
            events = [e async for e in cw.iter_events(limit=3)]
            assert [e.to for e in events if e.referral_id == ref_id] == ["draft", "sent"]

    try:
        asyncio.run(flow())
    finally:
        app.state.freechoice.close()
