"""How the notebooks read as a tutorial, measured from the files (issue 18's goals), as a table.

    python benchmarks/tutorial.py                  # cells, prose, line lengths, undocumented methods
    python benchmarks/tutorial.py --times LOG      # also the per-notebook times `nbdev_test --timing` printed in LOG
    python benchmarks/tutorial.py --verbose        # also name every cell and method over a bar

Goals: median exported cell <= 8 lines and none over 30; no markdown cell over 150 words of prose (tables and
code blocks are not prose); no line over 120 characters in the package (nbdev's generated docstring and `__all__`
lines aside); every public method documented on the site (defined with `@patch`, which nbdev documents,
or named in a `show_doc`; properties and torch/fastai hooks such as `forward` are left to their class); each notebook under 120 s under nbdev_test, all of them under 8 minutes.
"""
import argparse, ast, json, re, statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, PKG = ROOT/'nbs', ROOT/'movierec'
CELL_MAX, MD_MAX, LINE_MAX, NB_MAX, ALL_MAX = 30, 150, 120, 120, 480

def notebooks():
    "The tutorial's notebooks (numbered chapters and the index), in order"
    return sorted(p for p in NBS.glob('*.ipynb') if p.name[0].isdigit() or p.name == 'index.ipynb')

def cells(path, kind):
    "(number, source) of the cells of `kind` in the notebook at `path`"
    nb = json.loads(path.read_text())
    return [(i, ''.join(c['source'])) for i,c in enumerate(nb['cells']) if c['cell_type'] == kind]

def is_exported(src): return bool(re.match(r'\s*#\|\s*export\b', src))

def code_lines(src):
    "Lines of an exported cell, directives and blank lines left out"
    return [l for l in src.splitlines() if l.strip() and not l.lstrip().startswith('#|')]

def n_defs(src):
    "Top-level definitions (functions, classes, constants) in a cell"
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#|')))
    except SyntaxError: return 0
    return sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign))
               for n in tree.body)

def words(src):
    "Words of prose in a markdown cell (fenced code and table rows left out; links and markup not counted as words)"
    src = re.sub(r'```.*?```', ' ', src, flags=re.S)
    src = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('|'))
    src = re.sub(r'\]\([^)]*\)', ']', src)
    return len(re.findall(r"[A-Za-z0-9][\w'’.,-]*", src))

HOOKS = {'forward', 'create_batch', 'create_batches', 'get_idxs', 'sample', 'after_loss', 'before_batch', 'after_batch',
         'before_fit', 'after_fit', 'before_epoch', 'after_epoch'}   # torch and fastai hooks: the framework documents them

def _is_property(f): return any(getattr(d, 'id', getattr(d, 'attr', None)) in ('property', 'cached_property') for d in f.decorator_list)

def class_methods(path):
    "(class, method) for each public method written in a class body of an exported cell (not properties or framework hooks)"
    out = []
    for _,src in cells(path, 'code'):
        if not is_exported(src): continue
        try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith('#|')))
        except SyntaxError: continue
        for c in tree.body:
            if isinstance(c, ast.ClassDef) and not c.name.startswith('_'):
                out += [(c.name, f.name) for f in c.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and not f.name.startswith('_') and f.name not in HOOKS and not _is_property(f)]
    return out

def undocumented(path):
    "Public class-body methods of the notebook at `path` that no `show_doc` names"
    text = '\n'.join(s for _,s in cells(path, 'code'))
    return [f"{c}.{m}" for c,m in class_methods(path) if not re.search(rf"show_doc\(\s*{c}\.{m}\b", text)]

def _generated(i, line):
    "Lines nbdev writes itself: the module docstring (the notebook's description) and `__all__`"
    return (i == 1 and line.startswith('"""')) or line.startswith('__all__')

def nb_times(log):
    "{notebook: seconds} from the lines `nbdev_test --timing` prints"
    return {m[1]: int(m[2]) for m in re.finditer(r'^(\S+\.ipynb): (\d+) secs$', Path(log).read_text(), re.M)}

def measure(times=None, verbose=False):
    rows, exp, mds, long_md, big, multi, undoc = [], [], [], [], [], [], []
    for p in notebooks():
        e = [(i, len(code_lines(s)), n_defs(s)) for i,s in cells(p, 'code') if is_exported(s)]
        m = [(i, words(s)) for i,s in cells(p, 'markdown')]
        u = undocumented(p)
        exp += [n for _,n,_ in e]; mds += [w for _,w in m]; undoc += [f"{p.stem}: {x}" for x in u]
        big += [f"{p.stem} cell {i}: {n} lines" for i,n,_ in e if n > CELL_MAX]
        multi += [f"{p.stem} cell {i}: {d} definitions" for i,_,d in e if d > 1]
        long_md += [f"{p.stem} cell {i}: {w} words" for i,w in m if w > MD_MAX]
        rows.append(dict(notebook=p.stem, exported=len(e), median=statistics.median([n for _,n,_ in e]) if e else 0,
                         largest=max([n for _,n,_ in e], default=0), over30=sum(n > CELL_MAX for _,n,_ in e),
                         md_over150=sum(w > MD_MAX for _,w in m), md_largest=max([w for _,w in m], default=0),
                         undocumented=len(u), secs=(times or {}).get(p.name)))
    long_lines = [f"{f.name}:{i}: {len(l)} chars" for f in sorted(PKG.glob('*.py')) if f.name != '_modidx.py'
                  for i,l in enumerate(f.read_text().splitlines(), 1) if len(l) > LINE_MAX and not _generated(i, l)]
    head = f"{'notebook':<16}{'exported':>9}{'median':>8}{'largest':>8}{'>30':>5}{'md>150':>8}{'md max':>8}{'undoc':>7}{'secs':>6}"
    print(head); print('-'*len(head))
    for r in rows:
        print(f"{r['notebook']:<16}{r['exported']:>9}{r['median']:>8g}{r['largest']:>8}{r['over30']:>5}{r['md_over150']:>8}"
              f"{r['md_largest']:>8}{r['undocumented']:>7}{'' if r['secs'] is None else r['secs']:>6}")
    print('-'*len(head))
    tot = sum(r['secs'] or 0 for r in rows) if times else None
    print(f"{'all':<16}{len(exp):>9}{statistics.median(exp):>8g}{max(exp):>8}{len(big):>5}{len(long_md):>8}{max(mds):>8}"
          f"{len(undoc):>7}{'' if tot is None else tot:>6}")
    goals = [('median exported cell <= 8 lines', statistics.median(exp) <= 8, f"{statistics.median(exp):g}"),
             (f'no exported cell over {CELL_MAX} lines', not big, len(big)),
             ('one definition per exported cell', not multi, f"{len(multi)} cells hold more"),
             (f'no markdown cell over {MD_MAX} words', not long_md, len(long_md)),
             (f'no package line over {LINE_MAX} characters', not long_lines, len(long_lines)),
             ('every public method documented', not undoc, len(undoc))]
    if times:
        slow = [r for r in rows if (r['secs'] or 0) > NB_MAX]
        goals += [(f'every notebook under {NB_MAX} s', not slow, ', '.join(f"{r['notebook']} {r['secs']}" for r in slow) or 'all'),
                  (f'all notebooks under {ALL_MAX} s', tot < ALL_MAX, tot)]
    print()
    for g,ok,v in goals: print(f"{'met    ' if ok else 'not met'}  {g}: {v}")
    if verbose:
        for title,xs in [('cells over the bar', big), ('cells with several definitions', multi), ('long markdown', long_md),
                         ('long lines', long_lines), ('methods without docs', undoc)]:
            if xs: print(f"\n{title}:\n  " + '\n  '.join(xs))
    return rows, goals

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--times', help="a log of `nbdev_test --timing` (such as .ci/run's output)")
    ap.add_argument('--verbose', action='store_true')
    a = ap.parse_args()
    measure(nb_times(a.times) if a.times else None, a.verbose)
