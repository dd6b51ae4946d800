#!/usr/bin/env python3
"""High waters at Kanmen for the nights of the demo vessel traffic.

The demo traffic (demo/src/traffic.rs) centres its scripted pier visits on the night's high
water. Tidewatch has no tide engine yet, so this script predicts the high waters with an
external, independent predictor, UTide (`pip install utide`, Codiga 2011, the Python port of
the MATLAB package), and traffic.rs carries the results as constants.

Method
- Constants: the measured TICON-4 harmonic constants of the Kanmen gauge
  (data/demo/tides/kanmen-ticon4.json: amplitude in m, Greenwich phase lag in degrees,
  UTC). Kanmen (28.088 N, 121.282 E) is about 140 km SSW of Xiangshan; no constants for
  Xiangshan itself are published openly, so Kanmen's high water stands in for Xiangshan's.
  That is the approximation: the real high water at Shipu differs by some tens of minutes.
- The constants are fed to UTide's `reconstruct` directly (no analysis): UTide computes the
  astronomical argument V0 and the nodal factors f, u continuously at every instant (its
  default, not XTide's once-a-year values).
- TICON names map to UTide's: LAMBDA2 -> LDA2, EP2 -> EPS2, SGM -> SIG1. UTide has no M1,
  MTM, MSQM, MA2, MB2, 3L2, 3N2, R3, S3, T3; they are left out (all below 2 cm; M1 is one of
  the constituents libraries disagree on anyway).
- High waters are the maxima of the predicted curve: located on a 1-minute grid, then
  refined to 0.1 s by golden-section search on the continuous prediction.
- `--self-check` round-trips the phase convention: a year of hourly predictions from the
  constants is analysed again with `utide.solve`, which must give back the input
  amplitudes and Greenwich phases.
- Cross-check (by hand, not in this script): pytides2 0.0.5 (NOAA/Schureman conventions;
  on Python 3.11 and numpy 2 it needs `collections.Iterable` and `numpy.float` shims) on the
  same constants puts every high water of the window within 2.5 min of UTide's.

Results for 2026-11-27T12:00+08:00 + 5 days (copied into KANMEN_HIGH_WATERS in
demo/src/traffic/mod.rs):

    unix_ms, UTC, Asia/Shanghai, height above MSL (m)
    1795789978000, 2026-11-27T14:32:58Z, 2026-11-27T22:32:58+0800, +2.048
    1795836846000, 2026-11-28T03:34:06Z, 2026-11-28T11:34:06+0800, +2.388
    1795879468000, 2026-11-28T15:24:28Z, 2026-11-28T23:24:28+0800, +1.865
    1795926434000, 2026-11-29T04:27:14Z, 2026-11-29T12:27:14+0800, +2.155
    1795969345000, 2026-11-29T16:22:25Z, 2026-11-30T00:22:25+0800, +1.641
    1796016274000, 2026-11-30T05:24:34Z, 2026-11-30T13:24:34+0800, +1.912
    1796059775000, 2026-11-30T17:29:35Z, 2026-12-01T01:29:35+0800, +1.416
    1796106440000, 2026-12-01T06:27:20Z, 2026-12-01T14:27:20+0800, +1.702
    1796150847000, 2026-12-01T18:47:27Z, 2026-12-02T02:47:27+0800, +1.266

Usage: pip install utide==0.4.0 && python3 demo/scripts/high_waters.py [--self-check]
"""

import argparse
import datetime as dt
import json
import pathlib

import numpy as np
import utide
from utide._ut_constants import constit_index_dict, ut_constants
from utide.utilities import Bunch

HERE = pathlib.Path(__file__).resolve().parent
STATION = HERE.parent.parent / "data" / "demo" / "tides" / "kanmen-ticon4.json"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Must match TRAFFIC_START and TRAFFIC_DAYS in demo/src/traffic.rs.
TRAFFIC_START = dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
TRAFFIC_DAYS = 5
RENAME = {"LAMBDA2": "LDA2", "EP2": "EPS2", "SGM": "SIG1"}


def load_coef(path):
    station = json.loads(path.read_text())
    names, amps, phases, skipped = [], [], [], []
    for c in station["constituents"]:
        name = RENAME.get(c["name"], c["name"])
        if name in constit_index_dict:
            names.append(name)
            amps.append(c["amplitude"])
            phases.append(c["phase"])
        else:
            skipped.append((c["name"], c["amplitude"]))
    lind = np.array([constit_index_dict[n] for n in names])
    coef = Bunch(
        name=np.array(names),
        A=np.array(amps),
        g=np.array(phases),
        mean=station["datums"]["MSL"],
        slope=0.0,
        aux=Bunch(
            frq=ut_constants.const.freq[lind],
            lind=lind,
            lat=station["lat"],
            reftime=utide._time_conversion._normalize_time(
                np.array([np.datetime64("2026-07-02T12:00")])
            )[0],
            opt=Bunch(
                twodim=False,
                nodiagn=True,
                notrend=True,
                prefilt=[],
                nodsatlint=False,
                nodsatnone=False,
                gwchlint=False,
                gwchnone=False,
            ),
        ),
    )
    return station, coef, skipped


def unix_to_datenum(unix_s):
    # UTide's default time base: days since 0000-12-31 (1 Jan of year 1 is day 1), UTC.
    return np.asarray(unix_s, dtype=float) / 86400.0 + 719163.0


def height(coef, unix_s):
    t = unix_to_datenum(unix_s)
    return utide.reconstruct(t, coef, epoch="python", verbose=False).h


def golden_max(f, lo, hi, tol=0.1):
    inv = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - inv * (b - a), a + inv * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - inv * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + inv * (b - a)
            fd = f(d)
    return (a + b) / 2.0


def high_waters(coef, start_unix, end_unix):
    grid = np.arange(start_unix - 3600, end_unix + 3600, 60.0)
    h = height(coef, grid)
    out = []
    for i in range(1, len(grid) - 1):
        if h[i] > h[i - 1] and h[i] >= h[i + 1]:
            t = golden_max(lambda s: height(coef, [s])[0], grid[i - 1], grid[i + 1])
            if start_unix <= t < end_unix:
                out.append((t, height(coef, [t])[0]))
    return out


def self_check(coef):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    t = np.arange(start, start + 366 * 86400, 3600.0)
    h = height(coef, t)
    fit = utide.solve(
        unix_to_datenum(t),
        h,
        lat=coef.aux.lat,
        epoch="python",
        constit=list(coef.name),
        method="ols",
        conf_int="none",
        trend=False,
        verbose=False,
    )
    worst = 0.0
    for name in ["M2", "S2", "N2", "K1", "O1"]:
        i_in = list(coef.name).index(name)
        i_out = list(fit.name).index(name)
        dg = (fit.g[i_out] - coef.g[i_in] + 180.0) % 360.0 - 180.0
        da = fit.A[i_out] - coef.A[i_in]
        print(f"  {name}: A {coef.A[i_in]:.4f} -> {fit.A[i_out]:.4f}, g {coef.g[i_in]:.2f} -> "
              f"{fit.g[i_out]:.2f} (diff {dg:+.3f} deg, {da:+.4f} m)")
        worst = max(worst, abs(dg))
    assert worst < 0.5, f"phase round trip off by {worst} deg"
    print("self-check passed: utide.solve gives back the input Greenwich phases")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    station, coef, skipped = load_coef(STATION)
    print(f"station {station['id']} ({station['lat']} N, {station['lon']} E), "
          f"{len(coef.name)} constituents used; left out: "
          + ", ".join(f"{n} ({a * 100:.1f} cm)" for n, a in skipped))
    if args.self_check:
        self_check(coef)
    start = TRAFFIC_START.timestamp()
    end = start + TRAFFIC_DAYS * 86400
    print("high waters (height above the station's MSL)")
    print("unix_ms, UTC, Asia/Shanghai, height_m")
    for t, h in high_waters(coef, start, end):
        when = dt.datetime.fromtimestamp(round(t), dt.timezone.utc)
        print(f"{round(t) * 1000}, {when:%Y-%m-%dT%H:%M:%SZ}, "
              f"{when.astimezone(SHANGHAI):%Y-%m-%dT%H:%M:%S%z}, {h - station['datums']['MSL']:+.3f}")


if __name__ == "__main__":
    main()
