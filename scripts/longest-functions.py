#!/usr/bin/env python3
"""Lists the longest Swift functions (lines from `func`/`init` to its closing brace) under Sources/."""
import os, re, sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|mutating|nonisolated|override|final|class)\s+)*(func\s+[^\s(<]+|init[?!]?)\s*[(<]')

def strip(line):
    out, i, q = [], 0, False
    while i < len(line):
        c = line[i]
        if q:
            if c == '\\': i += 2; continue
            if c == '"': q = False
        else:
            if c == '"': q = True
            elif line.startswith('//', i): break
            else: out.append(c)
        i += 1
    return ''.join(out)

def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    for n, line in enumerate(lines):
        m = DECL.match(line)
        if not m: continue
        depth, opened = 0, False
        for k in range(n, len(lines)):
            s = strip(lines[k])
            depth += s.count('{') - s.count('}')
            if '{' in s: opened = True
            if opened and depth <= 0:
                yield k - n + 1, f"{path}:{n+1}", m.group(1).replace('func ', '')
                break

root = sys.argv[1] if len(sys.argv) > 1 else 'Sources'
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
found = []
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith('.swift'):
            found.extend(functions(os.path.join(d, f)))
for length, where, name in sorted(found, reverse=True)[:count]:
    print(f"{length:4}  {name:28} {where}")
