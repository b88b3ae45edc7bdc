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
    "The tutorial's numbered chapters in order, then the project's tooling (the site builder), which is not a chapter"
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    nbs = sorted(p.name for p in (ROOT/'nbs').glob('[0-9][0-9]*_*.ipynb'))
    assert side == ['index.ipynb'] + nbs + ['site_builder.ipynb']
    assert {p.name for p in (ROOT/'nbs').glob('*.ipynb')} == set(side)

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

def _free_port():
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def test_make_lab_lists_and_serves_the_notebooks(tmp_path):
    "`make lab` (README's third command) starts JupyterLab on 127.0.0.1 that lists nbs/ and serves its notebooks"
    import json, os, signal, time, urllib.error, urllib.request
    port,token = _free_port(),'movierec-test-token'
    env = os.environ | dict(JUPYTER_RUNTIME_DIR=str(tmp_path/'runtime'), JUPYTER_CONFIG_DIR=str(tmp_path/'config'))
    args = f'LAB_ARGS=--no-browser --port={port} --IdentityProvider.token={token}'
    p = subprocess.Popen(['make', '--no-print-directory', 'lab', args], cwd=ROOT, env=env, start_new_session=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    get = lambda path: urllib.request.urlopen(f'http://127.0.0.1:{port}{path}?token={token}', timeout=10)
    try:
        deadline = time.time() + 120
        while True:
            try: listing = json.load(get('/api/contents')); break
            except OSError:
                if p.poll() is not None or time.time() > deadline:
                    os.killpg(p.pid, signal.SIGTERM); raise AssertionError(f"make lab did not serve: {p.communicate()[0][-2000:]}")
                time.sleep(0.5)
        names = {c['name'] for c in listing['content']}
        assert {'index.ipynb', '00_data.ipynb', '05_hybrid.ipynb'} <= names, names
        nb = json.load(get('/api/contents/05_hybrid.ipynb'))
        assert nb['type'] == 'notebook' and nb['content']['cells'][0]['source'].startswith('#| default_exp hybrid')
        assert b'JupyterLab' in get('/lab').read()
        try: urllib.request.urlopen(f'http://127.0.0.1:{port}/api/contents', timeout=10); served = True
        except urllib.error.HTTPError as e: served = e.code != 403
        assert not served, 'the notebooks were served without the token'
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try: p.wait(30)
        except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL)
