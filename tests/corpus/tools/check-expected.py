#!/usr/bin/env python3
"""Checks generated crates against tests/corpus/expected.toml (the lib.rs and Cargo.toml parts
only: no regen run, no cargo, no notices/errors). A reference for the matching rules of
README.md, used to check the expectations against hand-fixed specs; not the test harness.

  check-expected.py <root-with-crates/> <case-id> [<case-id> ...]
"""
import re, sys, tomllib, pathlib

here = pathlib.Path(__file__).resolve().parent.parent
expected = {c["id"]: c for c in tomllib.load(open(here / "expected.toml", "rb"))["case"]}

def nows(s): return re.sub(r",([)>\]}])", r"\1", re.sub(r"\s+", "", s))

def section(text, start, ends):
    i = text.find(start)
    if i < 0: return None
    j = min([k for k in (text.find(e, i + len(start)) for e in ends) if k >= 0] or [len(text)])
    return text[i:j]

def check(root, cid):
    case = expected[cid]; bad = []
    crate = pathlib.Path(root) / "crates" / f"{cid}-client"
    lib = nows((crate / "src/lib.rs").read_text())
    for m in case.get("method", []):
        sig = f"pubfn{m['name']}(&self)->builder::{m['builder']}<'_>"
        if sig not in lib: bad.append(f"method {sig}")
        imp = section(lib, f"impl<'a>{m['builder']}<'a>{{", ["pubstruct"])
        if imp is None: bad.append(f"impl of {m['builder']}"); continue
        if "ok" in m:
            want = f"->Result<ResponseValue<{nows(m['ok'])}>,Error<" + (f"{nows(m['err'])}>>" if "err" in m else "")
            if want not in imp: bad.append(f"{m['builder']}: {want} in {re.findall(r'->Result<ResponseValue<.*?>,Error<.*?>>', imp)[:1]}")
        if "body" in m:
            st = section(lib, f"pubstruct{m['builder']}<'a>{{", ["}"])
            if f"body:Result<{nows(m['body'])},String>" not in (st or ""): bad.append(f"{m['builder']} body {m['body']}: {st}")
    for t in case.get("type", []):
        if not re.search(rf"pub(struct|enum|type){t['name']}(?![A-Za-z0-9_])", lib): bad.append(f"type {t['name']}")
    for f in case.get("field", []):
        st = section(lib, f"pubstruct{f['type']}{{", ["pubstruct", "pubenum", "impl"]) or ""
        if f["wire"] == f["name"]:
            ok = f"pub{f['name']}:" in st
        else:
            ok = re.search(rf'#\[serde\([^\]]*rename="{re.escape(f["wire"])}"[^\]]*\)\](#\[[^\]]*\])*pub{f["name"]}:', st)
        if not ok: bad.append(f"field {f['type']}.{f['name']} ({f['wire']})")
        elif "type_contains" in f:
            after = st.split(f"pub{f['name']}:", 1)[1].split(",", 1)[0]
            if f["type_contains"] not in after: bad.append(f"field {f['name']} type {after}")
    for p in case.get("param", []):
        st = section(lib, f"pubstruct{p['builder']}<'a>{{", ["}"]) or ""
        if f"{p['name']}:" not in st or f'QueryParam::new("{p["wire"]}",&{p["name"]})' not in lib:
            bad.append(f"param {p['builder']}.{p['name']} ({p['wire']})")
    for s in case.get("lib_contains", []):
        if nows(s) not in lib: bad.append(f"lib_contains {s}")
    if case.get("cargo_deps"):
        toml = tomllib.load(open(crate / "Cargo.toml", "rb"))
        for d in case["cargo_deps"]:
            if d not in toml.get("dependencies", {}): bad.append(f"dependency {d}")
    return bad

ok = True
for cid in sys.argv[2:]:
    bad = check(sys.argv[1], cid)
    print(f"{cid}: {'ok' if not bad else 'MISMATCH'}")
    for b in bad: print("   ", b); ok = False
sys.exit(0 if ok else 1)
