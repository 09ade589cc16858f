"""The same articles, without charts and macros, as sites for Pelican and Hugo.

Pelican is pip-installed (with `markdown`) into its own venv under the work folder on first use; Hugo is
used only when the `hugo` command is already installed (Debian package `hugo`). Nothing else is fetched.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from corpus import Article, Corpus, plain_body

PELICANCONF = """\
# Minimal settings: the built-in theme, default feeds and index pages; content cache on.
AUTHOR = "Tim Buletin"
SITENAME = "Buletin uji kecepatan"
SITEURL = ""
RELATIVE_URLS = True
PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
TIMEZONE = "Asia/Makassar"
DEFAULT_LANG = "id"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
"""

HUGO_CONFIG = """\
baseURL = "/"
languageCode = "id"
title = "Buletin uji kecepatan"
relativeURLs = true
cacheDir = {cache!r}
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="{{ .Site.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }} · {{ delimit (.Params.authors | default (slice)) ", " }}</p>
{{ .Content }}
</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Summary }}</li>{{ end }}</ul>
{{ end }}
""",
}


def _front(article: Article) -> dict[str, str]:
    """The article's front matter as simple `key: value` text pairs."""
    return dict(line.split(": ", 1) for line in article.front.strip().splitlines())


class Pelican:
    name = "Pelican"

    def __init__(self, root: Path):
        self.root = root
        self.venv = root.parent / "venv-pelican"
        self.content = root / "content"

    def available(self) -> str | None:
        """None when usable (installing it first if needed), else why not."""
        binary = self.venv / "bin" / "pelican"
        if not binary.exists():
            print(f"installing pelican and markdown from PyPI into {self.venv} ...", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
            done = subprocess.run([str(self.venv / "bin" / "pip"), "install", "--quiet", "pelican", "markdown"],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                shutil.rmtree(self.venv, ignore_errors=True)
                return f"pip install pelican markdown failed: {done.stderr.strip()[-500:]}"
        return None

    def version(self) -> str:
        done = subprocess.run([str(self.venv / "bin" / "pelican"), "--version"], capture_output=True, text=True)
        return done.stdout.strip()

    def write(self, corpus: Corpus) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        for article in corpus.articles:
            front = _front(article)
            meta = [f"Title: {front['title']}", f"Date: {front['date']}", f"Slug: {article.slug}",
                    f"Authors: {front['authors'].strip('[]')}", f"Tags: {front['tags'].strip('[]')}",
                    f"Summary: {front['summary']}", f"Location: {front['location']}"]
            path = self.article_path(article)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(meta) + "\n\n" + plain_body(article.body), encoding="utf-8")
        (self.root / "pelicanconf.py").write_text(PELICANCONF.format(
            content=str(self.content), output=str(self.root / "output"), cache=str(self.root / "cache")))

    def article_path(self, article: Article) -> Path:
        return self.content / article.period / f"{article.slug}.md"

    def clean(self) -> None:
        for name in ("output", "cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def command(self) -> list[str]:
        return [str(self.venv / "bin" / "pelican"), str(self.content), "-s", str(self.root / "pelicanconf.py"),
                "-o", str(self.root / "output"), "-q"]


class Hugo:
    name = "Hugo"

    def __init__(self, root: Path):
        self.root = root
        self.binary = shutil.which("hugo")

    def available(self) -> str | None:
        return None if self.binary else "not installed (Debian package `hugo`)"

    def version(self) -> str:
        done = subprocess.run([self.binary, "version"], capture_output=True, text=True)
        return done.stdout.strip()

    def write(self, corpus: Corpus) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        for period in sorted({a.period for a in corpus.articles}):
            self._write(f"content/{period}/_index.md", f"---\ntitle: Edisi {period}\n---\n")
        for article in corpus.articles:
            self._write(str(self.article_path(article).relative_to(self.root)),
                        f"---\n{article.front}---\n\n{plain_body(article.body)}")
        for name, text in HUGO_LAYOUTS.items():
            self._write(f"layouts/{name}", text)
        self._write("config.toml", HUGO_CONFIG.format(cache=str(self.root / ".hugo-cache")))

    def _write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def article_path(self, article: Article) -> Path:
        return self.root / "content" / article.period / f"{article.slug}.md"

    def clean(self) -> None:
        for name in ("public", "resources", ".hugo-cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def command(self) -> list[str]:
        return [self.binary, "--source", str(self.root), "--destination", str(self.root / "public"), "--quiet"]
