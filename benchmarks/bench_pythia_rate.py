"""Speed reference: Pythia 8 hard-process-only generation of pp -> Z H (HiggsSM:ffbar2HZ).

No ISR/FSR/MPI/remnants/hadronisation (PartonLevel:all = off, HadronLevel:all = off).
Resonance decays are kept: Z -> e+e-/mu+mu-, H -> b bbar. The inputs are the spec's MW-scheme
LO inputs; see ``mlstxs.physics._pythia_reference``. Reported: the init time, then the
wall-clock events/s of the ``pythia.next()`` loop after init (single process), and sigmaGen.

    OMP_NUM_THREADS=1 python benchmarks/bench_pythia_rate.py --n 20000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

try:
    from mlstxs.physics._pythia_reference import MB_TO_PB, make_pythia, pythia_settings
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from mlstxs.physics._pythia_reference import MB_TO_PB, make_pythia, pythia_settings


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="events to generate (default 20000)")
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--pdf", default="18", help="PDF:pSet (default 18 = NNPDF31_lo_as_0118)")
    ap.add_argument("--nf", type=int, default=5, help="incoming quark flavours (4 or 5)")
    ap.add_argument("--mll", type=float, nargs=2, default=(66.0, 116.0), metavar=("LO", "HI"))
    ap.add_argument("--nwa", action="store_true", help="on-shell Z and H (no Breit-Wigners)")
    ap.add_argument("--show-settings", action="store_true")
    a = ap.parse_args(argv)

    pset = int(a.pdf) if a.pdf.isdigit() else a.pdf
    window = None if a.nwa else (a.mll[0], a.mll[1])
    settings = pythia_settings(pset, a.seed, mll_window_GeV=window, n_flavours=a.nf)
    if a.show_settings:
        print("\n".join(settings))

    t0 = time.perf_counter()
    py = make_pythia(settings)
    t_init = time.perf_counter() - t0

    n_fail = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.n):
        if not py.next():
            n_fail += 1
    t_gen, c_gen = time.perf_counter() - t0, time.process_time() - c0

    info = py.infoPython()
    pd = py.particleData
    sig, err = info.sigmaGen() * MB_TO_PB, info.sigmaErr() * MB_TO_PB
    br_z, br_h = pd.resOpenFrac(23), pd.resOpenFrac(25)
    print(
        f"pythia8mc HiggsSM:ffbar2HZ, hard process only, PDF:pSet={pset}, nf={a.nf}, "
        f"m_ll window={'NWA' if window is None else window}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}"
    )
    print(f"init time          : {t_init:.3f} s")
    print(f"events             : {a.n} ({n_fail} failed), trials {info.nTried()}")
    print(f"generation time    : {t_gen:.3f} s  ->  {a.n / t_gen:,.0f} events/s (one core, wall)")
    print(f"generation CPU time: {c_gen:.3f} s  ->  {a.n / c_gen:,.0f} events/s (CPU)")
    print(
        f"sigmaGen           : {sig * 1e3:.4f} +- {err * 1e3:.4f} fb "
        f"(includes Pythia BRs: Z->ee+mumu {br_z:.6f}, H->bb {br_h:.6f})"
    )
    print(f"sigma(pp->ZH)      : {sig / (br_z * br_h):.5f} +- {err / (br_z * br_h):.5f} pb")


if __name__ == "__main__":
    main()
