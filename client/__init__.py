"""freechoice.client: a typed Python client of the freechoice HTTP API, over httpx.

::

    from freechoice.client import Client

    with Client("https://freechoice.example", api_key="fc_...") as fc:
        options = fc.create_option_list(assessment)            # an OptionList
        choice = fc.create_choice(options, [option_id], consent={option_id: ["languages"]})
        referral = fc.move_referral(choice.referrals[0].id, "sent")

Bodies are the service's own models (``Assessment``, ``OptionList``, ``Referral``...),
written out for the client in :mod:`.models` (importing the client loads none of the
server; fields an answer has that the client does not know are ignored); every problem
the API answers with is raised as an :class:`ApiError` of the one error hierarchy; lists
are iterators that fetch page after page.
:class:`AsyncClient` has the same operations, awaited. A webhook receiver checks each
delivery with :func:`verify` (it raises :class:`SignatureError`).
"""

from freechoice.catalog.errors import SignatureError
from freechoice.catalog.signing import verify

from .aio import AsyncClient
from .errors import (
    ApiError,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    ProblemDocument,
    RateLimited,
    ServerError,
    TooLarge,
    Unauthorized,
    UnexpectedResponse,
    UnsupportedMediaType,
)
from .models import (
    Assessment,
    ChoiceCreated,
    ChoiceRecord,
    DeliveryRecord,
    Event,
    FeedbackCode,
    FeedbackRecord,
    Kpis,
    NeedOptionsPage,
    OptionList,
    OptionListSummary,
    Organization,
    Referral,
    Service,
    ServiceRecord,
    SubscriptionCreated,
    SubscriptionRecord,
)
from .sync import Client

__all__ = [
    "ApiError",
    "Assessment",
    "AsyncClient",
    "ChoiceCreated",
    "ChoiceRecord",
    "Client",
    "Conflict",
    "DeliveryRecord",
    "Event",
    "FeedbackCode",
    "FeedbackRecord",
    "Forbidden",
    "InvalidRequest",
    "Kpis",
    "NeedOptionsPage",
    "NotFound",
    "OptionList",
    "OptionListSummary",
    "Organization",
    "PreconditionFailed",
    "ProblemDocument",
    "RateLimited",
    "Referral",
    "ServerError",
    "Service",
    "ServiceRecord",
    "SignatureError",
    "SubscriptionCreated",
    "SubscriptionRecord",
    "TooLarge",
    "Unauthorized",
    "UnexpectedResponse",
    "UnsupportedMediaType",
    "verify",
]
