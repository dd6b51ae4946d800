#!/usr/bin/env python3
"""Reference sun times for tidewatch-tides' sun test (tests/sun_and_windows.rs).

Computes civil dawn, sunrise, sunset and civil dusk at Shipu (121.95 E, 29.20 N) with
astral (PyPI, `pip install astral==3.2`; NOAA's solar equations, sunrise at -0.833 deg,
civil depression 6 deg) and prints them as Rust tuples (unix seconds, UTC) with the
Asia/Shanghai time as a comment. The test hard-codes this output.

Usage: python3 tides/reference/sun_reference.py
"""

import datetime as dt

from astral import LocationInfo
from astral.sun import sun

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SHIPU = LocationInfo("Shipu", "China", "Asia/Shanghai", 29.20, 121.95)
DATES = [dt.date(2026, 6, 21), dt.date(2026, 11, 28), dt.date(2026, 12, 21)]

for date in DATES:
    s = sun(SHIPU.observer, date=date, tzinfo=SHANGHAI, dawn_dusk_depression=6.0)
    times = [s[k] for k in ("dawn", "sunrise", "sunset", "dusk")]
    print(f"    // {date}: " + ", ".join(f"{k} {t:%H:%M:%S}" for k, t in zip(("dawn", "sunrise", "sunset", "dusk"), times)))
    print(f"    (({date.year}, {date.month}, {date.day}), [" + ", ".join(str(int(t.timestamp())) for t in times) + "]),")
