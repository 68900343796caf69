from bench import production_settings
production_settings(own_pages_cache=True)
import django; django.setup()
import cProfile, pstats, datetime as dt, time
from unittest import mock
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.contrib.auth import get_user_model
c = Client()
c.force_login(get_user_model().objects.get(username="bench-manager"))
url = reverse("manager_dashboard")
c.get(url)
real = timezone.localdate
n = [0]
def newday():
    n[0] += 1
    later = real() + dt.timedelta(days=n[0] + 100)
    return mock.patch.object(timezone, "localdate", lambda *a, **k: later)
for i in range(3):
    with newday():
        s = time.perf_counter(); c.get(url); print("ms", (time.perf_counter()-s)*1000)
with newday():
    p = cProfile.Profile(); p.enable(); c.get(url); p.disable()
st = pstats.Stats(p); st.sort_stats("cumulative").print_stats(40)
