"Shared pytest set-up: the fault suite's tally of cases tried and survived"

def pytest_terminal_summary(terminalreporter):
    "After the run, say how many fault cases (tests/test_faults.py) were tried and how many movierec survived"
    reps = [r for k in ('passed', 'failed', 'error') for r in terminalreporter.stats.get(k, [])
            if (k != 'passed' or r.when == 'call') and 'test_faults.py' in r.nodeid]
    if reps:
        ok = sum(r.passed for r in reps)
        terminalreporter.write_line(f"fault suite: {len(reps)} cases tried, {ok} survived")
