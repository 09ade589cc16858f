"""`new site DIR`: a minimal, working site for a new office: config, one edition with one article that quotes a
value and draws a chart, a small dataset with its schema, the CI files for GitHub and GitLab, and a README."""
from __future__ import annotations

import datetime as dt
import os
import re
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from buletin import __version__
from buletin.i18n import NEW_SITE_WORDS
from buletin.inputs import clock
from buletin.messages import _
from buletin.periods import Period
from buletin.problems import Problems, SiteError

ZONES = {"id": "Asia/Jakarta", "en": "UTC"}

def create_site(target: Path, title: str | None, language: str, frequency: str,
                today: dt.date | None = None, zone: str | None = None) -> list[str]:
    """Write the new site into `target` (which must be missing or empty); the files written, relative to it."""
    if target.is_symlink() and not target.exists():  # a link to nowhere: no folder can be made in its place
        _refuse(target, _("this is a link to {place}, which does not exist, so nothing was written: make that "
                          "folder, or choose a new folder name").format(place=os.readlink(target)))
    if target.exists() and not target.is_dir():
        _refuse(target, _("this is a file, not a folder, so nothing was written: choose a new folder name"))
    if target.exists() and any(target.iterdir()):
        _refuse(target, _("this folder is not empty, so nothing was written: choose a new folder name"))
    zone = zone or ZONES[language]
    today = today or clock.today(ZoneInfo(zone))  # SOURCE_DATE_EPOCH when set, as for a build
    period = _period_of(today, frequency)
    written = _files(title or NEW_SITE_WORDS[language]["title"], language, frequency, zone, period, today)
    for rel, text in written.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(written)


def _refuse(target: Path, message: str) -> None:
    """Stop with `message` at `target`, before anything is written."""
    problems = Problems()
    problems.add(str(target), None, message)
    raise SiteError(problems)


def _period_of(day: dt.date, frequency: str) -> Period:
    index = {"monthly": day.month, "quarterly": (day.month - 1) // 3 + 1, "yearly": 1}[frequency]
    return Period(day.year, index, frequency)


def _files(title: str, language: str, frequency: str, zone: str, period: Period, today: dt.date) -> dict[str, str]:
    words = NEW_SITE_WORDS[language]
    previous = period.previous()
    field_type = {"monthly": "yearmonth", "quarterly": "string", "yearly": "year"}[frequency]
    rows = [(previous, "A", 120), (previous, "B", 95), (previous, "C", 60),
            (period, "A", 128), (period, "B", 90), (period, "C", 71)]
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return {
        "site.yaml": f"title: {quoted}\nlanguage: {language}\nfrequency: {frequency}\ntimezone: {zone}\n"
                     f"description: {words['description']}\npublisher: {words['publisher']}\n"
                     f"license: CC BY 4.0\nnotice: {words['notice']}\n"
                     f"# base_url: https://example.go.id/buletin/  # {words['base_url']}\n",
        "build.py": f'"""{words["build_doc"]}"""\n'
                    "from buletin.cli import main\n\n"
                    f'if __name__ == "__main__":  # {words["build_why"]}\n'
                    "    raise SystemExit(main())\n",
        "requirements.txt": _requirements(words),
        ".gitignore": "output/\npublic/\n.buletin-cache/\n__pycache__/\n.venv/\n",
        "data/datapackage.yaml": (
            f"resources:\n- name: contoh\n  path: contoh.csv\n  title: {words['dataset']}\n"
            f"  sources:\n  - title: {words['source']}\n  schema:\n    fields:\n"
            f"    - {{name: periode, type: {field_type}, title: {words['period']}, constraints: {{required: true}}}}\n"
            f"    - {{name: wilayah, type: string, title: {words['area']}, constraints: {{required: true}}}}\n"
            f"    - {{name: nilai, type: integer, title: {words['value']}, constraints: {{required: true, "
            f"minimum: 0}}}}\n    primaryKey: [periode, wilayah]\n"),
        "data/contoh.csv": "periode,wilayah,nilai\n" + "".join(f"{p},{words['area']} {a},{v}\n" for p, a, v in rows),
        f"content/{period}/index.md": (
            f"---\nsummary: {words['summary']}\nhighlights:\n  - '{words['point']}'\n"
            f"figures:\n  - {{data: contoh, y: nilai, label: {words['value']}}}\n---\n\n"
            f"{words['intro']} `content/{period}/index.md`.\n"),
        f"content/{period}/{_slug(words['article'])}.md": (
            f"---\ntitle: {words['article']}\ndate: {today.isoformat()}\n---\n\n{words['body']}\n\n"
            f"```chart\ntitle: {words['chart']}\ntype: barh\ndata: contoh\n"
            f'filter: {{periode: "{{{{ edition.period }}}}"}}\nx: wilayah\ny: nilai\nsort: desc\n```\n'),
        f"content/pages/{_slug(words['about'])}.md": f"---\ntitle: {words['about']}\n---\n\n{words['about_text']}\n",
        ".github/workflows/check.yml": _skeleton("check.yml"),
        ".github/workflows/pages.yml": _daily_at_midnight(_skeleton("pages.yml"), zone),
        ".gitlab-ci.yml": _skeleton("gitlab-ci.yml"),
        "README.md": _readme(title, language, period),
    }


def _requirements(words: dict[str, str]) -> str:
    """requirements.txt: buletin from where this one came, when CI can reach that too (a repository or a web
    address); else from the package index, with a comment on writing where the office keeps it instead."""
    source = installed_from()
    if source is not None and not source.startswith("file:"):
        return f"# {words['requirements']}\n{source}\n"
    return f"# {words['requirements']}\n# {words['requirements_where']}\nbuletin>={__version__},<1\n"


def installed_from() -> str | None:
    """Where this buletin was installed from, as a requirement (`buletin @ git+https://...@v0.1.0`), or as a
    `file:` address for a folder or file on this computer; None when it came from a package index (pip's
    direct_url.json, PEP 610, says)."""
    import json
    from importlib.metadata import distributions

    # pip's record, not a source tree's buletin.egg-info, which the path may list first
    recorded = (found.read_text("direct_url.json") for found in distributions(name="buletin"))
    try:
        info = json.loads(next((text for text in recorded if text), "null"))
    except ValueError:
        return None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("file:"):
        return url
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        # a release's tag as asked for (v0.1.0); else the very commit, not a branch that moves on
        asked = vcs.get("requested_revision")
        revision = asked if isinstance(asked, str) and re.fullmatch(r"v?\d+(\.\d+)*", asked) else vcs.get("commit_id")
        url = f"{vcs['vcs']}+{url}" + (f"@{revision}" if revision else "")
    subdirectory = info.get("subdirectory")
    return f"buletin @ {url}" + (f"#subdirectory={subdirectory}" if subdirectory else "")


def _slug(text: str) -> str:
    from buletin.urls import slugify

    return slugify(text)


def _skeleton(name: str) -> str:
    return files("buletin").joinpath("skeleton", name).read_text(encoding="utf-8")


def _daily_at_midnight(workflow: str, zone: str) -> str:
    """The daily run just after the site's midnight, in UTC as GitHub's schedule wants it."""
    offset = dt.datetime.now(ZoneInfo(zone)).utcoffset() or dt.timedelta()
    minutes = (17 - int(offset.total_seconds() // 60)) % (24 * 60)
    hour, minute = divmod(minutes, 60)
    workflow = re.sub(r'- cron: "\d+ \d+ \* \* \*"', f'- cron: "{minute} {hour} * * *"', workflow)
    return re.sub(r"# \d+:\d+ UTC is 00:17 in [^,]+, just after the site's midnight\.",
                  f"# {hour:02d}:{minute:02d} UTC is 00:17 in {zone}, just after the site's midnight.", workflow)


def _readme(title: str, language: str, period: Period) -> str:
    if language == "id":
        return f"""# {title}

Situs buletin ini dibuat dengan buletin. Isinya berkas teks dan data:

- `site.yaml`: judul, bahasa, penerbit, alamat situs (`base_url`).
- `content/{period}/index.md`: edisi; artikel ada di folder yang sama, halaman lain di `content/pages/`.
- `data/`: data (CSV atau Excel) dan `datapackage.yaml`, yang menjelaskan kolom-kolomnya.

Cara kerja sehari-hari: ubah atau unggah berkas lewat halaman repositori, lalu buat *pull request*.
Pemeriksaan otomatis menunjukkan setiap kesalahan pada baris atau sel tempatnya, dan hasil situsnya dapat
diunduh dari halaman pemeriksaan. Setelah digabung, situs diterbitkan (GitHub Pages atau GitLab Pages;
di GitHub nyalakan sekali: Settings > Pages > Source: GitHub Actions).

Di komputer sendiri:

```sh
python -m pip install -r requirements.txt
python build.py check      # periksa semuanya tanpa menulis apa pun
python build.py serve      # pratinjau di http://127.0.0.1:8000/
python build.py new article {period} "Judul artikel"
python build.py --help
```
"""
    return f"""# {title}

This bulletin's site is made with buletin. It is text and data files:

- `site.yaml`: title, language, publisher, the site's address (`base_url`).
- `content/{period}/index.md`: an edition; its articles sit beside it, other pages in `content/pages/`.
- `data/`: the data (CSV or Excel) and `datapackage.yaml`, which describes their columns.

Day to day: change or upload files on the repository's web page, then open a pull request. The automatic
check shows each problem on its line or cell, and the built site can be downloaded from the check's page.
Once merged, the site is published (GitHub Pages or GitLab Pages; on GitHub turn it on once: Settings >
Pages > Source: GitHub Actions).

On your own computer:

```sh
python -m pip install -r requirements.txt
python build.py check      # check everything, write nothing
python build.py serve      # preview at http://127.0.0.1:8000/
python build.py new article {period} "Article title"
python build.py --help
```
"""
