"""A corpus through the OpenAI Batch API (half the price, answers within 24 hours), or through any engine
that reads its files (vLLM's ``run-batch``, or ``summarizer batch run`` against any OpenAI-compatible
server): the same work, results, cache, grounding and JSON contract as an online batch.

The steps, one module each, all working on a job folder (:mod:`~.manifest`):

* :func:`prepare` (:mod:`~.prepare`): documents → request files in the Batch API's format, split at its
  limits, and a manifest with the estimate at batch prices.
* :func:`submit`, :func:`status`, :func:`cancel` (:mod:`~.remote`): the Files and Batches endpoints;
  batch ids live in the manifest, and every command can be run again safely.
* :func:`run` (:mod:`~.execute`): the request files executed against any OpenAI-compatible server, answers
  written as the Batch API writes them.
* :func:`collect` (:mod:`~.collect`): answers → the online batch's JSONL lines and the result cache;
  follow-up rounds (merges of long documents, re-asks) as another batch or online.

How a document's work is driven by batch answers, with the online pipelines' own code, is
:mod:`~.replay`; how request and answer lines are built and read, :mod:`~.wire`; what a job does to each
document, :mod:`~.jobs`; what a job folder's files must hold (a damaged one is a one-line error),
:mod:`~.integrity`. The guide is ``docs/batch-api.md``.
"""

from __future__ import annotations

from .collect import CollectReport, collect, format_collect
from .execute import RunReport, format_run, run
from .jobs import JobSpec
from .prepare import PrepareReport, format_prepare, prepare
from .remote import JobStatus, cancel, format_status, status, submit

__all__ = [
    "CollectReport",
    "JobSpec",
    "JobStatus",
    "PrepareReport",
    "RunReport",
    "cancel",
    "collect",
    "format_collect",
    "format_prepare",
    "format_run",
    "format_status",
    "prepare",
    "run",
    "status",
    "submit",
]
