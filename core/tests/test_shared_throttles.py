"""docs/security.md 31: a throttle holds across processes — 3 gunicorn workers share one budget per client.

The demo's 2026 forum is voting; its throttle allows 20 attempts per client in 10 minutes. 60
attempts sent at once by 6 threads (each with a made-up X-Forwarded-For, from a peer that is no
trusted proxy) reach the 3 workers: exactly 20 get through, the others get 429. With a cache per
process, each worker counted its own 20 (the attack on the demo let 59 through).
"""

import re
import threading

import pytest
import requests

from core.tests.live import SLUG, serve, shell_json

pytestmark = pytest.mark.live

FORUM = f"""
import json
from participation.models import Forum
print(json.dumps(Forum.objects.get(partnership__slug={SLUG!r}, slug="forum-2026").pk))
"""


def test_three_workers_share_the_vote_throttle(tmp_path):
    with serve(tmp_path, workers=3, threads=1) as (env, base, _pid):
        url = f"{base}/public/{SLUG}/forums/{shell_json(env, FORUM)}/voter/"
        statuses = []

        def attempt(thread):
            session = requests.Session()
            page = session.get(url, timeout=60)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            for n in range(10):
                answer = session.post(
                    url,
                    data={"csrfmiddlewaretoken": token, "code": "AAAA-BBBB", "sex": "F", "age_band": "18-24"},
                    headers={"X-Forwarded-For": f"203.0.113.{10 * thread + n}"},
                    timeout=60,
                )
                statuses.append(answer.status_code)

        threads = [threading.Thread(target=attempt, args=(t,)) for t in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print(
        f"\n60 vote attempts on 3 workers: {60 - statuses.count(429)} let through, {statuses.count(429)} × 429"
    )
    assert len(statuses) == 60
    assert statuses.count(429) == 40
    assert not [s for s in statuses if s >= 500]
