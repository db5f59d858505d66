#!/usr/bin/env python3
"""Re-runs every corpus file through regen and `cargo check`, and prints one table row per file:
file, OpenAPI version, operations, regen ok?, crate builds?, first error, and whether that
differs from expected.toml. With --toml, also prints a [[case]] block per public file as regen
behaves now (the located errors, or `generates = true`), to paste into expected.toml after a
change to regen.

    cargo build -p apilogin-codegen      # the generator, into $CARGO_TARGET_DIR (or target/)
    tests/corpus/tools/refresh.py [--toml] [--no-check] [--out DIR] [name ...]

name: a file stem (`box`, `museum`) or a path under tests/corpus; none = every file of
cases/ and public/. Each file runs alone in <out>/roots/<id> (default out: /tmp/corpus-refresh),
as crates/codegen/tests/corpus.rs does; each generated crate is then `cargo check`ed in one
scratch workspace (<out>/ws, the repository's [workspace.*] tables, Cargo.lock, and the
crates/redact and crates/secret-names the clients depend on) with one target folder
(<out>/target), so dependencies build once (cold: minutes; then seconds per crate).
REGEN=path overrides the generator binary. Exit status: 0 even when files fail (it records).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CORPUS))
ERROR = re.compile(r"^error: (specs/[^ :]+)(?::(\d+))? at (\S*): (.*)$")


def regen_binary():
    if os.environ.get("REGEN"):
        return os.environ["REGEN"]
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(target, "debug", "apilogin-regen")


def corpus_files(names):
    every = []
    for sub in ("cases", "public"):
        for entry in sorted(os.listdir(os.path.join(CORPUS, sub))):
            path = os.path.join(sub, entry)
            full = os.path.join(CORPUS, path)
            if os.path.isdir(full) and sub == "cases":
                every.append(path)
            elif re.fullmatch(r"[a-z0-9]+\.(yaml|yml|json)", entry):
                every.append(path)
    if not names:
        return every
    chosen = []
    for name in names:
        hits = [p for p in every if p == name or os.path.basename(p).split(".")[0] == name]
        if not hits:
            sys.exit(f"refresh: no corpus file `{name}`")
        chosen += hits
    return chosen


def describe(path):
    """OpenAPI version and operation count (YAML read with PyYAML when it is installed)."""
    full = os.path.join(CORPUS, path)
    if os.path.isdir(full):
        return "-", "-"
    text = open(full, encoding="utf-8").read()
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            import yaml  # optional
        except ImportError:
            m = re.search(r"^(openapi|swagger):\s*['\"]?([^'\"\s]+)", text, re.M)
            return (m.group(2) if m else "?"), "?"
        try:
            doc = yaml.safe_load(text)
        except Exception:
            return "?", "?"
    if not isinstance(doc, dict):
        return "?", "?"
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    ops = sum(
        1
        for item in (doc.get("paths") or {}).values()
        if isinstance(item, dict)
        for m in item
        if m in methods
    )
    return str(doc.get("openapi") or doc.get("swagger") or "?"), str(ops)


def scratch_workspace(ws):
    shutil.rmtree(ws, ignore_errors=True)
    os.makedirs(os.path.join(ws, "crates"))
    keep, out = False, ['[workspace]\nresolver = "3"\nmembers = ["crates/*"]\n']
    for line in open(os.path.join(REPO, "Cargo.toml"), encoding="utf-8"):
        if line.startswith("["):
            keep = line.strip() in (
                "[workspace.package]",
                "[workspace.dependencies]",
                "[workspace.lints.rust]",
                "[workspace.lints.clippy]",
            )
        if keep:
            out.append(line.rstrip("\n"))
    open(os.path.join(ws, "Cargo.toml"), "w").write("\n".join(out) + "\n")
    shutil.copy(os.path.join(REPO, "Cargo.lock"), ws)
    for krate in ("redact", "secret-names"):
        shutil.copytree(
            os.path.join(REPO, "crates", krate),
            os.path.join(ws, "crates", krate),
            ignore=shutil.ignore_patterns("target"),
        )


def run_one(regen, path, out):
    stem = os.path.basename(path).split(".")[0]
    root = os.path.join(out, "roots", stem)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "specs"))
    full = os.path.join(CORPUS, path)
    if os.path.isdir(full):
        for entry in os.listdir(full):
            shutil.copy(os.path.join(full, entry), os.path.join(root, "specs"))
    else:
        shutil.copy(full, os.path.join(root, "specs"))
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [regen, "--root", root], capture_output=True, text=True, timeout=600
        )
        code, text = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        code, text = -1, "error: regen timed out after 600 s"
    seconds = time.monotonic() - started
    errors = []
    for line in text.splitlines():
        m = ERROR.match(line)
        if m:
            errors.append(
                {"file": m.group(1), "line": m.group(2), "pointer": m.group(3), "message": m.group(4)}
            )
    other = [l for l in text.splitlines() if l.startswith("error") and not ERROR.match(l)]
    if code != 0 and not errors:
        # a crash or an unlocated failure: keep its last line
        last = (other or text.strip().splitlines() or [f"exit {code}"])[-1]
        errors.append({"file": "", "line": None, "pointer": "", "message": last})
    crates = sorted(os.listdir(os.path.join(root, "crates"))) if code == 0 and os.path.isdir(
        os.path.join(root, "crates")
    ) else []
    return {"path": path, "id": stem, "code": code, "seconds": seconds, "errors": errors, "crates": crates, "root": root}


def check(result, out):
    """`cargo check` of each generated crate in the scratch workspace; (ok, first error)."""
    ws = os.path.join(out, "ws")
    first = None
    for krate in result["crates"]:
        dest = os.path.join(ws, "crates", krate)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(result["root"], "crates", krate), dest)
        proc = subprocess.run(
            ["cargo", "check", "--quiet", "-p", krate, "--message-format", "short"],
            cwd=ws,
            capture_output=True,
            text=True,
            env={**os.environ, "CARGO_TARGET_DIR": os.path.join(out, "target")},
        )
        if proc.returncode != 0 and first is None:
            lines = [l for l in proc.stderr.splitlines() if "error" in l]
            count = sum(1 for l in lines if re.search(r"\berror(\[E\d+\])?:", l))
            first = f"{krate}: {count} error(s); first: {(lines or ['?'])[0]}"
    return first is None, first


def cell(text, width=160):
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


# Phrases of regen's messages that name the kind of problem (the first one found is the keyword).
PHRASES = (
    "is not supported",
    "mix json and non-json",
    "is not a valid path",
    "has no `in: path` parameter",
    "`encoding` object",
    "not semver",
    "cycle",
)


def keyword_of(message):
    """A keyword (a phrase naming the kind of problem) and `also` (what it is about)."""
    low = message.lower()
    keyword = next((p for p in PHRASES if p in low), " ".join(message.split()[:4]).lower())
    m = re.match(r"openapi (3\.1)", low)
    ticked = re.search(r"`([^`]+)`", message)
    also = m.group(1) if m else (f"`{ticked.group(1)}`" if ticked and f"`{ticked.group(1)}`".lower() not in keyword else None)
    return keyword, also


def toml_block(result):
    path = result["path"]
    lines = ["[[case]]", f'path = "{path}"', f'id = "{result["id"]}"']
    if result["code"] == 0:
        lines.append("generates = true")
    else:
        lines.append("generates = false")
        if result["errors"] and all(e["file"] for e in result["errors"]):
            lines.append("errors_exact = true")
        for e in result["errors"]:
            keyword, also = keyword_of(e["message"])
            lines.append("  [[case.error]]")
            lines.append(f'  pointer = {json.dumps(e["pointer"])}')
            lines.append(f"  keyword = {json.dumps(keyword)}")
            if also:
                lines.append(f"  also = {json.dumps(also)}")
            if e["line"]:
                lines.append(f"  line = {e['line']}")
    return "\n".join(lines) + "\n"


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    out = "/tmp/corpus-refresh"
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
        args.remove(out)
    regen = regen_binary()
    if not os.path.exists(regen):
        sys.exit(f"refresh: no generator at {regen}; run `cargo build -p apilogin-codegen` (or set REGEN)")
    expected = {
        c["path"]: c
        for c in tomllib.load(open(os.path.join(CORPUS, "expected.toml"), "rb")).get("case", [])
    }
    os.makedirs(out, exist_ok=True)
    if "--no-check" not in flags:
        scratch_workspace(os.path.join(out, "ws"))
    print("| file | OpenAPI | ops | regen | crate builds | first error | expected.toml |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for path in corpus_files(args):
        version, ops = describe(path)
        r = run_one(regen, path, out)
        builds, first = ("-", None)
        if r["code"] == 0 and "--no-check" not in flags:
            ok, first = check(r, out)
            builds = "yes" if ok else "**no**"
        elif r["code"] == 0:
            builds = "not checked"
        if r["code"] == 0:
            regen_cell = f"ok ({r['seconds']:.1f} s)"
        else:
            regen_cell = f"**fails** ({len(r['errors'])} error(s))"
        if first is None and r["errors"]:
            e = r["errors"][0]
            where = f"{e['file']}:{e['line']}" if e["line"] else e["file"]
            first = f"{where} at {e['pointer']}: {e['message']}".strip(" :")
        want = expected.get(path)
        if want is None:
            verdict = "no [[case]]"
        else:
            now = r["code"] == 0 and builds in ("yes", "not checked")
            verdict = "same" if bool(want.get("generates")) == now else "**changed**"
            verdict += " (generates)" if want.get("generates") else " (fails)"
        print(f"| `{path}` | {version} | {ops} | {regen_cell} | {builds} | {cell(first or '')} | {verdict} |", flush=True)
        results.append(r)
    if "--toml" in flags:
        print("\n# [[case]] blocks as regen behaves now (public files); paste over the old ones, then")
        print("# add method/type checks to the ones that generate.\n")
        for r in results:
            if r["path"].startswith("public/"):
                print(toml_block(r))


if __name__ == "__main__":
    main(sys.argv[1:])
