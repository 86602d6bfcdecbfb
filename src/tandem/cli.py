"""Command-line interface: parses arguments, calls one library function per
command, shows progress, and turns errors into one-line messages.

Heavy modules (lxml, ctranslate2) are imported inside the commands so that
``tandem --help`` starts instantly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tandem import __version__
from tandem.errors import TandemError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                 "float16", "bfloat16", "float32", "default")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem",
        description="Offline translation and multilingual publishing: English articles in, "
                    "XLIFF for translators and bilingual HTML out.")
    parser.add_argument("--version", action="version", version=f"tandem {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback when something fails")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_run(commands)
    _add_models(commands)
    return parser


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run", help="translate articles and write XLIFF, bilingual HTML and a report",
        description="Translate each ARTICLE (UTF-8 text) into every target language with the "
                    "installed argos models and write, into OUT/NAME/: NAME.en-LANG.xlf (XLIFF 1.2), "
                    "NAME.en-LANG.html (bilingual page) and report.json.")
    run.add_argument("articles", nargs="+", type=Path, metavar="ARTICLE", help="article file (.txt)")
    run.add_argument("--to", default="ru,ja", metavar="LANGS",
                     help="comma-separated target languages (default: ru,ja)")
    run.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                     help="output folder (default: ./output)")
    _add_models_dir(run)
    _add_run_model_options(run)
    run.set_defaults(handler=_cmd_run)


def _add_run_model_options(run: argparse.ArgumentParser) -> None:
    from tandem.settings import EngineSettings

    d = EngineSettings()
    models = run.add_argument_group("models and network")
    models.add_argument("--install-models", action="store_true",
                        help="download missing translation packages from the package index first")
    models.add_argument("--offline", action="store_true",
                        help="never access the network (a missing package is an error)")
    engine = run.add_argument_group("translation engine (defaults: fastest on the 2-core benchmark machine)")
    engine.add_argument("--beam-size", type=int, metavar="N", help=f"beam search width (default: {d.beam_size})")
    engine.add_argument("--device", choices=("cpu", "cuda", "auto"), help=f"where to run (default: {d.device})")
    engine.add_argument("--compute-type", choices=COMPUTE_TYPES, metavar="TYPE",
                        help=f"weights precision: {', '.join(COMPUTE_TYPES)} "
                             f"(default: {d.compute_type} = int8 where the device supports it)")
    engine.add_argument("--inter-threads", type=int, metavar="N",
                        help=f"batches translated in parallel (default: {d.inter_threads})")
    engine.add_argument("--intra-threads", type=int, metavar="N",
                        help=f"threads per batch, 0 = automatic (default: {d.intra_threads})")
    engine.add_argument("--max-batch-tokens", type=int, metavar="N",
                        help=f"source tokens per batch (default: {d.max_batch_tokens})")


def _add_models(commands) -> None:
    models = commands.add_parser("models", help="list, download, install and remove argos translation models",
                                 description="Manage the argos translation packages Tandem uses. The package "
                                             "index is $ARGOS_PACKAGE_INDEX (a base URL that index.json is "
                                             "appended to, or the full URL of a .json index), as for argospm.")
    actions = models.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="installed packages and the pairs `tandem run` can serve")
    _add_json(listing)
    listing.set_defaults(handler=_cmd_models_list)
    available = actions.add_parser("available", help="packages in the package index (cached for a day)")
    _add_json(available)
    available.add_argument("--refresh", action="store_true", help="download the index even if cached")
    available.add_argument("--offline", action="store_true", help="use the cached index only")
    available.set_defaults(handler=_cmd_models_available)
    install = actions.add_parser("install", help="download and install a package, or install a local file",
                                 description="Install FROM->TO from the package index, or --file PATH.")
    install.add_argument("pair", nargs="*", metavar="FROM TO", help="language pair, e.g. en ja")
    install.add_argument("--file", type=Path, metavar="PATH", help="install this .argosmodel file (no network)")
    install.add_argument("--offline", action="store_true", help="refuse to access the network")
    install.set_defaults(handler=_cmd_models_install)
    remove = actions.add_parser("remove", help="remove the installed package(s) for a pair")
    remove.add_argument("pair", nargs=2, metavar=("FROM", "TO"))
    remove.set_defaults(handler=_cmd_models_remove)
    for action in (listing, available, install, remove):
        _add_models_dir(action)


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _add_models_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", type=Path, default=None, metavar="DIR",
                        help="argos packages folder (default: $ARGOS_PACKAGES_DIR, else "
                             "~/.local/share/argos-translate/packages, as argostranslate uses)")


def _packages_dir(args: argparse.Namespace) -> Path:
    from tandem.settings import default_packages_dir

    return args.models_dir or default_packages_dir()


def _cmd_run(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Settings, parse_targets

    settings = Settings(targets=parse_targets(args.to), out_dir=args.out, packages_dir=_packages_dir(args),
                        engine=_engine_settings(args), index=_index_settings(args),
                        install_models=args.install_models)
    for report in pipeline.run(args.articles, settings, progress=_progress):
        targets = ", ".join(f"{lang} {t['translated_segments']}/{report.segments}"
                            for lang, t in report.targets.items())
        print(f"{report.article}: {report.segments} segments translated ({targets}) -> {report.output_dir}/")
    return EXIT_OK


def _engine_settings(args: argparse.Namespace):
    from tandem.settings import EngineSettings

    names = ("beam_size", "device", "compute_type", "inter_threads", "intra_threads", "max_batch_tokens")
    return EngineSettings(**{n: getattr(args, n) for n in names if getattr(args, n) is not None})


def _index_settings(args: argparse.Namespace):
    from tandem.settings import IndexSettings

    return IndexSettings.from_environment(offline=getattr(args, "offline", False))


def _cmd_models_list(args: argparse.Namespace) -> int:
    from tandem.mt.routes import models_overview

    overview = models_overview(_packages_dir(args))
    if args.json:
        return _print_json(overview)
    if not overview["packages"]:
        print(f"no translation packages installed in {overview['packages_dir']}")
    for p in overview["packages"]:
        print(f"{p['from']}->{p['to']}  {p['name']}  {p['version']}  {_size(p['size'])}  {p['path']}")
    if overview["pairs"]:
        print("pairs tandem run can serve: " + ", ".join(r["pair"] + (f" (via {r['via']})" if r["via"] else "")
                                                        for r in overview["pairs"]))
    return EXIT_OK


def _cmd_models_available(args: argparse.Namespace) -> int:
    from tandem.mt.index import available_overview

    packages = available_overview(_packages_dir(args), _index_settings(args), refresh=args.refresh)
    if args.json:
        return _print_json(packages)
    for p in packages:
        mark = f"installed {p['installed']}" if p["installed"] else ""
        print(f"{p['from']}->{p['to']}  {p['name']}  {p['version']}  {p['from_name']} -> {p['to_name']}  "
              f"{mark}".rstrip())
    return EXIT_OK


def _cmd_models_install(args: argparse.Namespace) -> int:
    from tandem.errors import InputError

    if bool(args.file) == bool(args.pair) or (args.pair and len(args.pair) != 2):
        raise InputError("give either FROM TO (e.g. `tandem models install en ja`) or --file PATH.argosmodel")
    if args.file:
        from tandem.mt.models import install_from_file

        package = install_from_file(args.file, _packages_dir(args))
    else:
        from tandem.mt.index import install_from_index

        with _DownloadBar(f"translate-{args.pair[0]}_{args.pair[1]}") as bar:
            package = install_from_index(*args.pair, _packages_dir(args), _index_settings(args), bar.update)
    print(f"installed {package.name} {package.version} ({package.from_code}->{package.to_code}) in {package.path}")
    return EXIT_OK


def _cmd_models_remove(args: argparse.Namespace) -> int:
    from tandem.mt.models import remove_package

    for package in remove_package(_packages_dir(args), *args.pair):
        print(f"removed {package.name} {package.version} from {package.path}")
    return EXIT_OK


class _DownloadBar:
    """A tqdm progress bar on stderr (size, speed, ETA), created when the size is known."""

    def __init__(self, label: str) -> None:
        self.label, self.bar = label, None

    def update(self, done: int, total: int | None) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit="B", unit_scale=True,
                            unit_divisor=1024, file=sys.stderr, mininterval=0.2)
        self.bar.update(done - self.bar.n)

    def __enter__(self) -> "_DownloadBar":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def _print_json(data) -> int:
    import json

    print(json.dumps(data, ensure_ascii=False, indent=2))
    return EXIT_OK


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _progress(message: str) -> None:
    print(f"tandem: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tandem`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except TandemError as exc:
        if args.debug:
            raise
        print(f"tandem: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tandem: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so in one line
        if args.debug:
            raise
        print(f"tandem: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_FAILURE
