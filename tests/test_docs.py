"""The documentation site: README.md in step with nbs/index.ipynb, and the site built offline and checked in headless Chromium.

The browser test needs Debian's chromium (`.ci/run` installs it). Without it the test is skipped, unless
MOVIEREC_REQUIRE_BROWSER is set (as `.ci/run` does), when it fails. Screenshots go to tests/screenshots/.
"""
import http.server, os, shutil, subprocess, sys, threading
from functools import partial
from pathlib import Path
import pytest
from movierec.docs import readme_markdown, build_docs, page_names

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT/'tests'/'screenshots'
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

def test_readme_in_step_with_index_notebook():
    assert (ROOT/'README.md').read_text() == readme_markdown(ROOT/'nbs'/'index.ipynb'), \
        "README.md differs from nbs/index.ipynb: edit the notebook, then run `movierec_docs --readme`"

def test_readme_check_command(tmp_path):
    "`movierec_docs --check` passes on this checkout and fails, saying what to do, on a README edited by hand"
    for f in ('settings.ini', 'README.md'): shutil.copy(ROOT/f, tmp_path/f)
    (tmp_path/'nbs').mkdir(); shutil.copy(ROOT/'nbs'/'index.ipynb', tmp_path/'nbs'/'index.ipynb')
    exe = Path(sys.executable).parent/'movierec_docs'          # the console script, as installed
    run = lambda: subprocess.run([str(exe), '--check'], cwd=tmp_path, capture_output=True, text=True)
    assert run().returncode == 0
    (tmp_path/'README.md').write_text((tmp_path/'README.md').read_text() + '\nan edit by hand\n')
    r = run()
    assert r.returncode == 1 and 'movierec_docs --readme' in r.stderr

def test_docs_command_outside_a_checkout(tmp_path):
    r = subprocess.run([str(Path(sys.executable).parent/'movierec_docs'), '--check'], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and 'not a movierec checkout' in r.stderr and 'Traceback' not in r.stderr

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The built site: the one `make test` has just built (MOVIEREC_DOCS_SITE), or a fresh build"
    pre = os.environ.get('MOVIEREC_DOCS_SITE')
    if pre: return Path(pre).resolve()
    return build_docs(tmp_path_factory.mktemp('site')/'_docs')

def _pages():
    import yaml
    items = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    names = page_names(ROOT/'nbs')
    return [names[i] + '.html' for i in items if isinstance(i, str) and i.endswith('.ipynb')]

def test_site_has_every_page_and_no_remote_assets(site):
    import re
    pages = _pages()
    assert len(pages) >= 10
    for p in pages:
        html = (site/p).read_text()
        remote = re.findall(r'<(?:script|link|img|iframe|source|video|audio)\b[^>]*?(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, (p, remote)                                    # links (<a>) may point outside; assets may not
    assert 'fonts.googleapis' not in (site/'index.html').read_text()
    api = (site/'similarity.html').read_text()
    assert 'id="topk_cosine"' in api and 'id="cosineindex"' in api      # show_doc's API docs, with anchors
    assert '<math' in api                                                 # LaTeX drawn as MathML, no MathJax
    assert list(site.glob('assets/*.png')), "the notebooks' plots are on the site as image files"

@pytest.fixture(scope='module')
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = partial(Quiet, directory=str(site))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()

def test_site_in_headless_chromium(site, server):
    "Every page loads with no console error and no request leaving localhost; nav links resolve; plots are real images; search works"
    if not CHROMIUM:
        if os.environ.get('MOVIEREC_REQUIRE_BROWSER'): pytest.fail("chromium is not installed: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright
    errors, remote, failed = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=dict(width=1280, height=900))
        page.on('console', lambda m: m.type == 'error' and errors.append(f"{page.url}: {m.text}"))
        page.on('pageerror', lambda e: errors.append(f"{page.url}: {e}"))
        page.on('requestfailed', lambda r: r.url.startswith(server) and failed.append(f"{r.url}: {r.failure}"))
        def route(r):
            if r.request.url.startswith(server): return r.continue_()
            remote.append(r.request.url); r.abort()
        page.route('**/*', route)

        page.goto(f"{server}/index.html", wait_until='load')
        nav = page.eval_on_selector_all('nav.md-nav--primary a.md-nav__link[href]', 'els => els.map(e => e.href)')
        nav = sorted({u.split('#')[0] for u in nav if u.startswith(server)})
        assert set(f"{server}/{p}" for p in _pages()) <= set(nav), nav
        n_img = 0
        for url in nav:
            resp = page.goto(url, wait_until='load')
            assert resp is not None and resp.status == 200, (url, resp and resp.status)
            imgs = page.eval_on_selector_all('article img', 'els => els.map(e => [e.src, e.complete, e.naturalWidth, e.naturalHeight])')
            bad = [i for i in imgs if not (i[1] and i[2] > 0 and i[3] > 0)]
            assert not bad, (url, bad)
            n_img += len(imgs)
            links = page.eval_on_selector_all('article a[href]', 'els => els.map(e => e.href)')
            local = {u.split('#')[0] for u in links if u.startswith(server)}
            for u in local - set(nav):          # pages linked from the text resolve too
                assert page.request.get(u).status == 200, (url, u)
        assert n_img >= 5, f"only {n_img} images on the whole site"

        SHOTS.mkdir(exist_ok=True)
        page.goto(f"{server}/index.html", wait_until='load'); page.screenshot(path=str(SHOTS/'home.png'))
        page.goto(f"{server}/content.html", wait_until='load'); page.screenshot(path=str(SHOTS/'content.png'), full_page=False)
        # search runs in the page, from the local index
        page.goto(f"{server}/index.html", wait_until='load')
        box = page.locator('input.md-search__input')
        box.click()
        page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                               " return m && m.textContent.trim() && !/initializing/i.test(m.textContent) }", timeout=60_000)
        box.press_sequentially('topk_cosine', delay=30)      # real key presses, once the index is ready
        page.wait_for_selector('.md-search-result__item', timeout=60_000)
        hits = page.eval_on_selector_all('.md-search-result__item a', 'els => els.map(e => e.href)')
        assert any('similarity.html' in h for h in hits), hits
        browser.close()
    assert not errors, errors
    assert not remote, f"pages fetched from the network: {remote}"
    assert not failed, failed
    for f in ('home.png', 'content.png'): assert (SHOTS/f).stat().st_size > 10_000
