"""Service settings (pydantic-settings, ``FREECHOICE_`` prefix). Read when the app is
built, never at import time."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Configuration of the HTTP service.

    Every field can be set by an environment variable with the ``FREECHOICE_`` prefix,
    e.g. ``FREECHOICE_DATABASE_URL=postgresql+psycopg://app@db/freechoice``.
    """

    model_config = SettingsConfigDict(env_prefix="FREECHOICE_", extra="forbid")

    database_url: str = Field(
        default="sqlite:///freechoice.db", description="SQLAlchemy URL (SQLite file or PostgreSQL)."
    )
    auto_migrate: bool = Field(default=True, description="Run migrations to head when the app starts.")
    load_sample: bool = Field(
        default=False, description="Load the bundled fictional sample catalog into an empty database."
    )
    rules_path: str | None = Field(default=None, description="Rule pack YAML to start with (default: bundled pack).")
    max_body_bytes: int = Field(default=1_000_000, gt=0, description="Largest request body accepted (413 above).")
    catalog_check_seconds: float = Field(
        default=0.5, ge=0, description="How often a worker checks the database for catalog changes by other workers."
    )
    catalog_snapshot: str | None = Field(
        default=None,
        description="File for the compiled catalog's snapshot (every active service's rule tags, keyed by rules "
        "version and service digest): a worker starting on a large catalog reads it instead of running the "
        "rules over every service; written again when stale. None: no snapshot.",
    )
    service_cache: int = Field(
        default=2000,
        ge=0,
        description="How many full service records a worker keeps in memory (least recently used out first): "
        "matching reads each service's compact card, and a record is read from the database when an option "
        "shows it.",
    )
    preload_catalog: bool = Field(
        default=True,
        description="serve --workers N: load and tag the catalog once before starting the workers, which share "
        "it (copy-on-write) and catch up on changes made meanwhile; false: each worker loads its own.",
    )
    catalog_retrieval: Literal["memory", "database"] = Field(
        default="memory",
        description="Where candidate retrieval runs: memory (each worker holds the indexed catalog) or database "
        "(PostgreSQL only: SQL over GIN-indexed columns, each worker caching at most catalog_cache_size services).",
    )
    catalog_cache_size: int = Field(
        default=50_000,
        ge=1,
        description="catalog_retrieval=database: how many services (and organisations) a worker keeps cached, "
        "least recently used dropped first.",
    )
    database_read_url: str | None = Field(
        default=None,
        description="catalog_retrieval=database: a read-only database (a PostgreSQL read replica) for retrieval "
        "and service reads; writes and NOTIFY stay on database_url. None: database_url.",
    )
    catalog_listen: bool = Field(
        default=True,
        description="On PostgreSQL, LISTEN for catalog changes and apply each as it is committed "
        "(polling every catalog_check_seconds stays on as the fallback; SQLite polls only).",
    )
    key_cache_seconds: float = Field(default=30.0, ge=0, description="How long a worker remembers a verified API key.")
    access_check_seconds: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="How often a worker reads the access revision, which moves when a key is revoked or an organisation "
        "deactivated: such a key stops in every worker within this (0: before every request).",
    )
    rate_window_seconds: float = Field(default=60.0, gt=0, description="The window the rate limits below count in.")
    feedback_per_key: int = Field(
        default=120, ge=0, description="POST /feedback with an API key: requests per key and window (0: no limit)."
    )
    feedback_per_address: int = Field(
        default=20,
        ge=0,
        description="POST /feedback without an API key (a client's feedback code): requests per client address and "
        "window (0: no limit).",
    )
    feedback_code_days: float = Field(
        default=30.0,
        gt=0,
        le=366,
        description="How long a client's single-use feedback code (its link and QR code) works after it is issued.",
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Request threads per worker process. Default: 1 on SQLite (matching is CPU-bound: add "
        "workers, not threads), 2 on PostgreSQL (a second request computes while one waits for the server).",
    )
    sqlite_checkpoint_seconds: float = Field(
        default=1.0,
        ge=0,
        description="SQLite: copy the write-ahead log into the database from a background thread this often "
        "(0: inside whichever commit crosses SQLite's 1,000-page mark).",
    )
    option_limit: int = Field(
        default=10,
        ge=1,
        le=500,
        description="Options shown per need in an option list; the rest are read a page at a time with "
        "GET /option-lists/{id}/needs/{need}/options (nothing is hidden, only paged).",
    )
    quality_seconds: float = Field(
        default=30.0, ge=0, description="How long the client-feedback quality signal is cached."
    )
    data_key: SecretStr | None = Field(
        default=None,
        description="Fernet keys (comma-separated, newest first) that encrypt client data at rest; the first "
        "encrypts, all decrypt. Make one with `freechoice db generate-key`. Unset: stored unencrypted (serve warns).",
    )
    retention_days: int = Field(
        default=365,
        ge=0,
        le=36_500,
        description="Days option lists and assessments are kept when their organisation sets no period of its "
        "own (0: kept until erased).",
    )
    retention_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How often the server runs the retention purge (0: never; run `freechoice retention run`).",
    )

    idempotency_hours: float = Field(
        default=24.0,
        ge=1,
        description="How long the response of a request with an Idempotency-Key is kept for retries.",
    )
    audit_retention_days: int | None = Field(
        default=None,
        ge=0,
        le=36_500,
        description="Days audit entries are kept (0: for ever). Unset: 730, or as long as the longest other "
        "retention period when that is longer (an upgrade never fails on it). Set, it must not be less than the "
        "other retention periods; an organisation whose cases are kept longer (or until erased) keeps its "
        "entries as long.",
    )

    webhook_delivery: bool = Field(
        default=True,
        description="Send webhook deliveries from a background task in each server worker (off: run "
        "`freechoice webhooks deliver` instead).",
    )
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="How often the delivery task looks for due deliveries when idle."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="How long one delivery may take before it counts as failed."
    )
    webhook_retry_first_seconds: float = Field(
        default=30.0, gt=0, description="The wait after a delivery's first failed attempt (then doubling)."
    )
    webhook_retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="The longest wait between two attempts (the doubling stops there)."
    )
    webhook_max_attempts: int = Field(
        default=10, ge=1, le=100, description="Attempts before a delivery is dead (kept, with its last error)."
    )
    webhook_delivered_days: float = Field(
        default=30.0,
        ge=0,
        le=36_500,
        description="Days a delivered webhook delivery's record is kept; the retention run removes older ones "
        "(0: kept for ever).",
    )
    webhook_dead_days: float = Field(
        default=0.0,
        ge=0,
        le=36_500,
        description="Days a dead delivery (last attempt failed) is kept after its last attempt (0: until an admin "
        "retries it or deletes its subscription).",
    )
    webhook_private_addresses: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback, link-local and private addresses (an offline network's "
        "receivers); false: such URLs are refused when subscribing, and a host name that resolves to one is not "
        "delivered to.",
    )

    ready_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="/readyz: how long its database check may wait to connect (PostgreSQL: at least 2 s, "
        "libpq's minimum) and for its query; an unreachable database answers 503 within about this.",
    )

    log_format: Literal["json", "text", "inherit"] = Field(
        default="json",
        description="Log lines on stderr: one JSON object each (json), plain text (text), or leave logging as the "
        "host program set it up (inherit). Every line carries the request id.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(default="info", description="Lowest level logged.")
    access_log: bool = Field(default=True, description="Log one line per request (method, route, status, duration).")
    metrics_dir: str | None = Field(
        default=None,
        description="Several worker processes: an empty directory where each writes its metrics, so /metrics "
        "reports all of them (prometheus-client multiprocess mode). Unset: each process reports its own.",
    )
    age_of_majority: dict[str, int] = Field(
        default_factory=dict,
        description='Age of majority per country (JSON, e.g. {"TH": 18}); countries not listed use 18. A client '
        "under it is handled as a child.",
    )
    child_cash_recipient: Literal["guardian", "client"] = Field(
        default="guardian", description="Who receives a child's cash transfers."
    )

    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="Pages: how long a sign-in lasts (signing out ends it at once)."
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="Pages: wrong passwords in a row before the account is locked."
    )
    login_lockout_minutes: float = Field(
        default=15.0, ge=0, description="Pages: how long an account stays locked after too many wrong passwords."
    )
    secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Pages: mark the session cookie Secure: when the request came over https (auto; behind a TLS "
        "proxy run uvicorn with --proxy-headers), always, or never.",
    )
    web_languages: list[str] = Field(
        default_factory=lambda: ["en", "my", "th", "km", "lo"],
        description="Pages: the languages offered in the language switches (ISO 639-1), in order; those without a "
        "catalog in freechoice.engine.text show in English.",
    )
    programme: dict[str, Any] = Field(
        default_factory=dict,
        description="Cash-plus settings of the programme (JSON; see freechoice.engine.casework.Programme), e.g. "
        '{"transfers": 3, "method": "mobile_money", "amounts": {"TH": ["9000", "THB"]}, "late_after_days": 7, '
        '"missed_after_days": 30, "follow_up_months": [1, 2, 3, 6], "min_group": 5}. Unset: the pilot\'s (three '
        "monthly transfers at the minimum wage, by bank).",
    )

    @model_validator(mode="after")
    def _audit_outlasts_the_rest(self) -> Settings:
        """Audit entries are kept at least as long as anything they speak of."""
        longest = {
            "retention_days": self.retention_days,
            "webhook_delivered_days": self.webhook_delivered_days,
            "webhook_dead_days": self.webhook_dead_days,
            "idempotency_hours": self.idempotency_hours / 24,
        }
        if self.audit_retention_days is None:
            # unset: two years, or longer when another period is (never refused)
            self.audit_retention_days = max(730, math.ceil(max(longest.values())))
        elif self.audit_retention_days:
            shorter = [f"{k} ({v:g} days)" for k, v in longest.items() if v > self.audit_retention_days]
            if shorter:
                raise ValueError(
                    f"audit_retention_days ({self.audit_retention_days}) must be 0 (for ever) or at least "
                    f"as long as {', '.join(shorter)}"
                )
        return self

    def key_setting(self) -> str | None:
        """The data key setting as text (None when unset)."""
        return self.data_key.get_secret_value() if self.data_key is not None else None
