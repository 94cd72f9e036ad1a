"""Properties of the webhook signature and the retry schedule (no database needed)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freechoice.api.webhooks import RetryPolicy, SignatureError, signature_header, verify

SECRETS = st.text(min_size=1, max_size=60).map(lambda s: "whsec_" + s)
TIMES = st.integers(min_value=0, max_value=10**12 - 1)  # Unix seconds, up to 12 digits


@given(secret=SECRETS, body=st.binary(max_size=300), t=TIMES)
def test_a_signed_body_verifies_and_the_scheme_is_the_documented_one(secret, body, t):
    header = signature_header(secret, t, body)
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert header == f"t={t},v1={expected}"  # what the README tells a receiver to compute
    payload = b'{"n": ' + str(len(body)).encode() + b"}"
    assert verify(secret, payload, signature_header(secret, t, payload), now=t) == {"n": len(body)}


@given(secret=SECRETS, body=st.binary(min_size=1, max_size=300), t=TIMES, data=st.data())
def test_any_changed_byte_or_other_secret_fails(secret, body, t, data):
    header = signature_header(secret, t, body)
    i = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    changed = body[:i] + bytes([(body[i] + 1) % 256]) + body[i + 1 :]
    with pytest.raises(SignatureError):
        verify(secret, changed, header, now=t)
    with pytest.raises(SignatureError):
        verify(secret + "x", body, header, now=t)


@given(
    t=TIMES, skew=st.integers(min_value=-10_000, max_value=10_000), tolerance=st.integers(min_value=0, max_value=600)
)
def test_the_timestamp_must_be_within_the_tolerance_either_way(t, skew, tolerance):
    body = b"{}"
    header = signature_header("whsec_k", t, body)
    if abs(skew) <= tolerance:
        assert verify("whsec_k", body, header, now=t + skew, tolerance_seconds=tolerance) == {}
    else:
        with pytest.raises(SignatureError, match="tolerance"):
            verify("whsec_k", body, header, now=t + skew, tolerance_seconds=tolerance)


@pytest.mark.parametrize(
    "header", ["t=\u00b2,v1=ab", "t=1234567890123,v1=ab", "t=-5,v1=ab", "t=1,v2=ab", "v1=ab,v1=cd"]
)
def test_a_malformed_header_is_a_signature_error_never_a_crash(header):
    with pytest.raises(SignatureError):
        verify("whsec_k", b"{}", header, now=1)


def test_a_signature_for_a_rotated_secret_may_sit_beside_the_current_one():
    body = b'{"id": 1}'
    old = signature_header("whsec_old", 100, body).split(",")[1]
    header = signature_header("whsec_new", 100, body) + "," + old
    assert verify("whsec_old", body, header, now=100) == {"id": 1}
    assert verify("whsec_new", body, header, now=100) == {"id": 1}


@given(
    first=st.floats(min_value=0.1, max_value=600),
    factor=st.floats(min_value=1, max_value=5),
    cap=st.floats(min_value=0.1, max_value=86_400),
    attempts=st.integers(min_value=1, max_value=30),
)
def test_the_retry_schedule_starts_at_first_grows_and_is_capped(first, factor, cap, attempts):
    policy = RetryPolicy(first_seconds=first, factor=factor, max_seconds=cap, max_attempts=attempts)
    waits = policy.schedule()
    assert len(waits) == attempts - 1  # attempts in all, so one wait fewer
    assert all(w <= cap + 1e-6 for w in waits)
    assert waits == sorted(waits)
    if waits:
        assert waits[0] == pytest.approx(min(first, cap))
    assert policy.schedule() == waits  # no jitter: the same every time
