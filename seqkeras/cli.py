"""The `seqkeras` command.

Exit codes: 0 on success, 2 on a user error (with a short message naming the
key, file or line, and no traceback), 1 on an internal failure.
"""

import argparse
import sys
from typing import List
from typing import Optional

from seqkeras.errors import RunInterrupted
from seqkeras.errors import SeqkerasError
from seqkeras.errors import TrainingDiverged
from seqkeras.pipeline.config.choices import DECODING_STRATEGIES
from seqkeras.version import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqkeras",
        description="Recurrent sequence models for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"seqkeras {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo_and_datasets(commands)
    _add_run_and_train(commands)
    _add_evaluate_and_export(commands)
    _add_predict(commands)
    commands.add_parser("schema", help="print the pipeline config's JSON Schema")
    return parser


def _add_demo_and_datasets(commands) -> None:
    demo = commands.add_parser(
        "demo",
        help="train one model of every topology on a small synthetic task",
    )
    demo.add_argument("--epochs", type=int, default=8, help="epochs per model (default: 8)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    commands.add_parser("datasets", help="list the built-in datasets (no download needed)")


def _add_run_and_train(commands) -> None:
    for name, text in [
        ("run", "run a pipeline file: data, train, evaluate, export, report"),
        ("train", "like run, without the export stage"),
    ]:
        command = commands.add_parser(name, help=text)
        command.add_argument("pipeline", help="the pipeline YAML file")
        command.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY.PATH=VALUE",
            help="override a config value (repeatable); wins over the file",
        )
        command.add_argument(
            "--output-dir",
            type=_folder_path,
            default="runs",
            help="where run folders go (default: runs)",
        )
        command.add_argument(
            "--smoke",
            action="store_true",
            help="run every stage on a couple of batches to check a config quickly",
        )
        command.add_argument(
            "--workers",
            type=int,
            default=1,
            metavar="N",
            help="start N local worker processes of a multi_worker run on 127.0.0.1 "
            "(default: 1, no launcher)",
        )


def _add_evaluate_and_export(commands) -> None:
    for name, text in [
        ("evaluate", "evaluate a finished run's model on its test split again"),
        ("export", "write a finished run's SavedModel (export/) again"),
    ]:
        command = commands.add_parser(name, help=text)
        _add_run_argument(command)
        if name == "evaluate":
            command.add_argument(
                "--json",
                action="store_true",
                help="print every metric as JSON (for programs) instead of a short table",
            )


def _add_predict(commands) -> None:
    predict = commands.add_parser(
        "predict",
        help="run a finished run's export on your inputs",
        description="Prints one line per input: the input, a tab, the prediction; tabs, "
        "newlines and backslashes inside either are written as \\t, \\n and \\\\. "
        "A lone - reads the inputs of a text export from standard input, one a line: "
        "seqkeras predict RUN - < inputs.txt",
    )
    _add_run_argument(predict)
    predict.add_argument(
        "inputs",
        nargs="+",
        help="input strings (text tasks), or - to read them from standard input, one a "
        "line; image files (a captioner of images); .npy, .npz, "
        ".json, .jsonl or .csv files of arrays (exports of float tensors); a forecaster: "
        "files (or comma-separated numbers) of the series' recent values",
    )
    _add_decoding_options(predict)


def _add_decoding_options(predict: argparse.ArgumentParser) -> None:
    decoding = predict.add_argument_group(
        "decoding",
        "generating exports (seq2seq, language_model) decode with the strategy "
        "the run evaluated with unless these say otherwise",
    )
    decoding.add_argument(
        "--strategy", choices=DECODING_STRATEGIES, help="another decoding strategy"
    )
    decoding.add_argument(
        "--beam-width",
        type=int,
        metavar="N",
        help="beam search width (implies --strategy beam; default: the run's, else 4)",
    )
    decoding.add_argument(
        "--length-penalty",
        type=float,
        metavar="ALPHA",
        help="beam search GNMT length penalty (default: the run's, else 0)",
    )
    decoding.add_argument(
        "--temperature",
        type=float,
        metavar="T",
        help="sampling temperature (implies --strategy sample; default: the run's, else 1)",
    )
    decoding.add_argument(
        "--top-k",
        type=int,
        metavar="K",
        help="sample among the K most likely tokens (default: the run's)",
    )
    decoding.add_argument(
        "--seed", type=int, metavar="S", help="sampling seed (default: the run's)"
    )


def _folder_path(value: str) -> str:
    """A folder argument: an empty one would silently mean the working directory."""
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path; name a folder (default: runs)")
    return value


def _add_run_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "run_dir",
        metavar="RUN",
        help="a run name (its latest completed run in --output-dir), runs/<name> (the "
        "same), or a run folder, runs/<name>/<timestamp>",
    )
    command.add_argument(
        "--output-dir",
        type=_folder_path,
        default="runs",
        help="where run names are looked up (default: runs)",
    )


def _run(args) -> None:
    from seqkeras.pipeline.commands.runner import headline
    from seqkeras.pipeline.commands.runner import run_pipeline
    from seqkeras.pipeline.run_folders.latest import run_reference

    if args.smoke:
        print(
            "Smoke run: one epoch on a couple of batches of each split, to check that every "
            "stage works; the figures it reports mean nothing."
        )
    run_dir = run_pipeline(
        args.pipeline, args.overrides, output_dir=args.output_dir, smoke=args.smoke
    )
    if run_dir is None:
        print("\nThis worker has finished; the chief writes the run folder.")
        return
    print(f"\nRun folder: {run_dir}")
    summary = headline(run_dir)
    if summary:
        smoke = " (a smoke run: a couple of batches; the figures mean nothing)"
        print(f"Test {summary}{smoke if args.smoke else ''}")
    print(f"Model: {run_dir / 'model.keras'}")
    export = run_dir / "export"
    if export.is_dir():
        from seqkeras.export.manifest import ExportManifest

        manifest = ExportManifest.load(export)
        run = run_reference(run_dir, args.output_dir)  # the run's name where that names it
        if manifest.takes_text:
            print(f'Predict: seqkeras predict {run} "your input"')
        elif manifest.takes_images:
            print(f"Predict: seqkeras predict {run} image.png photo.jpg")
        elif manifest.kind == "forecast":
            print(f"Predict: seqkeras predict {run} recent_values.csv (one value a line)")
        else:
            print(f"Predict: seqkeras predict {run} examples.npy (.npz, .json, .csv rows)")
        # SentencePiece's ops are tensorflow-text's: they must be registered first.
        subword = "tensorflow-text" in manifest.requires
        first = "import tensorflow_text; " if subword else ""
        print(f"Serve: {first}tf.saved_model.load({str(export)!r}).signatures['serving_default']")
        portable = _portable_files(manifest)
        if portable:
            print(
                f"Portable: {', '.join(portable)} in {export} (their inputs and outputs: "
                f"seqkeras_export.json, under portable; docs/export.md)"
            )


def _portable_files(manifest) -> List[str]:
    """The LiteRT and ONNX files an export's manifest lists, in its order."""
    files = []
    for entry in manifest.portable.values():
        if "file" in entry:  # a one-pass model's core
            files.append(entry["file"])
        files += [part["file"] for part in entry.get("files", {}).values()]  # seq2seq's
    return files


def _start_tensorflow() -> None:
    """Import TensorFlow quietly, then the layers (registering them with Keras)."""
    from seqkeras.utils.native_startup import quiet_tensorflow_startup

    quiet_tensorflow_startup()
    import seqkeras.layers  # noqa: F401
    import seqkeras.models  # noqa: F401


def _show_seqkeras_logs() -> None:
    """Print the library's informational messages (dataset builds, skipped lines)."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("seqkeras: %(message)s"))
    logger = logging.getLogger("seqkeras")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _one_field(value) -> str:
    """Keep one prediction on one TSV line: backslash-escape tabs, newlines and backslashes.

    A language model's sample may hold newlines; unescaped, one prediction would span
    several lines and a reader of the TSV would misalign inputs and outputs.
    """
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def _progress_to_stderr():
    """Send progress bars to stderr so stdout carries only the result.

    `seqkeras evaluate` prints a table (JSON with `--json`) and `predict` prints TSV for other
    programs to read; Keras's progress bars write to stdout.
    """
    import contextlib

    return contextlib.redirect_stdout(sys.stderr)


def _launch(args, overrides: List[str]) -> int:
    """`--workers N`: check the config, then start the local workers."""
    from seqkeras.pipeline.commands.runner import check_pipeline
    from seqkeras.pipeline.config.loading import load_config
    from seqkeras.pipeline.training import launcher

    # --workers is checked against the config as written (its own strategy),
    # then the run the workers make (multi_worker) as a run checks itself.
    launcher.check_workers(args.workers, load_config(args.pipeline, overrides))
    check_pipeline(load_config(args.pipeline, [*overrides, launcher.STRATEGY_OVERRIDE]))
    arguments = [args.command, args.pipeline, "--output-dir", args.output_dir]
    for override in [*args.overrides, launcher.STRATEGY_OVERRIDE]:
        arguments += ["--set", override]
    if args.smoke:
        arguments.append("--smoke")
    try:
        launcher.launch_workers(arguments, args.workers)
    except launcher.Terminated as terminated:
        raise RunInterrupted(
            f"stopped by {terminated}; the {args.workers} workers were stopped. Rerun the "
            f"same command to resume from the last finished epoch.",
            exit_code=128 + terminated.signal_number,
        ) from None
    except KeyboardInterrupt:
        raise RunInterrupted(
            f"interrupted; the {args.workers} workers were stopped. Rerun the same command "
            f"to resume from the last finished epoch."
        ) from None
    except launcher.WorkerFailed as failure:
        print(f"seqkeras {args.command}: error: {failure}", file=sys.stderr)
        return 2 if failure.returncode == 2 else 1
    print(f"[launcher] all {args.workers} workers finished", flush=True)
    return 0


def _interrupted(args, interrupt: KeyboardInterrupt) -> str:
    """The one line that Ctrl-C leaves: what was stopped and how to go on."""
    if isinstance(interrupt, RunInterrupted):
        return str(interrupt)
    if args.command in ("run", "train"):
        return "interrupted before training started; no run folder was made."
    return "interrupted."


#: Commands that answer without TensorFlow.
LIGHT_COMMANDS = (None, "datasets", "schema")


def main(argv: Optional[List[str]] = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    _show_seqkeras_logs()
    if args.command is None:
        parser.print_help()
        return 0
    if args.command in LIGHT_COMMANDS:
        return _command(args)
    from seqkeras.utils.process_temporary import use_process_temporary_folder

    use_process_temporary_folder()  # before TensorFlow: AutoGraph's files go there
    if args.command in ("evaluate", "export", "predict"):
        from seqkeras.pipeline.run_folders.latest import find_run

        try:  # before TensorFlow starts: a run name that is not there is told at once
            args.run_dir = str(find_run(args.run_dir, args.output_dir))
        except SeqkerasError as error:
            print(f"seqkeras {args.command}: error: {error}", file=sys.stderr)
            return 2
    if args.command in ("run", "train"):
        from seqkeras.pipeline.config.loading import load_config

        try:  # before TensorFlow starts: a config that does not load is told at once
            load_config(args.pipeline, _pipeline_overrides(args))
        except SeqkerasError as error:
            print(f"seqkeras {args.command}: error: {error}", file=sys.stderr)
            return 2
    from seqkeras.utils.native_startup import native_notices_filtered

    with native_notices_filtered():  # TensorFlow's notices while it runs, too
        return _command(args)


def _command(args) -> int:
    """Carry out the parsed command; return its exit code."""
    try:
        if args.command not in LIGHT_COMMANDS:
            _start_tensorflow()
        return _HANDLERS[args.command](args) or 0
    except SeqkerasError as error:
        print(f"seqkeras {args.command}: error: {error}", file=sys.stderr)
        return 2
    except TrainingDiverged as error:
        print(f"seqkeras {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        # Ctrl-C: one line instead of a traceback; 130 is what shells report for SIGINT
        # (a launcher stopped by SIGTERM: 143, likewise).
        print(f"seqkeras {args.command}: {_interrupted(args, interrupt)}", file=sys.stderr)
        return getattr(interrupt, "exit_code", 130)
    except BrokenPipeError:
        # The reader went away (`seqkeras datasets | head -3`): nothing to report.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - a full disk, as whichever library met it
        place = _disk_full(error)
        if place is None:
            raise
        print(
            f"seqkeras {args.command}: error: no space left on device{place}; free some space "
            f"and run the same command again (a run resumes where it stopped).",
            file=sys.stderr,
        )
        return 1


def _disk_full(error: BaseException) -> Optional[str]:
    """`": PATH"` (or `""`) when `error` is a full disk, else `None`.

    Python raises `OSError(ENOSPC)`; TensorFlow's file system raises its own
    errors, which say so in their message.
    """
    import errno

    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return f": {error.filename}" if error.filename else ""
    if "No space left on device" in str(error):
        return ""
    cause = error.__cause__ or error.__context__
    return _disk_full(cause) if cause is not None else None


def _demo(args) -> None:
    from seqkeras.demo import run_demo

    run_demo(epochs=args.epochs, seed=args.seed)


def _pipeline_overrides(args) -> List[str]:
    """The `--set` overrides of `run` or `train` (`train` is a run without the export)."""
    first = ["export.enabled=false"] if args.command == "train" else []
    return [*first, *args.overrides]


def _run_or_train(args) -> Optional[int]:
    overrides = _pipeline_overrides(args)
    if args.workers != 1:
        return _launch(args, overrides)
    args.overrides = overrides
    import os

    from seqkeras.pipeline.training.launcher import stop_signals_raise

    if "TF_CONFIG" in os.environ:  # a worker: its launcher tells it to stop
        _run(args)
        return None
    with stop_signals_raise():  # `kill PID` says how to resume, as Ctrl-C does
        _run(args)
    return None


def _evaluate(args) -> None:
    import json

    from seqkeras.pipeline.commands.finished_run import evaluate_run

    with _progress_to_stderr():
        evaluation = evaluate_run(args.run_dir)
    if args.json:
        print(json.dumps(evaluation.metrics, indent=2, sort_keys=True))
    else:
        from seqkeras.report.metrics_table import format_metrics_table

        print(format_metrics_table(evaluation))
        print("Every metric (per class, by step, ...): seqkeras evaluate --json RUN")


def _export(args) -> None:
    from seqkeras.pipeline.commands.finished_run import export_run

    print(f"Exported to {export_run(args.run_dir)}")


def _predict(args) -> None:
    from seqkeras.pipeline.commands.prediction import DecodingOverrides
    from seqkeras.pipeline.commands.prediction import predict_run

    overrides = DecodingOverrides(
        strategy=args.strategy,
        beam_width=args.beam_width,
        length_penalty=args.length_penalty,
        temperature=args.temperature,
        top_k=args.top_k,
        seed=args.seed,
    )
    with _progress_to_stderr():
        predictions = predict_run(args.run_dir, args.inputs, overrides)
    print(f"seqkeras predict: {predictions.used}", file=sys.stderr)
    for given, output in zip(predictions.inputs, predictions.outputs):
        print(f"{_one_field(given)}\t{_one_field(output)}")


def _schema(args) -> None:
    import json

    from seqkeras.pipeline.config.schema import json_schema

    print(json.dumps(json_schema(), indent=2))


def _datasets(args) -> None:
    from seqkeras.data.catalog import format_catalog

    print(format_catalog())


#: What each command does with the parsed arguments: an exit code, or None for 0.
_HANDLERS = {
    "demo": _demo,
    "run": _run_or_train,
    "train": _run_or_train,
    "evaluate": _evaluate,
    "export": _export,
    "predict": _predict,
    "schema": _schema,
    "datasets": _datasets,
}
