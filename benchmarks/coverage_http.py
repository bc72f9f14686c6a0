"""The coverage-debt pages over HTTP, against a running server (e.g. gunicorn on the benchmark database): median of 7
requests after a warm-up, per page, as the demo users. Loopback only.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/hn_risk DEMO_MODE=1
    .venv/bin/gunicorn haining_foodsafety.wsgi:application -b 127.0.0.1:8108 -w 2 &
    .venv/bin/python benchmarks/coverage_http.py [http://127.0.0.1:8108]
"""

import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8108"


def opener(user):
    cj = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj))
    html = op.open(BASE + "/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"username": user, "password": "Haining#2026", "csrfmiddlewaretoken": token}).encode()
    req = urllib.request.Request(BASE + "/accounts/login/", data=data, headers={"Referer": BASE + "/accounts/login/"})
    op.open(req, timeout=30).read()
    return op


print("| page | user | median ms | status |\n| --- | --- | ---: | ---: |")
for user, url in [
    ("shiju", "/risk/coverage/"),
    ("zhenjie", "/risk/coverage/"),
    ("shiju", "/api/v1/risk/coverage-debt/"),
    ("zhenjie", "/"),
    ("shiju", "/risk/"),
]:
    op = opener(user)
    op.open(BASE + url, timeout=60).read()
    times = []
    for _ in range(7):
        t = time.perf_counter()
        r = op.open(BASE + url, timeout=60)
        r.read()
        times.append(time.perf_counter() - t)
    print(f"| {url} | {user} | {statistics.median(times) * 1000:.0f} | {r.status} |")
