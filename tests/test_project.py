"The project's own files: what CI and a fresh machine rely on."
import configparser, re, subprocess
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]
cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
cfg = cfg['DEFAULT']

def test_quarto_configs_agree():
    assert yaml.safe_load((ROOT/'_quarto.yml').read_text()) == yaml.safe_load((ROOT/'nbs'/'_quarto.yml').read_text())

def test_sidebar_lists_every_notebook_in_order():
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    nbs = sorted(p.name for p in (ROOT/'nbs').glob('[0-9][0-9]_*.ipynb'))
    assert side == ['index.ipynb'] + nbs

def test_dependency_ranges():
    req, dev = cfg['requirements'].split(), cfg['dev_requirements'].split()
    for r in ['torch>=2.1', 'fastai>=2.8,<2.8.8', 'fastcore>=1.12,<2']: assert r in req
    for r in ['nbdev>=2.4,<3', 'execnb>=0.1.12,<0.2']: assert r in dev
    assert not any(re.match(r'torch(vision)?==', r) for r in req + dev), 'settings.ini names ranges, never pins'

def test_setup_py_has_no_pkg_resources():
    assert 'pkg_resources' not in (ROOT/'setup.py').read_text()

def test_ci_runs_readme_test_command():
    readme = (ROOT/'README.md').read_text()
    m = re.search(r'<!-- test-command -->\n```\w*\n(.+)\n```', readme)
    assert m, 'README.md must mark its test command'
    out = subprocess.run(['awk', r'/<!-- test-command -->/{f=1; next} f && /^```/{if (s) exit; s=1; next} f && s {print; exit}',
                          str(ROOT/'README.md')], capture_output=True, text=True).stdout.strip()
    assert out == m.group(1) == 'make test'

def test_readme_install_uses_cpu_torch_line():
    assert 'pip install torch==2.13.0 torchvision==0.28.0' in (ROOT/'README.md').read_text()
    assert 'pip install torch==2.13.0 torchvision==0.28.0' in (ROOT/'Makefile').read_text()
