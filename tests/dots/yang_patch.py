#!/usr/bin/env python3
"""The patched YANG modules the build loads differ from the pristine IETF
copies in dots/yang only where intended (dots/yang/patches): the leafrefs
from the dots-signal structure and RFC 9133's augment of it into the data
channel become strings, and the one absolute 'when' path becomes relative.
Every other module is unchanged.

Usage: yang_patch.py PRISTINE_DIR PATCHED_DIR
"""
import difflib
import pathlib
import re
import sys

pristine, patched = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# What a patch may take out: the leafref statements and their paths, and the
# absolute when; what it may put in: the replacements and their comments.
REMOVABLE = re.compile(r'^\s*(type leafref \{|path "/data-channel:dots-data[a-z-:/]*"'
                       r'|\+ "/data-channel:[a-z-:/]+";?'
                       r'|\}|when "/dots-signal/scope/conflict-information/"'
                       r'|\+ "conflict-cause = \'overlapping-targets\'";)\s*$')
ADDABLE = re.compile(r'^\s*(type string;|when "\.\./conflict-cause = \'overlapping-targets\'";|// scrub: .*|// .*)\s*$')
passed = failed = 0
for src in sorted(pristine.glob("*.yang")):
    dst = patched / src.name
    a, b = src.read_text().splitlines(), dst.read_text().splitlines()
    removed = [l for l in difflib.ndiff(a, b) if l.startswith("- ")]
    added = [l for l in difflib.ndiff(a, b) if l.startswith("+ ")]
    bad = [l for l in removed if not REMOVABLE.match(l[2:])] + [l for l in added if not ADDABLE.match(l[2:])]
    if bad:
        failed += 1
        print(f"FAIL: {src.name}: unintended change: " + "; ".join(bad))
    else:
        passed += 1
        print(f"ok: {src.name}: {len(removed)} lines out, {len(added)} in" if removed or added
              else f"ok: {src.name}: unchanged")
changed = [f for f in pristine.glob("*.yang") if f.read_text() != (patched / f.name).read_text()]
if sorted(f.name for f in changed) != ["ietf-dots-signal-channel@2021-09-02.yang",
                                       "ietf-dots-signal-control@2021-09-02.yang"]:
    failed += 1
    print(f"FAIL: the changed modules are {[f.name for f in changed]}")
print(f"yang_patch: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
