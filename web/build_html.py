"""Build the web edition: every chapter of notebooks/ as a static HTML page, plus an index.

    python web/build_html.py [--output build/html]      (what `make html` runs)

Each chapter is rendered by nbconvert's HTMLExporter with the outputs stored in the
notebook, so the graphs stay inline SVG, the plots inline PNG, and nothing is executed.
nbconvert comes with JupyterLab, so the site needs no package beyond the course's own;
``web/templates/minigrad`` extends nbconvert's "lab" template with a chapter navigation
bar, and ``web/templates/index.md.j2`` is the first page, in Markdown, rendered the same way.

The formulas are typeset in the reader's browser by MathJax, which is copied beside the pages
(``mathjax/``, from the ``jupyter-server-mathjax`` package, Jupyter's own copy of MathJax 2.7):
the site needs no network, so it works offline, behind a firewall, or from a USB stick.

Two things are adapted for a page without a kernel:
- widgets show their static picture (the ``text/html`` every course widget also
  provides) instead of a live view that would need a kernel and a widget manager;
- links between chapters point to their pages, and links to exercise notebooks to copies
  of them beside the pages (to download and open in Jupyter).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

REPOSITORY = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
COURSE_TITLE = "minigrad"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Chapter and exercise files are named NN_short_name.ipynb (course.md).
NOTEBOOK_NAME = re.compile(r"\d\d_[A-Za-z0-9_-]+\.ipynb")
# A Markdown link target: ](target) or ](target "title").
LINK = re.compile(r"\]\((?P<target>[^)\s]+)(?P<rest>[^)]*)\)")


@dataclass(frozen=True)
class Chapter:
    path: Path
    number: str  # "02"
    name: str  # "A scalar engine", Markdown as written in the notebook's first heading

    @property
    def href(self) -> str:
        return self.path.stem + ".html"

    @property
    def title(self) -> str:
        """The name as plain text (for <title> and the navigation links)."""
        return f"{self.number} — {self.name.replace('`', '')}"


def find_chapters(notebooks: Path) -> list[Chapter]:
    """The chapters in notebooks/, in order, each with the title of its first heading."""
    chapters = []
    for path in sorted(notebooks.glob("*.ipynb")):
        if not NOTEBOOK_NAME.fullmatch(path.name):
            continue
        notebook = nbformat.read(path, as_version=4)
        number, name = path.name[:2], path.stem[3:].replace("_", " ")
        for cell in notebook.cells:
            heading = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
            if heading:
                # "02 — A scalar engine": the number is shown separately.
                name = re.sub(r"^\d+\s*[—–-]\s*", "", heading.group(1).strip())
                break
        chapters.append(Chapter(path, number, name))
    return chapters


class StaticWidgets(Preprocessor):
    """Show each widget's static picture: drop the live view, keep its ``text/html``.

    A widget's live view needs a kernel (or the widget state and a widget manager from a
    CDN); every course widget also puts a picture of its first state in ``text/html``,
    which is what a reader of a web page can see.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        return cell, resources


class SiteLinks(Preprocessor):
    """Point links to other chapters at their pages, and links to exercises at copies."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(lambda match: self._link(match, resources), cell.source)
        return cell, resources

    @staticmethod
    def _link(match: re.Match, resources) -> str:
        target, rest = match.group("target"), match.group("rest")
        path, hash_, anchor = target.partition("#")
        name = path.rsplit("/", 1)[-1]
        site = resources.get("minigrad", {})
        if NOTEBOOK_NAME.fullmatch(name):
            folder = path[: -len(name)].rstrip("/")
            if folder in ("", ".", "../notebooks") and name in site.get("chapter_files", ()):
                path = name[: -len(".ipynb")] + ".html"
            elif folder == "../exercises" and name in site.get("exercise_files", ()):
                path = f"exercises/{name}"
        return f"]({path}{hash_}{anchor}{rest})"


def inline_svg(svg: str) -> str:
    """An SVG document as an element for an HTML page: without its XML declaration and DOCTYPE."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


# MathJax 2.7's combined configuration for TeX input shipped by jupyter-server-mathjax, with
# the "Safe" extension nbconvert's own address uses (no JavaScript from inside a formula).
MATHJAX_ENTRY = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"


def copy_mathjax(output: Path) -> str:
    """Copy MathJax into ``output/mathjax``; return the address the pages load it from."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SystemExit(
            "the web edition ships MathJax with its pages, from the jupyter-server-mathjax package, "
            "which is not installed: run `make setup` (it is in requirements.txt), or pass "
            "--mathjax-url URL to load MathJax from elsewhere"
        ) from None
    static = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    shutil.copytree(static, output / "mathjax", dirs_exist_ok=True)
    return f"mathjax/{MATHJAX_ENTRY}"


def make_exporter(mathjax_url: str) -> HTMLExporter:
    exporter = HTMLExporter(template_name="minigrad", extra_template_basedirs=[str(TEMPLATES)])
    exporter.mathjax_url = mathjax_url
    exporter.register_filter("inline_svg", inline_svg)
    exporter.register_preprocessor(StaticWidgets(), enabled=True)
    exporter.register_preprocessor(SiteLinks(), enabled=True)
    return exporter


def build(output: Path, notebooks: Path = REPOSITORY / "notebooks",
          exercises: Path = REPOSITORY / "exercises", mathjax_url: str | None = None) -> list[Path]:
    """Render every chapter of ``notebooks`` and the index into ``output``; return the pages.

    The formulas are typeset in the reader's browser by MathJax, by default the copy this
    writes into ``output/mathjax``; ``mathjax_url`` points the pages at another one instead.
    """
    chapters = find_chapters(notebooks)
    if not chapters:
        raise SystemExit(f"no chapter notebooks (NN_name.ipynb) in {notebooks}: nothing to render")
    exercise_paths = sorted(p for p in exercises.glob("*.ipynb") if NOTEBOOK_NAME.fullmatch(p.name))
    output.mkdir(parents=True, exist_ok=True)
    if exercise_paths:
        (output / "exercises").mkdir(exist_ok=True)
        for path in exercise_paths:
            shutil.copyfile(path, output / "exercises" / path.name)

    exporter = make_exporter(mathjax_url or copy_mathjax(output))
    site = {
        "course_title": COURSE_TITLE,
        "chapter_files": [chapter.path.name for chapter in chapters],
        "exercise_files": [path.name for path in exercise_paths],
    }
    pages = []
    for position, chapter in enumerate(chapters):
        neighbours = {
            "previous": chapters[position - 1] if position > 0 else None,
            "next": chapters[position + 1] if position + 1 < len(chapters) else None,
        }
        links = {key: {"href": c.href, "title": c.title} if c else None for key, c in neighbours.items()}
        notebook = nbformat.read(chapter.path, as_version=4)
        notebook.metadata["title"] = f"{chapter.title} · {COURSE_TITLE}"
        page = _render(exporter, notebook, chapter.path.stem, {**site, **links, "show_navigation": True})
        pages.append(_write(output / chapter.href, page))

    index_markdown = _index_template().render(
        course_title=COURSE_TITLE,
        chapters=chapters,
        exercises=[{"stem": p.stem, "href": f"exercises/{p.name}"} for p in exercise_paths],
    )
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(index_markdown)])
    index.metadata["title"] = f"{COURSE_TITLE}: the course"
    page = _render(exporter, index, "index", {**site, "show_navigation": False})
    return [_write(output / "index.html", page), *pages]


def _index_template() -> jinja2.Template:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     keep_trailing_newline=True, autoescape=False)
    return environment.get_template("index.md.j2")


def _render(exporter: HTMLExporter, notebook, name: str, site: dict) -> str:
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}, "minigrad": site})
    return body


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPOSITORY / "build" / "html",
                        help="folder to write the site into (default: build/html)")
    parser.add_argument("--mathjax-url", default=None,
                        help="where the pages load MathJax from (default: a copy written beside them)")
    arguments = parser.parse_args(argv)
    pages = build(arguments.output, mathjax_url=arguments.mathjax_url)
    print(f"wrote {len(pages)} pages to {arguments.output}; open {arguments.output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
