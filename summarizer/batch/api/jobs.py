"""What a batch job does to each document: the online batch's own work (:mod:`summarizer.batch.tasks`).

A job is ``summarize`` (with or without ``--verify``) or ``check``; :func:`task_for` builds the same
:class:`~summarizer.batch.tasks.Task` the online batch builds for those options, with a
:class:`~.replay.ReplayLLM` where the online batch passes its client. So the work, the cache key and the
estimate are the online batch's, and so is every result. A new kind of job is one more branch here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ...settings import Settings

if TYPE_CHECKING:
    from ..tasks import Task
    from .replay import ReplayLLM

__all__ = ["JobSpec", "settings_for", "task_for"]

KINDS = ("summarize", "check")


@dataclass(frozen=True)
class JobSpec:
    """The options of a job (what the manifest records, and what its results depend on)."""

    kind: str
    model: str
    endpoint: str  # where answers come from, for cache keys: "local" or the endpoint URL
    verify: bool = False
    claims: tuple[str, ...] = field(default_factory=tuple)
    summary: str | None = None
    mode: str = "hybrid"
    split: str = "model"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"unknown kind of batch job {self.kind!r} (one of {', '.join(KINDS)})")

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["claims"] = list(self.claims)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["claims"] = tuple(known.get("claims") or ())
        return cls(**known)

    @property
    def result_kind(self) -> str:
        """The ``kind`` on every result line (what the online batch writes): summary or check."""
        return "summary" if self.kind == "summarize" else "check"


def endpoint_id(settings: Settings) -> str:
    """Where answers come from, as the online batch names it in its cache keys."""
    return "local" if settings.local else settings.endpoint


def settings_for(spec: JobSpec) -> Settings:
    """Settings that name the job's model and endpoint (as the online batch's cache keys see them)."""
    if spec.endpoint == "local":
        return Settings(model=spec.model, local=True)
    return Settings(model=spec.model, base_url=spec.endpoint)


def task_for(spec: JobSpec, llm: ReplayLLM | None) -> Task:
    """The online batch's task for these options; ``llm`` answers its calls (None: estimates only)."""
    from ..tasks import check_task, summarize_task

    settings = settings_for(spec)
    client: Any = llm
    if spec.kind == "summarize":
        return summarize_task(settings, client, verify=spec.verify)
    return check_task(
        settings, client, claims=spec.claims, summary=spec.summary, mode=spec.mode, split=spec.split
    )
