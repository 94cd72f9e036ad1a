"""What the sync and async clients share: each operation as a :class:`Call` (the
request, and how to read its answer), pagination and the errors.
Nothing here does I/O; :mod:`.sync` and :mod:`.aio` only send the calls."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from freechoice.catalog.errors import Problem, ValidationFailed
from freechoice.catalog.loader import problems_from_pydantic

from .cache import ETagCache
from .errors import ProblemDocument, UnexpectedResponse, error_for, retry_after_seconds
from .models import (
    MAX_LIMIT,
    Assessment,
    ChoiceCreated,
    ChoiceRecord,
    DeliveryRecord,
    Event,
    FeedbackCode,
    FeedbackRecord,
    Kpis,
    NeedOptionsPage,
    Option,
    OptionList,
    OptionListSummary,
    Organization,
    Referral,
    Service,
    ServiceRecord,
    SubscriptionCreated,
    SubscriptionRecord,
)

__all__ = ["RETRY_STATUSES", "Call", "Calls", "Page", "RetryPolicy", "finish", "headers_for", "retry_after_seconds"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
Parse = Callable[[httpx.Response, "Call[Any]"], T]

USER_AGENT = "freechoice-client/0.1.0"


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer. ``safe``: sending it twice has the
    effect of sending it once (a read, or a POST with an Idempotency-Key)."""

    method: str
    url: str
    parse: Parse[T]
    params: Mapping[str, Any] | None = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    safe: bool = True


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items of one page, and the call for the next page (None after the last)."""

    items: list[T]
    next: Call[Page[T]] | None


def headers_for(api_key: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/problem+json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """When a request is sent again, and after how long.

    Sent again at most ``retries`` times: after a transport failure (always when the
    request never reached the server, otherwise only when repeating it is safe), and
    after a 429 or 503 answer when repeating it is safe (a read, a PUT or PATCH with
    ``If-Match``, a POST with an ``Idempotency-Key``; never a plain POST). The wait is
    the answer's ``Retry-After`` (seconds or an HTTP date) when it gives one, otherwise
    ``backoff`` seconds doubled on each attempt; a wait over ``max_wait`` seconds is not
    waited for: the error is raised at once."""

    retries: int = 2
    max_wait: float = 30.0
    backoff: float = 0.5

    def _backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * 2.0**attempt)

    def after_error(self, call: Call[Any], error: httpx.TransportError, attempt: int) -> float | None:
        """Seconds to wait before sending ``call`` again after ``error`` on its
        ``attempt``-th resend (0: the first try), or None to raise it."""
        if attempt >= self.retries:
            return None
        if not (isinstance(error, httpx.ConnectError | httpx.ConnectTimeout) or call.safe):
            return None
        return self._backoff(attempt)

    def after_response(self, call: Call[Any], response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before sending ``call`` again after ``response``, or None to
        take the response as it is."""
        if response.status_code not in RETRY_STATUSES or not call.safe or attempt >= self.retries:
            return None
        wait = retry_after_seconds(response.headers.get("retry-after"))
        if wait is None:
            return self._backoff(attempt)
        return wait if wait <= self.max_wait else None


def finish(call: Call[T], response: httpx.Response) -> T:
    """The call's typed result, or the problem raised as an :class:`ApiError`."""
    if response.status_code >= 400:
        raise error_for(response)
    try:
        return call.parse(response, call)
    except (ValueError, ValidationError) as err:  # ValueError: not JSON at all
        raise UnexpectedResponse(
            _unexpected(response, f"the answer to {call.method} {call.url} is not what the API describes: {err}"),
            response.headers,
        ) from err


def _unexpected(response: httpx.Response, detail: str) -> ProblemDocument:
    return ProblemDocument(title="Unexpected response", status=response.status_code, detail=detail[:2000])


def _json(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        return value.model_dump_json(by_alias=True).encode()
    return TypeAdapter(Any).dump_json(value)


def _model(cls: type[M]) -> Parse[M]:
    def parse(response: httpx.Response, _: Call[Any]) -> M:
        return cls.model_validate_json(response.content)

    return parse


def _nothing(response: httpx.Response, _: Call[Any]) -> None:
    return None


def _checked(cls: type[M], value: M | Mapping[str, Any], what: str) -> M:
    """``value`` as a ``cls``: checked here, before anything is sent (shapes and limits;
    the service checks the rest)."""
    if isinstance(value, cls):
        return value
    try:
        if isinstance(value, BaseModel):  # e.g. the engine's own Assessment, where the service is installed
            return cls.model_validate(value.model_dump(mode="json", by_alias=True))
        return cls.model_validate(value)
    except ValidationError as err:
        raise ValidationFailed(problems_from_pydantic(err), what) from None


def _body(cls: type[M], value: M | Mapping[str, Any], what: str) -> bytes:
    """The JSON body for ``value``, checked as a ``cls`` first. A mapping is sent as
    given: a field the client does not know reaches the service, which names it in a
    422, rather than being dropped here."""
    checked = _checked(cls, value, what)
    if isinstance(value, Mapping):
        return _json(dict(value))
    return _json(value if isinstance(value, BaseModel) else checked)


class _Envelope(BaseModel, Generic[M]):
    """The API's list envelope: ``{"items": [...], "next": <URL or null>}``."""

    model_config = ConfigDict(extra="ignore")
    items: list[M]
    next: str | None = None


def _same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def _paged(item: type[M]) -> Parse[Page[M]]:
    """Read a page of a list: the API's envelope ``{"items": [...], "next": <URL of the
    following page, or null>}``, parsed with the client's own envelope. An empty page
    also ends the iteration (the event feed's ``next`` never ends: empty means caught up)."""
    envelope = _Envelope[item]  # type: ignore[valid-type]

    def parse(response: httpx.Response, call: Call[Any]) -> Page[M]:
        page = envelope.model_validate_json(response.content)
        return Page(list(page.items), _following(response, call, page.next if page.items else None))

    return parse


def _whole_pages(model: type[M]) -> Parse[Page[M]]:
    """Read a page of a list as a whole (``model``: the envelope with the page's own
    fields beside ``items``), as the one item of a :class:`Page` whose ``next`` is the
    following page's call."""

    def parse(response: httpx.Response, call: Call[Any]) -> Page[M]:
        page = model.model_validate_json(response.content)
        after = getattr(page, "next", None) if getattr(page, "items", None) else None
        return Page([page], _following(response, call, after))

    return parse


def _following(response: httpx.Response, call: Call[Page[T]], next_url: str | None) -> Call[Page[T]] | None:
    """The call for the page at ``next_url`` (None: the last page), on the same origin only."""
    if not next_url:
        return None
    url = response.url.join(next_url)
    if not _same_origin(url, response.url):  # never send the key elsewhere
        raise ValueError(f"the next page is on another origin: {url}")
    return replace(call, url=str(url), params=None)


def _bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationFailed([_problem(name, f"must be from {low} to {high}", value)], "argument")
    return value


def _problem(name: str, message: str, value: Any) -> Problem:
    return Problem(name, message, None, value)


def _query(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, dt.datetime):
            out[name] = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
        elif isinstance(value, dt.date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def _etag(value: str | int) -> str:
    """An ETag as sent in If-Match: a version number is quoted, a tag is kept."""
    return f'"{value}"' if isinstance(value, int) else value


class Calls:
    """Builds the calls of every operation (one place for both clients)."""

    def __init__(self, cache: ETagCache) -> None:
        self.cache = cache

    @staticmethod
    def _create(
        url: str, body: bytes, parse: Parse[T], key: str | None, params: Mapping[str, Any] | None = None
    ) -> Call[T]:
        # every creating POST carries a key (the caller's, or a fresh one): a retry after
        # a lost answer returns the first result and creates nothing twice
        headers = {"Idempotency-Key": key or uuid.uuid4().hex, "Content-Type": "application/json"}
        return Call("POST", url, parse, params=params, content=body, headers=headers)

    # -- option lists and choices -------------------------------------------------

    def create_option_list(
        self,
        assessment: Assessment | Mapping[str, Any],
        *,
        all_needs: bool,
        show_all: bool,
        idempotency_key: str | None,
    ) -> Call[OptionList]:
        body = _body(Assessment, assessment, "assessment")
        params = _query(all_needs=all_needs or None, show_all=show_all or None)
        return self._create("/option-lists", body, _model(OptionList), idempotency_key, params or None)

    def get_option_list(self, list_id: str) -> Call[OptionList]:
        url = f"/option-lists/{_segment(list_id)}"
        headers, parse = self.cache.conditional(url, OptionList)
        return Call("GET", url, parse, headers=headers)

    def iter_option_lists(self, client_ref: str | None, limit: int) -> Call[Page[OptionListSummary]]:
        params = _query(client_ref=client_ref, limit=_bounded("limit", limit, 1, MAX_LIMIT))
        return Call("GET", "/option-lists", _paged(OptionListSummary), params=params)

    def iter_need_options(self, list_id: str, need: str, cursor: str | None, limit: int) -> Call[Page[Option]]:
        url = f"/option-lists/{_segment(list_id)}/needs/{_segment(need)}/options"
        params = _query(cursor=cursor, limit=_bounded("limit", limit, 1, 100))
        return Call("GET", url, _paged(Option), params=params)

    def iter_need_option_pages(
        self, list_id: str, need: str, cursor: str | None, limit: int
    ) -> Call[Page[NeedOptionsPage]]:
        url = f"/option-lists/{_segment(list_id)}/needs/{_segment(need)}/options"
        params = _query(cursor=cursor, limit=_bounded("limit", limit, 1, 100))
        return Call("GET", url, _whole_pages(NeedOptionsPage), params=params)

    def create_choice(
        self,
        option_list: OptionList | str,
        option_ids: Sequence[str],
        *,
        decision: Literal["chosen", "none_of_these", "decide_later"] | None,
        consent: Mapping[str, Sequence[str]] | None,
        note: str | None,
        spending_plan: Sequence[Mapping[str, Any]] | None,
        idempotency_key: str | None,
    ) -> Call[ChoiceCreated]:
        list_id = option_list.id if isinstance(option_list, OptionList) else option_list
        body: dict[str, Any] = {"option_ids": list(option_ids)}
        if decision is not None:
            body["decision"] = decision
        if consent:
            body["consent"] = {k: list(v) for k, v in consent.items()}
        if note is not None:
            body["note"] = note
        if spending_plan:
            body["spending_plan"] = [dict(line) for line in spending_plan]
        url = f"/option-lists/{_segment(list_id)}/choices"
        return self._create(url, _json(body), _model(ChoiceCreated), idempotency_key)

    def get_choice(self, choice_id: str) -> Call[ChoiceRecord]:
        return Call("GET", f"/choices/{_segment(choice_id)}", _model(ChoiceRecord))

    # -- referrals -----------------------------------------------------------------

    def get_referral(self, ref_id: str) -> Call[Referral]:
        return Call("GET", f"/referrals/{_segment(ref_id)}", _model(Referral))

    def iter_referrals(
        self, status: str | None, modified_since: dt.datetime | None, limit: int
    ) -> Call[Page[Referral]]:
        params = _query(status=status, modified_since=modified_since, limit=_bounded("limit", limit, 1, MAX_LIMIT))
        return Call("GET", "/referrals", _paged(Referral), params=params)

    def move_referral(self, ref_id: str, to: str, reason: str | None) -> Call[Referral]:
        body = _json({"to": to} if reason is None else {"to": to, "reason": reason})
        url = f"/referrals/{_segment(ref_id)}/transitions"
        # not safe to repeat blindly: a second move from the new status is another move
        return Call(
            "POST", url, _model(Referral), content=body, headers={"Content-Type": "application/json"}, safe=False
        )

    # -- feedback and KPIs ---------------------------------------------------------

    def create_feedback_code(self, ref_id: str) -> Call[FeedbackCode]:
        url = f"/referrals/{_segment(ref_id)}/feedback-token"
        # a new code replaces an unused one: repeating it would void the first
        return Call("POST", url, _model(FeedbackCode), safe=False)

    def create_feedback(
        self,
        *,
        need_met: Literal["yes", "partly", "no"],
        satisfaction: int,
        referral_id: str | None,
        token: str | None,
        service_id: str | None,
        would_recommend: bool | None,
        text: str | None,
        idempotency_key: str | None,
    ) -> Call[FeedbackRecord]:
        body = {
            k: v
            for k, v in {
                "need_met": need_met,
                "satisfaction": satisfaction,
                "referral_id": referral_id,
                "token": token,
                "service_id": service_id,
                "would_recommend": would_recommend,
                "text": text,
            }.items()
            if v is not None
        }
        call = self._create("/feedback", _json(body), _model(FeedbackRecord), idempotency_key)
        # feedback given with a client's code has no API key to bind an Idempotency-Key
        # to: the service answers a repeat with 409, so it is not repeated on its own
        return replace(call, safe=referral_id is not None)

    def iter_feedback(
        self, organization_id: str | None, service_id: str | None, limit: int
    ) -> Call[Page[FeedbackRecord]]:
        params = _query(
            organization_id=organization_id, service_id=service_id, limit=_bounded("limit", limit, 1, MAX_LIMIT)
        )
        return Call("GET", "/feedback", _paged(FeedbackRecord), params=params)

    def get_kpis(self, organization_id: str | None, since: dt.date | None, until: dt.date | None) -> Call[Kpis]:
        params = _query(organization_id=organization_id, since=since, until=until)
        return Call("GET", "/kpis", _model(Kpis), params=params)

    # -- services ------------------------------------------------------------------

    def iter_services(
        self,
        organization_id: str | None,
        kind: str | None,
        status: str | None,
        limit: int,
        offered: bool | None = None,
    ) -> Call[Page[ServiceRecord]]:
        params = _query(
            organization_id=organization_id,
            kind=kind,
            status=status,
            offered=offered,
            limit=_bounded("limit", limit, 1, MAX_LIMIT),
        )
        return Call("GET", "/services", _paged(ServiceRecord), params=params)

    def get_service(self, service_id: str) -> Call[ServiceRecord]:
        url = f"/services/{_segment(service_id)}"
        headers, parse = self.cache.conditional(url, ServiceRecord)
        return Call("GET", url, parse, headers=headers)

    def create_service(self, service: Service | Mapping[str, Any], idempotency_key: str | None) -> Call[ServiceRecord]:
        _, body = _as_service(service)
        return self._create("/services", body, _model(ServiceRecord), idempotency_key)

    def update_service(self, service: Service | Mapping[str, Any], if_match: str | int | None) -> Call[ServiceRecord]:
        if if_match is None and isinstance(service, ServiceRecord):
            if_match = service.version
        if if_match is None:
            raise ValidationFailed(
                [_problem("if_match", "give the ETag or version you last read (or pass the ServiceRecord)", None)],
                "argument",
            )
        checked, body = _as_service(service)
        url = f"/services/{_segment(checked.id)}"
        headers = {"If-Match": _etag(if_match), "Content-Type": "application/json"}
        return Call("PUT", url, _model(ServiceRecord), content=body, headers=headers)

    def update_capacity(self, service_id: str, capacity: Mapping[str, Any], if_match: str | int) -> Call[ServiceRecord]:
        url = f"/services/{_segment(service_id)}/capacity"
        headers = {"If-Match": _etag(if_match), "Content-Type": "application/json"}
        return Call("PATCH", url, _model(ServiceRecord), content=_json(dict(capacity)), headers=headers)

    # -- organisations and events --------------------------------------------------

    def iter_organizations(self, limit: int) -> Call[Page[Organization]]:
        params = _query(limit=_bounded("limit", limit, 1, MAX_LIMIT))
        return Call("GET", "/organizations", _paged(Organization), params=params)

    def get_organization(self, org_id: str) -> Call[Organization]:
        return Call("GET", f"/organizations/{_segment(org_id)}", _model(Organization))

    def create_organization(
        self, organization: Organization | Mapping[str, Any], idempotency_key: str | None
    ) -> Call[Organization]:
        body = _body(Organization, organization, "organization")
        return self._create("/organizations", body, _model(Organization), idempotency_key)

    def update_organization(self, organization: Organization | Mapping[str, Any]) -> Call[Organization]:
        checked = _checked(Organization, organization, "organization")
        url = f"/organizations/{_segment(checked.id)}"
        body = _body(Organization, organization, "organization")
        return Call("PUT", url, _model(Organization), content=body, headers={"Content-Type": "application/json"})

    def iter_events(self, after: int, limit: int) -> Call[Page[Event]]:
        params = _query(after=_bounded("after", after, 0, 2**62), limit=_bounded("limit", limit, 1, MAX_LIMIT))
        return Call("GET", "/events", _paged(Event), params=params)

    # -- webhooks ------------------------------------------------------------------

    def create_webhook(
        self, url: str, event_types: Sequence[str] | None, description: str | None, idempotency_key: str | None
    ) -> Call[SubscriptionCreated]:
        body: dict[str, Any] = {"url": url}
        if event_types is not None:
            body["event_types"] = list(event_types)
        if description is not None:
            body["description"] = description
        return self._create("/webhooks", _json(body), _model(SubscriptionCreated), idempotency_key)

    def iter_webhooks(self, limit: int) -> Call[Page[SubscriptionRecord]]:
        params = _query(limit=_bounded("limit", limit, 1, MAX_LIMIT))
        return Call("GET", "/webhooks", _paged(SubscriptionRecord), params=params)

    def get_webhook(self, subscription_id: str) -> Call[SubscriptionRecord]:
        return Call("GET", f"/webhooks/{_segment(subscription_id)}", _model(SubscriptionRecord))

    def delete_webhook(self, subscription_id: str) -> Call[None]:
        # sent again after a lost answer, it would find nothing to delete (a 404)
        return Call("DELETE", f"/webhooks/{_segment(subscription_id)}", _nothing, safe=False)

    def test_webhook(self, subscription_id: str) -> Call[DeliveryRecord]:
        # each one queues another test delivery
        url = f"/webhooks/{_segment(subscription_id)}/test"
        return Call("POST", url, _model(DeliveryRecord), safe=False)

    def iter_webhook_deliveries(
        self, subscription_id: str, status: str | None, limit: int
    ) -> Call[Page[DeliveryRecord]]:
        params = _query(status=status, limit=_bounded("limit", limit, 1, MAX_LIMIT))
        url = f"/webhooks/{_segment(subscription_id)}/deliveries"
        return Call("GET", url, _paged(DeliveryRecord), params=params)

    def retry_webhook_delivery(self, subscription_id: str, delivery_id: str) -> Call[DeliveryRecord]:
        # each one starts the delivery's count of attempts afresh
        url = f"/webhooks/{_segment(subscription_id)}/deliveries/{_segment(delivery_id)}/retry"
        return Call("POST", url, _model(DeliveryRecord), safe=False)


def _as_service(service: Service | Mapping[str, Any]) -> tuple[Service, bytes]:
    """The service as the API takes it, and its body: a stored record's version and
    change stamps are not part of it."""
    if isinstance(service, ServiceRecord):
        checked = Service.model_validate(service.model_dump(include=set(Service.model_fields)))
        return checked, _json(checked)
    return _checked(Service, service, "service"), _body(Service, service, "service")


def _segment(value: str) -> str:
    """An id as one path segment (an id with a slash cannot reach another path)."""
    return quote(value, safe="")
