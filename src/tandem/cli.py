"""Command-line interface: parses arguments, calls one library function per
command, shows progress, and turns errors into one-line messages.

Heavy modules (lxml, ctranslate2) are imported inside the commands so that
``tandem --help`` starts instantly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from tandem import __version__, summary
from tandem.errors import TandemError, printable

# The --xliff choices (tandem.formats.XLIFF_CHOICES, spelled out so that `tandem --help` does not
# import lxml; tests/test_cli.py checks that the two agree).
XLIFF_CHOICES = ("1.2", "2.1", "both")
# The glossary formats (tandem.formats.GLOSSARY_FORMATS, spelled out for the same reason).
GLOSSARY_CHOICES = ("tbx", "csv", "tsv", "dnt")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16",
                 "float16", "bfloat16", "float32", "default")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one ``tandem: error:`` line like every other error."""

    def error(self, message: str):
        hint = f" (see `{self.prog} --help`)"
        if any(arg.startswith("-") and "." in arg and not arg.startswith("--") for arg in sys.argv[1:]):
            hint += "; a file name that starts with '-' can be written ./-name or after --"
        self.exit(EXIT_USAGE, f"tandem: error: {message}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tandem",
        description="Offline translation and multilingual publishing: English articles in, "
                    "XLIFF for translators and bilingual HTML out.")
    parser.add_argument("--version", action="version", version=f"tandem {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback when something fails")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_run(commands)
    _add_merge(commands)
    _add_publish(commands)
    _add_qa(commands)
    _add_omegat(commands)
    _add_tm(commands)
    _add_glossary(commands)
    _add_models(commands)
    _add_segment(commands)
    return parser


def _add_run(commands) -> None:
    run = commands.add_parser(
        "run", help="translate articles and write XLIFF, bilingual HTML and a report",
        description="Translate each ARTICLE (UTF-8 text, HTML or Markdown) into every target language, taking reviewed and "
                    "memory translations first and the installed argos models for the rest, and write, into "
                    "OUT/NAME/: NAME.en-LANG.xlf (XLIFF 1.2), NAME.en-LANG.xliff2.xlf (XLIFF 2.1), "
                    "NAME.en-LANG.tmx, the bilingual pages NAME.en-LANG.html, the reading pages NAME.LANG.html, "
                    "index.html and report.json; for HTML and Markdown also the translated article in its "
                    "own format (NAME.translated.LANG.html, NAME.LANG.md).")
    run.add_argument("articles", nargs="*", type=Path, metavar="ARTICLE",
                     help="article file (.txt, .html/.htm: a CMS fragment or a saved page, .md/.markdown), a "
                          "folder (the article files under it, in sorted order) or a glob pattern ('news/*.md')")
    run.add_argument("--from-list", type=Path, default=None, metavar="FILE",
                     help="also read article paths from FILE, one a line (- for standard input)")
    run.add_argument("--keep-going", action="store_true",
                     help="report a bad article (file and reason) and skip it, translate the rest; the exit "
                          "code is then 1 (without it, one bad article stops the run before anything is written)")
    run.add_argument("--cluster", default=None, metavar="ADDRESS",
                     help="run the machine translation on this Ray cluster (host:port; default: $RAY_ADDRESS "
                          "if set); needs pip install 'tandem[ray]'")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    run.add_argument("--verbose", action="store_true", help="one summary line per article as it is written")
    run.add_argument("--format", choices=("text", "html", "markdown"), default=None, dest="article_format",
                     help="read every ARTICLE as this format (default: by its extension)")
    run.add_argument("--select", default=None, metavar="CSS",
                     help="HTML: the element that holds the article (default: the main <article>, else "
                          "<main>, else <body>)")
    run.add_argument("--to", default="ru,ja", metavar="LANGS",
                     help="comma-separated target languages (default: ru,ja)")
    run.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                     help="output folder (default: ./output)")
    _add_max_article(run)
    run.add_argument("--replace", action="store_true",
                     help="let an article replace a stored article of the same name that came from another "
                          "file (without it, that is refused)")
    _add_models_dir(run)
    _add_run_memory_options(run)
    _add_run_glossary_options(run)
    _add_run_model_options(run)
    run.set_defaults(handler=_cmd_run)


def _add_run_memory_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--xliff", choices=XLIFF_CHOICES, default="both",
                     help="XLIFF version(s) to write: NAME.en-LANG.xlf (1.2) and/or "
                          "NAME.en-LANG.xliff2.xlf (2.1); the other version's file is removed (default: both)")
    run.add_argument("--tm", type=Path, action="append", default=[], metavar="FILE.tmx",
                     help="import this TMX into the translation memory before translating (repeatable)")
    run.add_argument("--no-mt", action="store_true",
                     help="no machine translation: segments the memory does not cover are left empty "
                          "for the translator (no model needed)")
    _add_tm_db(run)


def _add_merge(commands) -> None:
    merge = commands.add_parser(
        "merge", help="merge reviewed XLIFF (1.2 or 2.x) back into the memory and rebuild the outputs",
        description="Read reviewed XLIFF files as CAT tools write them back, store the reviewers' work "
                    "in the translation memory (matched by unit id and source text), rebuild the "
                    "article's XLIFF, HTML and TMX in OUT/NAME/, and print what was updated, unchanged, "
                    "untouched (no target, or the source copied into an untranslated target) or "
                    "rejected. A malformed file, or one for an unknown article or language pair, "
                    "stops the merge with nothing changed.")
    merge.add_argument("files", nargs="+", type=Path, metavar="FILE.xlf",
                       help="reviewed XLIFF file, or an OmegaT project folder made by `tandem omegat`")
    merge.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                       help="output folder the article was run into (default: ./output)")
    merge.add_argument("--xliff", choices=XLIFF_CHOICES, default=None,
                       help="XLIFF version(s) to rebuild; the other version's file is removed "
                            "(default: the versions the article was last written in)")
    _add_tm_db(merge)
    merge.set_defaults(handler=_cmd_merge)


def _add_publish(commands) -> None:
    publish = commands.add_parser(
        "publish", help="rebuild an article's HTML pages from the stored translations (no MT)",
        description="Rebuild the bilingual pages, reading pages and index.html of one article in "
                    "DIR/NAME from the translation memory (DIR/tandem.db or --tm-db), e.g. after "
                    "`tandem merge`. Runs no machine translation and needs no model.")
    publish.add_argument("folder", type=Path, metavar="DIR/NAME", help="the article's output folder")
    publish.add_argument("--strict", action="store_true",
                         help="refuse to publish (exit 3, nothing written) while a sentence is unreviewed "
                              "machine translation or has an error-level QA finding; the error names the units")
    _add_tm_db(publish)
    publish.set_defaults(handler=_cmd_publish)


def _add_qa(commands) -> None:
    qa = commands.add_parser(
        "qa", help="list an article's QA findings per unit (a gate for publishing scripts)",
        description="List the QA findings of every unit of the article in DIR/NAME, from the translation "
                    "memory (what the XLIFF notes and the bilingual pages show). Exit 0 when no finding is "
                    "as severe as --fail-on, 1 when one is, 2 on bad input.")
    qa.add_argument("folder", type=Path, nargs="?", metavar="DIR/NAME", help="the article's output folder")
    qa.add_argument("--lang", default=None, metavar="LANGS", help="only these target languages (e.g. ru or ru,ja)")
    qa.add_argument("--format", default="text", choices=("text", "json"),
                    help="text: UNIT<TAB>LANG<TAB>SEVERITY<TAB>CHECK: MESSAGE per finding; json: one object "
                         "with the units that have findings (default: text)")
    qa.add_argument("--fail-on", default="error", choices=("error", "warning", "info"),
                    help="the least severe finding that makes the exit code 1 (default: error)")
    qa.add_argument("--checks", action="store_true", help="list the checks (id, severity, what it finds) and exit")
    _add_tm_db(qa)
    qa.set_defaults(handler=_cmd_qa)


def _add_omegat(commands) -> None:
    omegat = commands.add_parser(
        "omegat", help="make OmegaT 3.6 projects of an article (one per language) for translators",
        description="Write DIR/NAME/omegat-LANG/, an OmegaT project per target language, for OmegaT 3.6 "
                    "(Debian's), whose XLIFF filter shows only <target>: the project's XLIFF carries the "
                    "English, and the article's translations come as translation memories (reviewed and "
                    "memory work in tm/auto, inserted on load; MT in tm/penalty-30, shown as matches only). "
                    "Give the project folder back to `tandem merge` when the translator is done. OmegaT 4 "
                    "and later read NAME.en-LANG.xlf directly and need no project.")
    omegat.add_argument("folder", type=Path, metavar="DIR/NAME", help="the article's output folder")
    omegat.add_argument("--to", default=None, metavar="LANGS",
                        help="comma-separated target languages (default: every language of the article)")
    _add_tm_db(omegat)
    omegat.set_defaults(handler=_cmd_omegat)


def _add_tm(commands) -> None:
    tm = commands.add_parser("tm", help="import or export the translation memory as TMX 1.4b",
                             description="Exchange the translation memory (OUT/tandem.db or --tm-db) "
                                         "with other tools as TMX 1.4b.")
    actions = tm.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="add a TMX file's translations to the memory (origin tm)")
    exp = actions.add_parser("export", help="write reviewed and imported translations as TMX "
                                            "(unreviewed machine translation is not exported)")
    for parser, handler in ((imp, _cmd_tm_import), (exp, _cmd_tm_export)):
        parser.add_argument("file", type=Path, metavar="FILE.tmx")
        parser.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                            help="output folder whose tandem.db is the memory (default: ./output)")
        _add_tm_db(parser)
        parser.set_defaults(handler=handler)
    exp.add_argument("--to", default=None, metavar="LANGS",
                     help="comma-separated target languages to export (default: all)")


def _add_run_glossary_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--glossary", type=Path, action="append", default=[], metavar="FILE",
                     help="import this glossary (.tbx, .csv, .tsv, or .txt do-not-translate list) into the "
                          "memory before translating (repeatable)")
    run.add_argument("--enforce-terms", action="store_true",
                     help="substitute the preferred target term for each glossary term through a placeholder, "
                          "for names and designations; Russian case endings are then not adapted")


def _add_glossary(commands) -> None:
    glossary = commands.add_parser(
        "glossary", help="import, list or export the glossary (TBX, CSV, TSV, do-not-translate lists)",
        description="Keep a glossary in the translation memory (OUT/tandem.db or --tm-db): terms, their "
                    "translations with a status (preferred, admitted, deprecated, forbidden), and terms not "
                    "to translate.")
    actions = glossary.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="add glossary files to the memory (all or nothing)")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE",
                     help="a .tbx (TBX 2/TBX-Basic or TBX 3), .csv or .tsv (header row of language codes) or "
                          ".txt (one do-not-translate term per line) file")
    imp.add_argument("--format", choices=GLOSSARY_CHOICES, default=None,
                     help="read every FILE as this format (default: by its extension)")
    listing = actions.add_parser("list", help="show the glossary")
    listing.add_argument("--lang", default=None, metavar="LANG",
                         help="only entries with a term in LANG (or not to translate), and only LANG's terms")
    listing.add_argument("--format", choices=("text", "json"), default="text", help="output (default: text)")
    exp = actions.add_parser("export", help="write the glossary as TBX-Basic (for OmegaT, memoQ, Trados), "
                                            "CSV or TSV")
    exp.add_argument("file", type=Path, metavar="FILE.tbx|FILE.csv")
    exp.add_argument("--to", required=True, metavar="LANGS",
                     help="target language (TBX: one language pair), or comma-separated languages (CSV, TSV)")
    exp.add_argument("--format", choices=GLOSSARY_CHOICES[:3], default=None,
                     help="write this format (default: by the file's extension)")
    for parser, handler in ((imp, _cmd_glossary_import), (listing, _cmd_glossary_list), (exp, _cmd_glossary_export)):
        parser.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                            help="output folder whose tandem.db is the memory (default: ./output)")
        _add_tm_db(parser)
        parser.set_defaults(handler=handler)


def _add_max_article(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-article-mb", type=float, default=10.0, metavar="MB",
                        help="refuse an article larger than this many megabytes (10^6 bytes) of UTF-8 "
                             "(default: 10; a long feature is about 0.05)")


def _megabytes(value: float, option: str) -> int:
    if value <= 0:
        raise _usage(f"{option} must be more than 0")
    return int(value * 1_000_000)


def _usage(message: str):
    from tandem.errors import InputError

    return InputError(message)


def _add_tm_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tm-db", type=Path, default=None, metavar="PATH",
                        help="translation memory file (default: OUT/tandem.db)")


def _add_run_model_options(run: argparse.ArgumentParser) -> None:
    from tandem.settings import MAX_INTER_THREADS, EngineSettings, usable_cpus

    d, cpus = EngineSettings(), usable_cpus()
    models = run.add_argument_group("models and network")
    models.add_argument("--install-models", action="store_true",
                        help="download missing translation packages from the package index first")
    models.add_argument("--offline", action="store_true",
                        help="never access the network (a missing package is an error)")
    engine = run.add_argument_group("translation engine (thread defaults fit this machine's usable CPUs; the "
                                    "others are the fastest in the benchmark)")
    engine.add_argument("--beam-size", type=int, metavar="N", help=f"beam search width (default: {d.beam_size})")
    engine.add_argument("--device", choices=("cpu", "cuda", "auto"), help=f"where to run (default: {d.device})")
    engine.add_argument("--compute-type", choices=COMPUTE_TYPES, metavar="TYPE",
                        help=f"weights precision: {', '.join(COMPUTE_TYPES)} "
                             f"(default: {d.compute_type} = int8 where the device supports it)")
    engine.add_argument("--inter-threads", type=int, metavar="N",
                        help=f"batches translated in parallel (default: {d.inter_threads} = one per usable CPU, "
                             f"{cpus} here, at most {MAX_INTER_THREADS})")
    engine.add_argument("--intra-threads", type=int, metavar="N",
                        help=f"threads per batch, 0 = automatic (default: {d.intra_threads} = the usable CPUs "
                             f"shared out among the parallel batches, at least 1)")
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
    install.add_argument("--max-unpacked-mb", type=float, default=4096.0, metavar="MB",
                         help="refuse a package that unpacks to more than this (default: 4096; real "
                              "packages are 100-500)")
    install.add_argument("--max-compression-ratio", type=float, default=100.0, metavar="R",
                         help="refuse a package member compressed more than R:1, as zip bombs are "
                              "(default: 100; real members are at most about 6:1)")
    install.set_defaults(handler=_cmd_models_install)
    remove = actions.add_parser("remove", help="remove the installed package(s) for a pair")
    remove.add_argument("pair", nargs=2, metavar=("FROM", "TO"))
    remove.set_defaults(handler=_cmd_models_remove)
    for action in (listing, available, install, remove):
        _add_models_dir(action)


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _add_segment(commands) -> None:
    segment = commands.add_parser(
        "segment", help="split an article into sentence segments (ids, offsets, hashes)",
        description="Split FILE (an article: plain text, HTML or Markdown by its extension, other "
                    "files as text; - reads standard input) into paragraphs and sentence segments "
                    "with SRX 2.0 rules, and print one segment per line.")
    segment.add_argument("file", metavar="FILE", help="article file, or - for standard input")
    segment.add_argument("--lang", default="en", choices=("en", "ru", "ja"),
                         help="language of the text: en for articles, ru or ja for translations "
                              "(default: en)")
    segment.add_argument("--format", default="text", choices=("text", "jsonl"),
                         help="text: ID<TAB>SEGMENT, a blank line between paragraphs; jsonl: one JSON "
                              "object per segment with id, paragraph, start, end, text, hash "
                              "(and codes, for HTML and Markdown) (default: text)")
    segment.add_argument("--article-format", choices=("text", "html", "markdown"), default=None,
                         help="read FILE as this format (what `run --format` sets; default: by its "
                              "extension, standard input as text)")
    segment.add_argument("--rules", type=Path, default=None, metavar="FILE.srx",
                         help="SRX 2.0 rules file that replaces the built-in rules")
    segment.add_argument("--rules-time-limit", type=float, default=5.0, metavar="S",
                         help="seconds the --rules expressions may take on one paragraph before the file "
                              "is refused as too slow (catastrophic backtracking) (default: 5)")
    _add_max_article(segment)
    segment.set_defaults(handler=_cmd_segment)


def _add_models_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models-dir", type=Path, default=None, metavar="DIR",
                        help="argos packages folder (default: $ARGOS_PACKAGES_DIR, else "
                             "~/.local/share/argos-translate/packages, as argostranslate uses)")


def _packages_dir(args: argparse.Namespace) -> Path:
    from tandem.settings import default_packages_dir

    return args.models_dir or default_packages_dir()


def _run_inputs(args: argparse.Namespace, workspace) -> list[Path]:
    """The article files of the command line and ``--from-list``."""
    from tandem import inputs

    listed = inputs.read_list(args.from_list, sys.stdin) if args.from_list is not None else ()
    return inputs.expand(args.articles, listed, exclude=workspace.out_dir)


def _cmd_run(args: argparse.Namespace) -> int:
    from tandem import pipeline, progress
    from tandem.settings import Workspace, run_settings

    settings = run_settings(to=args.to, models_dir=args.models_dir, xliff=args.xliff, no_mt=args.no_mt,
                            tm_files=args.tm, offline=args.offline, install_models=args.install_models,
                            engine=_engine_settings(args), replace=args.replace,
                            max_article_bytes=_megabytes(args.max_article_mb, "--max-article-mb"),
                            article_format=args.article_format, select=args.select,
                            glossary_files=args.glossary, enforce_terms=args.enforce_terms,
                            keep_going=args.keep_going, cluster=args.cluster)
    workspace = Workspace(args.out, args.tm_db)
    paths = _run_inputs(args, workspace)
    with progress.display(args.out, quiet=args.quiet, verbose=args.verbose) as shown:
        pipeline.run(paths, workspace, settings, progress=shown.message, events=shown)
    return EXIT_FAILURE if shown.skipped_paths else EXIT_OK


def _cmd_merge(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Workspace

    _print_lines(summary.merge_lines(*pipeline.merge(args.files, Workspace(args.out, args.tm_db), args.xliff)))
    return EXIT_OK


def _cmd_publish(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import publish_workspace

    folder, workspace = publish_workspace(args.folder, args.tm_db)
    pages = pipeline.publish(folder, workspace, strict=args.strict)
    print(f"published {len(pages)} pages in {folder}/: {', '.join(p.name for p in pages)}")
    return EXIT_OK


def _cmd_qa(args: argparse.Namespace) -> int:
    from tandem import pipeline, quality
    from tandem.document import Severity
    from tandem.settings import parse_targets, publish_workspace

    if args.checks:
        from tandem import qa

        return _print_lines(qa.describe())
    if args.folder is None:
        raise _usage("qa needs DIR/NAME (or --checks)")
    folder, workspace = publish_workspace(args.folder, args.tm_db)
    found = pipeline.qa(folder, workspace, parse_targets(args.lang) if args.lang else None)
    lines = [quality.as_json(folder.name, found)] if args.format == "json" else quality.as_text(found)
    _print_lines(lines)
    return EXIT_FAILURE if quality.failing(found, Severity(args.fail_on)) else EXIT_OK


def _cmd_omegat(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import parse_targets, publish_workspace

    folder, workspace = publish_workspace(args.folder, args.tm_db)
    targets = parse_targets(args.to) if args.to else None
    for project in pipeline.omegat_projects(folder, workspace, targets):
        print(f"OmegaT project: {project}/ (open it in OmegaT; then `tandem merge {project}`)")
    return EXIT_OK


def _cmd_tm_import(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Workspace

    workspace = Workspace(args.out, args.tm_db)
    read, changed, refused = pipeline.tm_import(args.file, workspace)
    print(summary.tm_import_line(args.file, read, changed, refused, workspace.tm_path))
    return EXIT_OK


def _cmd_tm_export(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Workspace, parse_targets

    workspace = Workspace(args.out, args.tm_db)
    count = pipeline.tm_export(args.file, workspace, parse_targets(args.to) if args.to else None)
    print(f"{workspace.tm_path}: {count} translations written to {args.file}")
    return EXIT_OK


def _cmd_glossary_import(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Workspace

    workspace = Workspace(args.out, args.tm_db)
    for path, read, c in pipeline.glossary_import(args.files, workspace, args.format):
        print(f"{path}: {read} glossary entries read: {c.added} added, {c.updated} updated, "
              f"{c.unchanged} unchanged -> {workspace.tm_path}")
    return EXIT_OK


def _cmd_glossary_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tandem import pipeline
    from tandem.settings import Workspace

    workspace = Workspace(args.out, args.tm_db)
    entries = pipeline.glossary_entries(workspace, args.lang.strip().lower() if args.lang else None)
    if args.format == "json":
        return _print_json([asdict(e) for e in entries])
    if not entries:
        _progress(f"no glossary entries{f' for {args.lang}' if args.lang else ''} in {workspace.tm_path}")
    return _print_lines(_glossary_line(e) for e in entries)


def _glossary_line(entry) -> str:
    """``Sergei Lavrov -> ru: Сергей Лавров, Сергей Лавроф (forbidden); ja: ...  [case-sensitive]``."""
    def shown(term) -> str:
        return term.text if term.status.value == "preferred" else f"{term.text} ({term.status.value})"

    languages = dict.fromkeys(t.language for t in entry.translations)
    terms = "; ".join(f"{lang}: {', '.join(shown(t) for t in entry.terms(lang))}" for lang in languages)
    flags = [name for name, on in (("do not translate", entry.do_not_translate),
                                   ("case-sensitive", entry.case_sensitive)) if on]
    return entry.source + (f" -> {terms}" if terms else "") + (f"  [{', '.join(flags)}]" if flags else "")


def _cmd_glossary_export(args: argparse.Namespace) -> int:
    from tandem import pipeline
    from tandem.settings import Workspace, parse_targets

    workspace = Workspace(args.out, args.tm_db)
    count = pipeline.glossary_export(args.file, workspace, parse_targets(args.to), args.format)
    print(f"{workspace.tm_path}: {count} glossary entries written to {args.file}")
    return EXIT_OK


def _engine_settings(args: argparse.Namespace):
    from tandem.settings import EngineSettings

    names = ("beam_size", "device", "compute_type", "inter_threads", "intra_threads", "max_batch_tokens")
    return EngineSettings(**{n: getattr(args, n) for n in names if getattr(args, n) is not None})


def _index_settings(args: argparse.Namespace):
    from tandem.settings import IndexSettings

    return IndexSettings.from_environment(offline=args.offline)


def _cmd_models_list(args: argparse.Namespace) -> int:
    from tandem.mt.routes import models_overview

    overview = models_overview(_packages_dir(args))
    return _print_json(overview) if args.json else _print_lines(summary.models_list_lines(overview))


def _cmd_models_available(args: argparse.Namespace) -> int:
    from tandem.mt.index import available_overview

    packages = available_overview(_packages_dir(args), _index_settings(args), refresh=args.refresh)
    return _print_json(packages) if args.json else _print_lines(summary.available_lines(packages))


def _cmd_models_install(args: argparse.Namespace) -> int:
    from tandem.mt.index import install

    from tandem.mt.models import PackageLimits

    if args.max_compression_ratio <= 0:
        raise _usage("--max-compression-ratio must be more than 0")
    limits = PackageLimits(max_total_bytes=_megabytes(args.max_unpacked_mb, "--max-unpacked-mb"),
                           max_ratio=args.max_compression_ratio)
    with _DownloadBar(f"translate-{'_'.join(args.pair)}") as bar:
        package = install(args.pair, args.file, _packages_dir(args), _index_settings(args), bar.update,
                          limits=limits)
    print(f"installed {package.name} {package.version} ({package.from_code}->{package.to_code}) in {package.path}")
    return EXIT_OK


def _cmd_segment(args: argparse.Namespace) -> int:
    from tandem import segment
    from tandem.segment import output

    if args.rules_time_limit <= 0:
        raise _usage("--rules-time-limit must be more than 0")
    article = segment.segment_source(args.file, language=args.lang, rules=args.rules, stdin=sys.stdin.buffer,
                                     time_limit=args.rules_time_limit,
                                     max_bytes=_megabytes(args.max_article_mb, "--max-article-mb"),
                                     format=args.article_format)
    return _print_lines(output.lines(article, args.format))


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


def _print_lines(lines: Iterable[str]) -> int:
    for line in lines:
        print(line)
    return EXIT_OK


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
    except BrokenPipeError:
        # The reader went away (`tandem segment big.txt | head`): not an error.
        # Point stdout at devnull so the interpreter's final flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug, not bad input: say so in one line
        if args.debug:
            raise
        print(printable(f"tandem: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"),
              file=sys.stderr)
        return EXIT_FAILURE
