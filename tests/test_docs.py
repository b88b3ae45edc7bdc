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

def _serve(folder):
    "A quiet HTTP server for `folder` on 127.0.0.1, in a thread; returns (server, base URL)"
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"

@pytest.fixture(scope='module')
def server(site):
    srv,url = _serve(site)
    yield url
    srv.shutdown()

def _need_chromium():
    if not CHROMIUM:
        if os.environ.get('MOVIEREC_REQUIRE_BROWSER'): pytest.fail("chromium is not installed: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")

# Material's search box says "Initializing search" until its worker has loaded the index.
SEARCH_READY = ("() => { const m = document.querySelector('.md-search-result__meta');"
                " return m && m.textContent.trim() && !/initializing/i.test(m.textContent) }")
# Every local file a page asks for: scripts, stylesheets, icons, images, and the search worker named in Material's config.
REFERENCED = """() => {
  const urls = [...document.querySelectorAll('script[src], img[src], source[src]')].map(e => e.src)
    .concat([...document.querySelectorAll('link[href]')].filter(e => e.rel !== 'canonical').map(e => e.href));
  const cfg = document.getElementById('__config');
  if (cfg) { const c = JSON.parse(cfg.textContent); if (c.search) urls.push(new URL(c.search, document.baseURI).href); }
  return urls }"""

def _browse(page, server, urls, settle_s=60):
    """Visit `urls`, letting each page settle (network idle, search worker ready) before leaving it.
    Returns the problems found (console errors, page errors, requests leaving localhost, broken local files, bad images)."""
    problems, aborted, refs, seen = [], set(), {}, set()
    page.on('console', lambda m: m.type == 'error' and problems.append(f"console error on {page.url}: {m.text}"))
    page.on('pageerror', lambda e: problems.append(f"page error on {page.url}: {e}"))
    def failed(r):
        if not r.url.startswith(server): return
        # net::ERR_ABORTED is a request the browser cancelled itself (navigation, a dropped favicon fetch): it is
        # confirmed by a direct request below instead of counted as broken.
        if r.failure == 'net::ERR_ABORTED': aborted.add(r.url)
        else: problems.append(f"{r.url}: {r.failure} (on {page.url})")
    page.on('requestfailed', failed)
    page.on('response', lambda r: r.url.startswith(server) and r.status >= 400 and
            problems.append(f"{r.url}: HTTP {r.status} (on {page.url})"))
    def route(r):
        if r.request.url.startswith(server): return r.continue_()
        problems.append(f"request leaving localhost: {r.request.url} (on {page.url})"); r.abort()
    page.route('**/*', route)
    n_img = 0
    for url in urls:
        resp = page.goto(url, wait_until='load')
        if resp is None or resp.status != 200: problems.append(f"{url}: page answered {resp and resp.status}"); continue
        try:
            page.wait_for_load_state('networkidle', timeout=settle_s*1000)
            page.wait_for_function(SEARCH_READY, timeout=settle_s*1000)
        except Exception as e: problems.append(f"{url}: did not settle, search never ready ({str(e).splitlines()[0]})")
        imgs = page.eval_on_selector_all('article img', 'els => els.map(e => [e.src, e.complete, e.naturalWidth, e.naturalHeight])')
        problems += [f"{url}: image {i[0]} is not a loaded picture" for i in imgs if not (i[1] and i[2] > 0 and i[3] > 0)]
        n_img += len(imgs)
        links = page.eval_on_selector_all('article a[href]', 'els => els.map(e => e.href)')
        for u in page.evaluate(REFERENCED) + [u.split('#')[0] for u in links]:
            if u.startswith(server): refs.setdefault(u, url)
    for u in sorted(set(refs) | aborted):           # each local file once, by a direct request
        if u in seen: continue
        seen.add(u)
        st = page.request.get(u).status
        if st >= 400: problems.append(f"{u}: HTTP {st} on a direct request (referenced by {refs.get(u, 'a request that was aborted')})")
    return problems, n_img

def test_site_in_headless_chromium(site, server):
    "Every page loads and settles with no console error and no request leaving localhost; every local file it references is there; plots are real images; search works"
    _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport=dict(width=1280, height=900))
        page.goto(f"{server}/index.html", wait_until='load')
        nav = page.eval_on_selector_all('nav.md-nav--primary a.md-nav__link[href]', 'els => els.map(e => e.href)')
        nav = sorted({u.split('#')[0] for u in nav if u.startswith(server)})
        assert set(f"{server}/{p}" for p in _pages()) <= set(nav), nav
        problems, n_img = _browse(page, server, nav)
        assert n_img >= 5, f"only {n_img} images on the whole site"

        SHOTS.mkdir(exist_ok=True)
        page.goto(f"{server}/index.html", wait_until='load'); page.screenshot(path=str(SHOTS/'home.png'))
        page.goto(f"{server}/content.html", wait_until='load'); page.screenshot(path=str(SHOTS/'content.png'), full_page=False)
        # search runs in the page, from the local index
        page.goto(f"{server}/index.html", wait_until='load')
        box = page.locator('input.md-search__input')
        box.click()
        page.wait_for_function(SEARCH_READY, timeout=60_000)
        box.press_sequentially('topk_cosine', delay=30)      # real key presses, once the index is ready
        page.wait_for_selector('.md-search-result__item', timeout=60_000)
        hits = page.eval_on_selector_all('.md-search-result__item a', 'els => els.map(e => e.href)')
        assert any('similarity.html' in h for h in hits), hits
        page.wait_for_load_state('networkidle')
        browser.close()
    assert not problems, problems
    for f in ('home.png', 'content.png'): assert (SHOTS/f).stat().st_size > 10_000

def test_browser_check_names_missing_files(site, tmp_path):
    "The browser check fails, naming the file, when the favicon or the search worker is missing from a built site"
    _need_chromium()
    from playwright.sync_api import sync_playwright
    broken = tmp_path/'site'
    shutil.copytree(site, broken)
    worker = next(broken.glob('assets/javascripts/workers/search.*.min.js'))
    (broken/'assets'/'images'/'favicon.png').unlink(); worker.unlink()
    srv,url = _serve(broken)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            problems,_ = _browse(browser.new_page(), url, [f"{url}/index.html", f"{url}/data.html"], settle_s=5)
            browser.close()
    finally: srv.shutdown()
    direct = [m for m in problems if 'on a direct request' in m]
    assert any('favicon.png' in m for m in direct), problems
    assert any(worker.name in m for m in direct), problems
