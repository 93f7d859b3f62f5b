"""One function per subcommand: summarize, check, report, cache, eval, schema, local.

Each takes the parsed arguments, calls the library and prints; errors propagate to
:func:`summarizer.cli.main`, which maps them to exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import (
    EXIT_BELOW_THRESHOLD,
    EXIT_BUDGET,
    EXIT_SOME_FAILED,
    ConfigError,
    InputError,
    SummarizerError,
)
from ..report.save import check_output
from ..report.terminal import terminal_safe
from .output import _SUFFIX_FORMATS, _output_format, _render, _write
from .status import status_line

if TYPE_CHECKING:
    from ..report.render import Format
    from ..settings import Settings
    from ..text.documents import Document

log = logging.getLogger("summarizer")


# --- commands -----------------------------------------------------------------------------------------


def _check_options(args: argparse.Namespace) -> dict[str, Any]:
    """How claims are checked, as :func:`summarizer.check` takes it (also for ``summarize --verify``)."""
    return {"scorer": args.scorer, "explain": args.explain, "profile": args.profile,
            "claims_per_call": args.claims_per_call}  # fmt: skip


def _cmd_summarize(args: argparse.Namespace) -> int:
    from .. import batch
    from ..llama_server import backend
    from ..llm.client import LLM
    from ..pipeline.summary import summarize
    from ..text.documents import load_document

    _verify_options_need_verify(args)
    if batch.is_batch(args.path):
        _no_html_for_batches(args)
        return _batch("summarize", args.path, args, verify=args.verify, check_options=_check_options(args))
    check_output(args.output, inputs=[*args.path, args.profile])  # before anything is paid for
    fmt = _output_format(args)
    document = load_document(args.path[0])
    settings = _settings(args)
    if args.dry_run:
        _write(_dry_run(document, settings, fmt, verify=args.verify, check_options=_check_options(args)),
               args.output)  # fmt: skip
        return 0
    with status_line(enabled=not args.verbose), backend(settings) as settings:
        result = summarize(document, llm=LLM(settings), verify=args.verify, check_options=_check_options(args))
    _write(_render(result, document.text, fmt), args.output)
    if args.verify:
        return _threshold(result.verification.score if result.verification else None, args.fail_under)
    return 0


def _verify_options_need_verify(args: argparse.Namespace) -> None:
    """Options that only a check reads, given to ``summarize`` without ``--verify``: an error, not a gate
    that silently never fires."""
    given = [flag for flag, value in (("--fail-under", args.fail_under is not None), ("--profile", args.profile),
             ("--explain", args.explain), ("--scorer", args.scorer != "logprobs"),
             ("--claims-per-call", args.claims_per_call is not None)) if value]  # fmt: skip
    if given and not args.verify:
        raise ConfigError(f"{', '.join(given)} only apply to a summary's check: add --verify")


def _cmd_check(args: argparse.Namespace) -> int:
    from .. import batch
    from ..llama_server import backend
    from ..llm.client import LLM
    from ..pipeline.checking import check
    from ..pipeline.claims import default_split, needs_model, read_claims, require_claims
    from ..text.documents import load_document

    claims = list(args.claim)
    if any(not claim.strip() for claim in claims):
        raise InputError("--claim is empty or only whitespace: give the claim's text")
    from_stdin = [name for name, given in (("the source", "-" in args.source), ("--claims", args.claims == "-"),
                  ("--summary", args.summary == "-")) if given]  # fmt: skip
    if len(from_stdin) > 1:
        raise ConfigError(f"standard input (-) can feed only one of {' and '.join(from_stdin)}: name a file for the other")
    args.split = default_split(args.mode, args.split)
    if args.claims:
        claims += read_claims(args.claims)
    summary = load_document(args.summary).text if args.summary else None
    if batch.is_batch(args.source) or args.dry_run:  # a dry run of one source is a batch of one
        _no_html_for_batches(args)
        return _batch(
            "check", args.source, args, claims=claims, summary=summary, mode=args.mode, split=args.split,
            **_check_options(args),
        )  # fmt: skip
    require_claims(claims, summary)
    check_output(args.output, inputs=[*args.source, args.claims, args.summary, args.profile])
    fmt = _output_format(args)
    document = load_document(args.source[0])
    settings = _settings(args)
    options = _check_options(args)
    if not needs_model(args.mode, summary, args.split):
        report = check(document, claims, summary=summary, mode="local", split=args.split, model=args.model, **options)
    else:
        with status_line(enabled=not args.verbose), backend(settings) as settings:
            report = check(document, claims, summary=summary, mode=args.mode, split=args.split, llm=LLM(settings),
                           **options)  # fmt: skip
    _write(_render(report, document.text, fmt), args.output)
    return _threshold(report.score, args.fail_under)


def _cmd_report(args: argparse.Namespace) -> int:
    from ..report.load import load_results, load_source

    results = load_results(args.result)
    suffix = Path(args.output).suffix.lower() if args.output else ""
    fmt = cast("Format", args.format or _SUFFIX_FORMATS.get(suffix, "html"))
    if len(results) == 1 and not (args.output and Path(args.output).is_dir()):
        check_output(args.output, inputs=[args.result, args.source])
        (saved,) = results
        document = load_source(
            saved.result, args.source, result_path=args.result, named=saved.path, item_id=saved.id
        )
        _write(_render(saved.result, document.text, fmt), args.output)
        return 0
    return _report_folder(args, results, fmt)


def _report_folder(args: argparse.Namespace, results: list[Any], fmt: Format) -> int:
    """A batch's results: one report per document into the folder ``-o`` names."""
    from ..report.load import load_source, report_names

    if not results:
        raise InputError(f"{args.result}: no ok results to render (only failed documents)")
    folder = Path(args.output) if args.output else None
    if folder is None or (folder.exists() and not folder.is_dir()):
        raise ConfigError(f"{args.result} holds {len(results)} results: give -o FOLDER for one report each")
    if not folder.exists() and folder.suffix.lower() in _SUFFIX_FORMATS:
        raise ConfigError(
            f"{args.result} holds {len(results)} results: -o names the folder for one report each, and "
            f"{args.output} looks like a file name; name a folder"
        )
    if args.source:
        raise ConfigError("--source names one document; a batch's results each name their own")
    folder.mkdir(parents=True, exist_ok=True)
    suffix = {"html": ".html", "markdown": ".md", "text": ".txt", "json": ".json"}[fmt]
    failed = 0
    names = report_names([saved.id or "result" for saved in results], suffix)
    for saved, name in zip(results, names, strict=True):
        try:
            document = load_source(saved.result, result_path=args.result, named=saved.path, item_id=saved.id)
        except SummarizerError as exc:
            failed += 1
            print(f"summarizer: error: {terminal_safe(exc.message)}", file=sys.stderr)
            continue
        _write(_render(saved.result, document.text, fmt), str(folder / name))
    print(f"{len(results) - failed} report(s) written to {folder}" + (f"; {failed} failed" if failed else ""))
    return EXIT_SOME_FAILED if failed else 0


def _no_html_for_batches(args: argparse.Namespace) -> None:
    if args.format == "html" or (args.output and Path(args.output).suffix.lower() in (".html", ".htm")):
        raise ConfigError(
            "an HTML report shows one document: a batch writes JSONL; render a result with `summarizer report`"
        )


def _dry_run(
    document: Document, settings: Settings, fmt: str, *, verify: bool, check_options: dict[str, Any] | None = None
) -> str:
    from ..pipeline.estimates import estimate_summary
    from ..text import tokens

    model = settings.model
    est = estimate_summary(
        document, model=model, verify=verify, check_options=check_options, prompt_lists=settings.prompt_lists
    )
    info = {
        "model": model,
        "encoding": tokens.encoding_name_for_model(model),
        "calls": est.calls,
        "prompt_tokens": est.prompt_tokens,
        "document_tokens": est.document_tokens,
        "estimated_completion_tokens": est.completion_tokens,
        "estimated_cost_usd": est.cost_usd,
    }
    if fmt == "json":
        return json.dumps(info, indent=2) + "\n"
    cost = "unknown (no price for this model)" if est.cost_usd is None else f"${est.cost_usd:.4f}"
    return (
        f"dry run: {est.calls} call{'s' if est.calls > 1 else ''} to {model}; {est.prompt_tokens} prompt tokens "
        f"({info['encoding']}), about {est.completion_tokens} completion tokens; estimated cost {cost}\n"
    )


def _batch(command: str, specs: list[str], args: argparse.Namespace, **options: Any) -> int:
    """Several documents: stream one JSONL line per document (see summarizer.batch)."""
    from .. import batch
    from ..llama_server import backend
    from ..llm.client import LLM

    settings = _settings(args)
    inputs = batch.collect_inputs(specs)
    where: dict[str, Any] = dict(output=args.output, use_cache=not args.no_cache)
    if args.dry_run:
        dry = batch.dry_run_task(inputs, batch.task_for(command, inputs, settings, **options), **where)
        fmt = args.format or ("text" if sys.stdout.isatty() else "json")
        _write(terminal_safe(batch.format_dry_run(dry, settings.model, fmt)), None)
        if args.max_cost is not None and dry.over_budget(args.max_cost):
            print(f"summarizer: the estimate is over --max-cost ${args.max_cost:.4f}", file=sys.stderr)
            return EXIT_BUDGET
        return 0
    uses_model = command == "summarize" or batch.check_needs_model(
        inputs, mode=options["mode"], split=options["split"], summary=options["summary"]
    )
    with backend(settings) if uses_model else contextlib.nullcontext(settings) as settings:
        llm = LLM(settings) if uses_model else None
        task = batch.task_for(command, inputs, settings, llm, **options)
        bar = batch.ProgressBar(file=sys.stderr, desc=command)
        outcome = batch.run_task(inputs, task, jobs=args.jobs, max_cost=args.max_cost, progress=bar,
                                 secrets=[settings.api_key], **where)  # fmt: skip
    sys.stderr.write(terminal_safe(batch.format_outcome(outcome)))
    sys.stderr.flush()
    return outcome.exit_code


def _cmd_cache(args: argparse.Namespace) -> int:
    from .. import batch

    print(batch.cache_info(clear=args.clear).rstrip("\n"))
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from .. import evaluation
    from ..llama_server import backend
    from ..llm.client import LLM

    rows = evaluation.load_rows(args.dataset, limit=args.limit, seed=args.seed)
    name = Path(args.dataset).stem
    if args.output:
        check_output(args.output, inputs=[args.dataset, args.profile])  # before anything is paid for
        check_output(reliability_path(args.output), inputs=[args.dataset, args.profile])
    if args.mode in ("rules", "floor"):
        predictor = evaluation.rules_predictor() if args.mode == "rules" else evaluation.floor_predictor()
        report = evaluation.evaluate(rows, predictor, name=args.mode, dataset=name)
    elif args.mode == "local":
        predictor = evaluation.check_predictor("local", None, profile=args.profile, model=args.model)
        report = evaluation.evaluate(rows, predictor, name="local (calibrated, zero tokens)", dataset=name)
    else:
        settings = _settings(args)
        with status_line(enabled=not args.verbose), backend(settings) as settings:
            llm = LLM(settings)
            if args.mode == "naive":
                predictor = evaluation.naive_predictor(llm)
            elif args.mode == "verdicts":
                predictor = evaluation.check_predictor("hybrid", llm, scorer="verdicts", profile=args.profile)
            else:
                predictor = evaluation.check_predictor(args.mode, llm, profile=args.profile)
            report = evaluation.evaluate(
                rows,
                predictor,
                name=f"{args.mode} ({settings.model})",
                dataset=name,
                on_document=lambda done, total: log.info("document %d/%d", done, total),
            )
    print(terminal_safe(evaluation.format_table([report])))
    if args.output:
        evaluation.save_report(report, args.output)
        _reliability_png(report, args.output)
    return 0


def reliability_path(output: str) -> Path:
    """Where ``eval -o FILE`` puts the reliability diagram: FILE with a ``.png`` suffix, or
    ``FILE.reliability.png`` when FILE already ends in ``.png`` (the report must not be written over)."""
    path = Path(output)
    png = path.with_suffix(".png")
    return path.with_name(path.name + ".reliability.png") if png == path else png


def _reliability_png(report: Any, output: str) -> None:
    """The reliability diagram beside the JSON report, when the predictor gives probabilities."""
    from .. import evaluation
    from ..errors import MissingDependencyError

    scored = [r for r in report.predictions if r.probability is not None]
    if not scored:
        return
    png = reliability_path(output)
    series = {report.name: ([r.probability for r in scored], [r.label for r in scored])}
    try:
        evaluation.plot_reliability(series, png, title=f"Reliability on {report.dataset} ({len(scored)} claims)")
    except MissingDependencyError as exc:
        print(f"summarizer: warning: no reliability diagram: {exc.message}", file=sys.stderr)
        return
    print(f"reliability diagram: {png}", file=sys.stderr)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from ..calibration.calibrate import calibrate_rows, check_calibration, load_datasets, scores_path
    from ..llama_server import backend
    from ..llm.client import LLM

    examples = [args.examples, scores_path(args.examples)] if args.examples else []
    # before anything is paid for, as the rows and the examples file are; never over an input
    check_output(args.output, inputs=[*args.dataset, *examples])
    rows = load_datasets(args.dataset, limit=args.limit, seed=args.seed)
    known = check_calibration(rows, examples_path=args.examples, hold_out=args.hold_out)  # before a server starts
    settings = _settings(args)
    with status_line(enabled=not args.verbose), backend(settings) as settings:
        result = calibrate_rows(
            rows, LLM(settings), name=args.name or settings.model, claims_per_call=args.claims_per_call,
            examples_path=args.examples, temperature=args.temperature, threshold=args.threshold,
            hold_out=args.hold_out, known=known, **({"exclude": ()} if args.lexical else {}),
            on_document=lambda done, total: log.info("document %d/%d", done, total),
        )  # fmt: skip
    _write(result.profile.to_json(), args.output)
    print(terminal_safe(result.summary()))
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from ..types import CheckReport, Summary

    model: type[Summary] | type[CheckReport] = Summary if args.name == "summary" else CheckReport
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def _cmd_local(args: argparse.Namespace) -> int:
    from .. import llama_server

    def say(msg: str) -> None:
        print(f"summarizer: {msg}", file=sys.stderr)

    if args.action == "setup":
        binary, model = llama_server.setup(say)
        print(f"llama-server: {binary}\nmodel: {model}")
    elif args.action == "start":
        server = llama_server.LocalServer()
        pid = server.start()
        print(f"llama-server running at {server.base_url} (pid {pid}); stop it with `summarizer local stop`")
    elif args.action == "stop":
        print("stopped" if llama_server.stop_background() else "no background server was started by summarizer")
    else:
        st = llama_server.status()
        print(f"binary: {st.binary or 'not built'}\nmodel: {st.model or 'not fetched'}\n"
              f"server: {'running' if st.running else 'not running'} at {st.base_url}")  # fmt: skip
    return 0


def _threshold(score: float | None, fail_under: float | None) -> int:
    """Exit code for --fail-under. No claims (score null) verifies nothing, so it fails a threshold."""
    if fail_under is None:
        return 0
    if score is None:
        print("summarizer: no claims were checked, so the score is undefined (--fail-under)", file=sys.stderr)
        return EXIT_BELOW_THRESHOLD
    if score < fail_under:
        print(f"summarizer: faithfulness score {score:.2f} is below {fail_under:.2f}", file=sys.stderr)
        return EXIT_BELOW_THRESHOLD
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    """Where and how to call the model, from -m, --base-url, --timeout, --deadline and the environment."""
    from ..settings import resolve_settings

    return resolve_settings(args.model, args.base_url, timeout=args.timeout, deadline=args.deadline)
